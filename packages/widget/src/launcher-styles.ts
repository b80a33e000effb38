/**
 * The launcher's CSS. It is applied to the widget's shadow root as a constructed stylesheet
 * (`adoptedStyleSheets`), not a `<style>` element: the shadow root keeps the host page's CSS
 * out (and ours in), and a constructed stylesheet is not inline markup, so a host page whose
 * CSP forbids inline styles can still embed the widget.
 */
export const LAUNCHER_CSS = `
:host { all: initial; --parlor-accent: #2f5bd3; --parlor-bg: #ffffff; --parlor-fg: #1b1d21; --parlor-border: #d5d8de; color-scheme: light; }
:host([data-theme="dark"]) { --parlor-accent: #7c9cff; --parlor-bg: #1c1e23; --parlor-fg: #eceef2; --parlor-border: #3a3e47; color-scheme: dark; }
@media (prefers-color-scheme: dark) {
  :host([data-theme="auto"]) { --parlor-accent: #7c9cff; --parlor-bg: #1c1e23; --parlor-fg: #eceef2; --parlor-border: #3a3e47; color-scheme: dark; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.launcher {
  position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  width: 56px; height: 56px; border-radius: 50%; border: none; cursor: pointer;
  background: var(--parlor-accent); color: #fff; display: grid; place-items: center;
  box-shadow: 0 4px 14px rgb(0 0 0 / 0.25);
}
.launcher:focus-visible, .close:focus-visible { outline: 3px solid var(--parlor-fg); outline-offset: 2px; }
.launcher svg { width: 26px; height: 26px; }
.badge {
  position: absolute; top: -2px; right: -2px; min-width: 20px; height: 20px; padding: 0 5px;
  border-radius: 10px; background: #d62f2f; color: #fff; font: 600 12px/20px system-ui, sans-serif;
}
.panel {
  display: flex; flex-direction: column; background: var(--parlor-bg); color: var(--parlor-fg);
  font: 14px/1.4 system-ui, sans-serif;
}
.panel.floating {
  position: fixed; right: 20px; bottom: 88px; z-index: 2147483000;
  width: min(400px, calc(100vw - 40px)); height: min(640px, calc(100vh - 120px));
  border: 1px solid var(--parlor-border); border-radius: 12px; overflow: hidden;
  box-shadow: 0 8px 30px rgb(0 0 0 / 0.25);
}
.panel.inline { width: 100%; height: 100%; }
.header { display: flex; align-items: center; justify-content: space-between; padding: 6px 8px 6px 14px; border-bottom: 1px solid var(--parlor-border); }
.title { font-weight: 600; }
.close { border: none; background: transparent; color: inherit; cursor: pointer; width: 32px; height: 32px; border-radius: 6px; font-size: 20px; line-height: 1; }
.close:hover { background: var(--parlor-border); }
iframe { flex: 1; width: 100%; border: 0; display: block; background: var(--parlor-bg); }
@media (max-width: 480px) {
  .panel.floating { right: 0; bottom: 0; width: 100vw; height: 100vh; border-radius: 0; border: none; }
}
`;
