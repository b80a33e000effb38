import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync, closeSync } from "node:fs";
import { Agent, createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectSocket, dialects, EventLog, request, type StartOptions, startTestServer, type TestClient, type TestServer } from "@parlor/test-support";
import { PNG } from "./helpers/sample-files.js";
import { multipart, send } from "./helpers/keep-alive-request.js";

/**
 * A really full disk: a 4 MiB tmpfs mounted for this file (the tests run as root), holding
 * the server's data dir, filled to the last byte with ballast before the attack.
 */
const MOUNT_SIZE = "4m";
let mount: string;

beforeAll(() => {
  mount = mkdtempSync(join(tmpdir(), "parlor-full-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${MOUNT_SIZE}`, "tmpfs", mount], { stdio: "pipe" });
  } catch (error) {
    throw new Error(`storage-full tests need to mount a small tmpfs at ${mount} (run as root, or with CAP_SYS_ADMIN): ${(error as Error).message}`, {
      cause: error,
    });
  }
});

afterAll(() => {
  execFileSync("umount", [mount]);
  rmSync(mount, { recursive: true, force: true });
});

/** Writes ballast until the file system answers ENOSPC; returns the ballast's path. */
function fillDisk(): string {
  const path = join(mount, "ballast");
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  }
  // Last bytes of the last partial block.
  try {
    for (;;) writeSync(fd, chunk, 0, 512);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe.each(dialects)("a full disk, database on $name", (dialect) => {
  let t: TestServer | undefined;
  let agent: Agent;
  let dataDir: string;

  afterEach(async () => {
    agent?.destroy();
    await t?.stop();
    t = undefined;
    for (const entry of readdirSync(mount)) rmSync(join(mount, entry), { recursive: true, force: true });
  });

  async function start(options: Omit<StartOptions, "dialect"> = {}) {
    dataDir = join(mount, "data");
    mkdirSync(dataDir, { recursive: true });
    t = await startTestServer({ dialect, ...options, server: { ...options.server, dataDir } });
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    return t;
  }

  function headersOf(client: TestClient, extra: Record<string, string> = {}) {
    return {
      cookie: `${client.cookieName}=${client.sessionCookie}`,
      origin: t!.origin,
      "sec-fetch-site": "same-origin",
      "x-csrf-token": client.csrfToken!,
      ...extra,
    };
  }

  function uploadOver(client: TestClient, bytes: Buffer, name = "big.bin") {
    const { body, contentType } = multipart(bytes, name);
    return send(agent, `${t!.origin}/api/files`, {
      method: "POST",
      headers: headersOf(client, { "content-type": contentType, "content-length": String(body.length) }),
      body,
    });
  }

  /** A thread with one attached file, made before the disk fills up. */
  async function threadWithFile(client: TestClient, bytes: Buffer = PNG) {
    const socket = await connectSocket(t!, client);
    const log = new EventLog(socket);
    const { body: file } = await client.post("/api/files", { form: formOf(bytes, "a.bin") });
    const { threadId } = await request(socket, "message:send", { content: "pic", fileIds: [file.id] });
    await log.waitFor((e) => e.event === "message:end");
    return { threadId: threadId as string, file };
  }

  it("answers an upload 507 insufficient_storage, leaves nothing, and keeps the connection answering", async () => {
    await start();
    const alice = t!.client();
    await alice.login("alice");
    const before = filesUnder(join(dataDir, "files"));
    fillDisk();

    const refused = await uploadOver(alice, Buffer.alloc(1024 * 1024, 7));
    expect(refused.status).toBe(507);
    expect(refused.body.error.code).toBe("insufficient_storage");
    expect(filesUnder(join(dataDir, "files"))).toEqual(before);
    expect(await t!.server.db.selectFrom("files").selectAll().execute()).toEqual([]);

    // The next request on the same keep-alive connection answers at once.
    const me = await send(agent, `${t!.origin}/auth/me`, { method: "GET", headers: headersOf(alice) });
    expect(me.status).toBe(200);
    expect(me.reusedSocket).toBe(true);
  });

  it("deletes a thread and its files on a full disk", async () => {
    await start();
    const alice = t!.client();
    await alice.login("alice");
    const { threadId, file } = await threadWithFile(alice);
    const stored = filesUnder(join(dataDir, "files")).filter((path) => !path.startsWith(join(dataDir, "files", "tmp")));
    expect(stored).toHaveLength(1);
    const ballast = fillDisk();

    expect((await uploadOver(alice, PNG, "more.png")).status).toBe(507);
    const deleted = await send(agent, `${t!.origin}/api/threads/${threadId}`, { method: "DELETE", headers: headersOf(alice) });
    expect(deleted.status).toBe(204);
    expect(filesUnder(join(dataDir, "files"))).toEqual([]);
    expect((await alice.get(`/api/files/${file.id}`)).status).toBe(404);

    // Once space is back, uploads work again.
    rmSync(ballast);
    expect((await uploadOver(alice, PNG, "again.png")).status).toBe(201);
  });

  if (dialect.name === "sqlite") {
    it("answers a chat message on a full disk insufficient_storage, storing nothing", async () => {
      await start({ env: { PARLOR_DATABASE_URL: `sqlite:${join(mount, "parlor.db")}` } });
      const alice = t!.client();
      await alice.login("alice");
      const socket = await connectSocket(t!, alice);
      fillDisk();
      const answer = await socket.timeout(5000).emitWithAck("message:send", { content: "hello" });
      expect(answer).toMatchObject({ ok: false, error: { code: "insufficient_storage" } });
      expect(await t!.server.db.selectFrom("messages").selectAll().execute()).toEqual([]);
      expect(await t!.server.db.selectFrom("threads").selectAll().execute()).toEqual([]);
      expect(socket.connected).toBe(true);
    });

    it("deletes a thread when the SQLite file shares the full disk", async () => {
      await start({ env: { PARLOR_DATABASE_URL: `sqlite:${join(mount, "parlor.db")}` } });
      const alice = t!.client();
      await alice.login("alice");
      // A thread whose files take room: deleting it must free them even though the database,
      // on the same full disk, cannot record the delete until there is room.
      const { threadId } = await threadWithFile(alice, Buffer.alloc(512 * 1024, 3));
      fillDisk();
      const refused = await uploadOver(alice, PNG, "more.png");
      expect(refused.status).toBe(507);
      const deleted = await send(agent, `${t!.origin}/api/threads/${threadId}`, { method: "DELETE", headers: headersOf(alice) });
      expect(deleted.body).toBe("");
      expect(deleted.status).toBe(204);
      expect((await alice.get(`/api/threads/${threadId}`)).status).toBe(404);
      expect(filesUnder(join(dataDir, "files"))).toEqual([]);
    });
  }
});

function formOf(bytes: Buffer, name: string) {
  const data = new FormData();
  data.append("file", new Blob([new Uint8Array(bytes)]), name);
  return data;
}

describe("a full S3-compatible service", () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it("answers 507 insufficient_storage when the service reports it is full (MinIO's XMinioStorageFull)", async () => {
    // MinIO's answer when its drives are past the free-space threshold, from a real HTTP
    // endpoint: no S3-compatible server here can be filled up.
    const requests: string[] = [];
    const minio = createHttpServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      req.resume();
      req.on("end", () => {
        res.writeHead(507, { "content-type": "application/xml" });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>XMinioStorageFull</Code><Message>Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed.</Message><Resource>${req.url}</Resource></Error>`,
        );
      });
    });
    await new Promise<void>((resolve) => minio.listen(0, "127.0.0.1", resolve));
    process.env.AWS_ACCESS_KEY_ID = "full";
    process.env.AWS_SECRET_ACCESS_KEY = "full-secret";
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    const t = await startTestServer({
      env: {
        PARLOR_FILES_STORAGE: "s3",
        PARLOR_S3_BUCKET: "uploads",
        PARLOR_S3_ENDPOINT: `http://127.0.0.1:${(minio.address() as AddressInfo).port}`,
        PARLOR_S3_FORCE_PATH_STYLE: "true",
      },
    });
    try {
      const alice = t.client();
      await alice.login("alice");
      const response = await alice.post("/api/files", { form: formOf(PNG, "a.png") });
      expect(requests.some((line) => line.startsWith("PUT /uploads/"))).toBe(true);
      expect(response.status).toBe(507);
      expect(response.body.error.code).toBe("insufficient_storage");
      expect(await t.server.db.selectFrom("files").selectAll().execute()).toEqual([]);
    } finally {
      await t.stop();
      await new Promise((resolve) => minio.close(resolve));
    }
  });
});
