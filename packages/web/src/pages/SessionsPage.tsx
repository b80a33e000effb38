import { useAuth, type SessionListEntry } from "@parlor/react";
import { useEffect, useState } from "react";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { AlertIcon, ArrowLeftIcon, DevicesIcon, PhoneIcon, ShieldIcon } from "../components/icons";
import { useI18n, type Translate } from "../i18n";
import { describeError } from "../lib/describe-error";
import { deviceFromUserAgent } from "../lib/device-name";
import { formatDate, formatDateTime, formatRelative } from "../lib/format";
import { signOutOnPurpose } from "../lib/sign-out-intent";
import { useAction } from "../lib/use-action";
import { Link } from "../router/Link";
import "../styles/sessions.css";

/** The user's active sessions, with revoke for each and "Sign out everywhere" (after a confirmation). */
export function SessionsPage() {
  const { sessions, refreshSessions, revokeSession, revokeAllSessions } = useAuth();
  const { t } = useI18n();
  /** "Sign out everywhere" was pressed: the dialog asks before anything ends. */
  const [confirmingAll, setConfirmingAll] = useState(false);
  const [loaded, setLoaded] = useState(false);
  /** What the action below does: load the list, revoke `"all"`, or revoke the session with this id. */
  const [target, setTarget] = useState("list");
  // Loading and revoking share one error notice: it shows the latest failure.
  const action = useAction(async (next: "list" | "all" | SessionListEntry) => {
    if (next === "list") await refreshSessions();
    else if (next === "all") await signOutOnPurpose(revokeAllSessions);
    else if (next.current) await signOutOnPurpose(() => revokeSession(next.id));
    else await revokeSession(next.id);
  });
  const { run, error } = action;
  /** A revoke is running: the buttons wait for it (loading the list does not block them). */
  const busy = action.pending && target !== "list" ? target : null;

  useEffect(() => {
    void run("list").then(() => setLoaded(true));
  }, [run, refreshSessions]);

  function revoke(next: "all" | SessionListEntry) {
    setTarget(next === "all" ? "all" : next.id);
    void run(next);
  }

  // This device first, then the most recently active.
  const ordered = [...sessions].sort((a, b) => Number(b.current) - Number(a.current));

  return (
    <main className="page sessions-page" aria-labelledby="sessions-title">
      <div className="page-inner">
        <Link href="/" className="back-link">
          <ArrowLeftIcon />
          {t("sessions.back")}
        </Link>
        <h2 id="sessions-title" className="page-title">
          {t("sessions.title")}
        </h2>
        <p className="page-lede">{t("sessions.lede")}</p>

        {error !== null ? (
          <div className="notice notice-error" role="alert">
            <AlertIcon />
            <span>{describeError(error, t)}</span>
          </div>
        ) : null}

        {!loaded ? (
          <ul className="session-list session-list-loading" aria-hidden="true">
            <li />
            <li />
          </ul>
        ) : (
          <ul className="session-list" aria-label={t("sessions.list")}>
            {ordered.map((session) => (
              <SessionRow key={session.id} t={t} session={session} busy={busy === session.id} disabled={busy !== null} onRevoke={() => revoke(session)} />
            ))}
            {ordered.length === 0 && error === null ? <li className="session-empty">{t("sessions.none")}</li> : null}
          </ul>
        )}

        <section className="danger-zone" aria-labelledby="everywhere-title">
          <ShieldIcon />
          <div className="danger-zone-text">
            <h3 id="everywhere-title">{t("sessions.everywhere")}</h3>
            <p>{t("sessions.everywhereBody")}</p>
          </div>
          <button type="button" className="button button-danger" onClick={() => setConfirmingAll(true)} disabled={busy !== null}>
            {t("sessions.everywhere")}
          </button>
        </section>
        <ConfirmDialog
          open={confirmingAll}
          title={t("sessions.everywhereConfirmTitle")}
          confirmLabel={t("sessions.everywhere")}
          danger
          onConfirm={() => {
            setConfirmingAll(false);
            revoke("all");
          }}
          onCancel={() => setConfirmingAll(false)}
        >
          <p>{t("sessions.everywhereConfirmBody")}</p>
        </ConfirmDialog>
      </div>
    </main>
  );
}

interface SessionRowProps {
  t: Translate;
  session: SessionListEntry;
  busy: boolean;
  disabled: boolean;
  onRevoke(): void;
}

function SessionRow({ t, session, busy, disabled, onRevoke }: SessionRowProps) {
  const device = deviceFromUserAgent(session.userAgent, t);
  const { locale } = t;
  const labelId = `session-${session.id}`;
  return (
    <li className={`session${session.current ? " session-current" : ""}`} aria-labelledby={labelId}>
      <span className="session-icon" aria-hidden="true">
        {device.mobile ? <PhoneIcon /> : <DevicesIcon />}
      </span>
      <div className="session-text">
        <div className="session-title">
          <span id={labelId} className="session-device">
            {device.name}
          </span>
          {session.current ? <span className="badge">{t("sessions.thisDevice")}</span> : null}
        </div>
        <div className="session-meta">
          <span title={formatDateTime(session.lastSeenAt, locale)}>
            {session.current
              ? t("sessions.activeNow")
              : t("sessions.lastActive", { when: formatRelative(session.lastSeenAt, { locale, justNow: t("time.justNow") }) })}
          </span>
          <span aria-hidden="true"> · </span>
          <span title={formatDateTime(session.createdAt, locale)}>{t("sessions.signedIn", { date: formatDate(session.createdAt, locale) })}</span>
          {session.ip ? (
            <>
              <span aria-hidden="true"> · </span>
              <span>{session.ip}</span>
            </>
          ) : null}
        </div>
      </div>
      <button type="button" className="button button-secondary button-small" onClick={onRevoke} disabled={disabled} aria-busy={busy}>
        {t("sessions.revoke")}
      </button>
    </li>
  );
}
