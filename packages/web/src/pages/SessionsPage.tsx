import { useAuth, type SessionListEntry } from "@parlor/react";
import { useEffect, useState } from "react";
import { AlertIcon, ArrowLeftIcon, DevicesIcon, PhoneIcon, ShieldIcon } from "../components/icons";
import { describeError } from "../lib/describe-error";
import { deviceFromUserAgent } from "../lib/device-name";
import { formatDate, formatDateTime, formatRelative } from "../lib/format";
import { signOutOnPurpose } from "../lib/sign-out-intent";
import { Link } from "../router/Link";
import "../styles/sessions.css";

/** The user's active sessions, with revoke for each and "Sign out everywhere". */
export function SessionsPage() {
  const { sessions, refreshSessions, revokeSession, revokeAllSessions } = useAuth();
  const [loaded, setLoaded] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    refreshSessions()
      .catch((failure: unknown) => setError(failure))
      .finally(() => setLoaded(true));
  }, [refreshSessions]);

  async function revoke(session: SessionListEntry) {
    setBusy(session.id);
    setError(null);
    try {
      if (session.current) await signOutOnPurpose(() => revokeSession(session.id));
      else await revokeSession(session.id);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  }

  async function revokeAll() {
    setBusy("all");
    setError(null);
    try {
      await signOutOnPurpose(revokeAllSessions);
    } catch (failure) {
      setError(failure);
      setBusy(null);
    }
  }

  // This device first, then the most recently active.
  const ordered = [...sessions].sort((a, b) => Number(b.current) - Number(a.current));

  return (
    <main className="page sessions-page" aria-labelledby="sessions-title">
      <div className="page-inner">
        <Link href="/" className="back-link">
          <ArrowLeftIcon />
          Back to chats
        </Link>
        <h2 id="sessions-title" className="page-title">
          Where you’re signed in
        </h2>
        <p className="page-lede">
          These devices are signed in to your account. Revoke any you don’t recognise: it is signed out within a second.
        </p>

        {error !== null ? (
          <div className="notice notice-error" role="alert">
            <AlertIcon />
            <span>{describeError(error)}</span>
          </div>
        ) : null}

        {!loaded ? (
          <ul className="session-list session-list-loading" aria-hidden="true">
            <li />
            <li />
          </ul>
        ) : (
          <ul className="session-list" aria-label="Active sessions">
            {ordered.map((session) => (
              <SessionRow key={session.id} session={session} busy={busy === session.id} disabled={busy !== null} onRevoke={() => void revoke(session)} />
            ))}
            {ordered.length === 0 && error === null ? <li className="session-empty">No active sessions.</li> : null}
          </ul>
        )}

        <section className="danger-zone" aria-labelledby="everywhere-title">
          <ShieldIcon />
          <div className="danger-zone-text">
            <h3 id="everywhere-title">Sign out everywhere</h3>
            <p>Ends every session of your account, this one included. You’ll need to sign in again on each device.</p>
          </div>
          <button type="button" className="button button-danger" onClick={() => void revokeAll()} disabled={busy !== null}>
            Sign out everywhere
          </button>
        </section>
      </div>
    </main>
  );
}

interface SessionRowProps {
  session: SessionListEntry;
  busy: boolean;
  disabled: boolean;
  onRevoke(): void;
}

function SessionRow({ session, busy, disabled, onRevoke }: SessionRowProps) {
  const device = deviceFromUserAgent(session.userAgent);
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
          {session.current ? <span className="badge">This device</span> : null}
        </div>
        <div className="session-meta">
          <span title={formatDateTime(session.lastSeenAt)}>
            {session.current ? "Active now" : `Last active ${formatRelative(session.lastSeenAt)}`}
          </span>
          <span aria-hidden="true"> · </span>
          <span title={formatDateTime(session.createdAt)}>Signed in {formatDate(session.createdAt)}</span>
          {session.ip ? (
            <>
              <span aria-hidden="true"> · </span>
              <span>{session.ip}</span>
            </>
          ) : null}
        </div>
      </div>
      <button type="button" className="button button-secondary button-small" onClick={onRevoke} disabled={disabled} aria-busy={busy}>
        Revoke
      </button>
    </li>
  );
}
