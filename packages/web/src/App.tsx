import { useAuth } from "@parlor/react";
import { useEffect, useRef } from "react";
import { useAppAccent, useAppFace } from "./app-face";
import { Splash } from "./components/Splash";
import { useI18n } from "./i18n";
import { AppShell } from "./pages/AppShell";
import { LoginPage } from "./pages/LoginPage";
import { clearSignOutIntent, hasSignedOutOnPurpose } from "./lib/sign-out-intent";
import { isAppPath, navigate } from "./router/navigate";
import { matchRoute } from "./router/routes";
import { useLocation } from "./router/use-location";

/**
 * The app: the login page for visitors, the shell (threads, chat, sessions) for users. It
 * follows the session by itself: when the client reports logged-out (a 401, a revoked
 * session, a sign-out in another tab), it goes to `/login` and back to where the user was
 * after the next login.
 */
export function App() {
  const { isReady, isAuthenticated } = useAuth();
  const face = useAppFace();
  const { t } = useI18n();
  const { pathname, search } = useLocation();
  const route = matchRoute(pathname);
  /** Whether this page has seen a session: a later logged-out state means it ended. */
  const hadSession = useRef(false);
  if (isAuthenticated) hadSession.current = true;

  useEffect(() => {
    if (isAuthenticated) clearSignOutIntent();
  }, [isAuthenticated]);

  useEffect(() => {
    if (!isReady) return;
    if (!isAuthenticated && route.name !== "login") {
      if (hasSignedOutOnPurpose()) {
        hadSession.current = false;
        navigate("/login", { replace: true });
        return;
      }
      const from = `${pathname}${search}`;
      const query = new URLSearchParams();
      if (from !== "/" && from !== "/sessions") query.set("next", from);
      if (hadSession.current) query.set("ended", "1");
      const qs = query.toString();
      navigate(qs === "" ? "/login" : `/login?${qs}`, { replace: true });
    } else if (isAuthenticated && route.name === "login") {
      navigate(nextPath(search), { replace: true });
    } else if (route.name === "not-found") {
      navigate("/", { replace: true });
    }
  }, [isReady, isAuthenticated, route.name, pathname, search]);

  useEffect(() => {
    const app = face.name;
    document.title = route.name === "login" ? t("title.signIn", { app }) : route.name === "sessions" ? t("title.sessions", { app }) : app;
  }, [route.name, face.name, t]);

  useAppAccent();

  if (!isReady) return <Splash />;
  if (route.name === "login") return isAuthenticated ? <Splash /> : <LoginPage sessionEnded={new URLSearchParams(search).has("ended")} />;
  if (!isAuthenticated || route.name === "not-found") return <Splash />;
  return <AppShell route={route} />;
}

/** Where to go after login: the `next` path if it is one of ours, else the start page. */
function nextPath(search: string): string {
  const next = new URLSearchParams(search).get("next");
  return next !== null && isAppPath(next) && !next.startsWith("/login") ? next : "/";
}
