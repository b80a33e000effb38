import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dialects } from "./helpers/databases.js";
import { PNG } from "./helpers/sample-files.js";
import { connectSocket, request, type ClientSocket } from "./helpers/socket-client.js";
import { startTestServer, testApp, type StartOptions, type TestClient, type TestServer } from "./helpers/test-server.js";

const pngForm = () => {
  const data = new FormData();
  data.append("file", new Blob([PNG], { type: "image/png" }), "pixel.png");
  return data;
};

describe.each(dialects)("upload quota on $name", (dialect) => {
  let t: TestServer;
  const sockets: ClientSocket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await t?.stop();
  });

  const start = async (options: Omit<StartOptions, "dialect"> = {}) => {
    t = await startTestServer({ dialect, ...options });
    return t;
  };
  const loggedIn = async (name = "alice") => {
    const client = t.client();
    await client.login(name);
    return client;
  };
  /** `count` uploads fired at once, as a script would. */
  const burst = (client: TestClient, count: number) => Promise.all(Array.from({ length: count }, () => client.post("/api/files", { form: pngForm() })));
  const fileRows = () => t.server.db.selectFrom("files").selectAll().execute();
  const storedFiles = () => {
    const root = join(t.dataDir, "files");
    return existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length : 0;
  };

  it("accepts files.uploadsPerMinute (30) of a 200-upload burst, answers the rest 429 rate_limited with Retry-After, stores nothing for them", async () => {
    await start();
    const alice = await loggedIn();
    const responses = await burst(alice, 200);
    const accepted = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status !== 201);
    expect(accepted).toHaveLength(30);
    expect(refused).toHaveLength(170);
    for (const response of refused) {
      expect(response.status).toBe(429);
      expect(response.body.error.code).toBe("rate_limited");
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(await fileRows()).toHaveLength(30);
    expect(storedFiles()).toBe(30);

    // Counted per user: another user uploads as usual.
    expect((await (await loggedIn("bob")).post("/api/files", { form: pngForm() })).status).toBe(201);
  });

  it("caps unattached uploads at files.maxUnattached, also in a parallel burst, until they are sent with a message", async () => {
    await start({ app: testApp({ onMessage: () => undefined }), server: { files: { maxUnattached: 5, uploadsPerMinute: 1000 } } });
    const alice = await loggedIn();
    const responses = await burst(alice, 12);
    const accepted = responses.filter((r) => r.status === 201);
    expect(accepted).toHaveLength(5);
    for (const response of responses.filter((r) => r.status !== 201)) {
      expect(response.status).toBe(429);
      expect(response.body.error.code).toBe("rate_limited");
    }
    expect(await fileRows()).toHaveLength(5);
    expect(storedFiles()).toBe(5);

    // Sending them with a message frees the quota.
    const socket = await connectSocket(t, alice);
    sockets.push(socket);
    const fileIds = accepted.map((r) => r.body.id as string);
    expect((await request(socket, "message:send", { content: "my photos", fileIds })).ok).toBe(true);
    expect((await alice.post("/api/files", { form: pngForm() })).status).toBe(201);
  });
});
