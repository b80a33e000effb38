import { LogoMark } from "./icons";

/** Shown while the session is being checked (a moment, once per page load). */
export function Splash() {
  return (
    <div className="splash" aria-busy="true">
      <LogoMark size={40} />
      <span className="visually-hidden">Loading…</span>
    </div>
  );
}
