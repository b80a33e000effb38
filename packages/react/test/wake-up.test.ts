// @vitest-environment jsdom
/**
 * A page whose server was away reconnects the moment the user is back: when the browser goes
 * back online, the window regains focus or the tab becomes visible, it does not wait out the
 * back-off. The back-off is set to 20 s here so that only the wake-up can explain a prompt
 * reconnection.
 */
import { describe, expect, it, vi } from "vitest";
import { browser } from "./helpers/clients.js";
import { CookieJar, ECHO_PASSWORD, sleep, startTestServer, type TestServer } from "@parlor/test-support";

let t: TestServer;

const SLOW_BACKOFF = { reconnectionDelay: 20_000, reconnectionDelayMax: 20_000, randomizationFactor: 0 };

async function slowClient() {
  t = await startTestServer();
  const jar = new CookieJar(t.origin);
  const { client } = browser(t, jar, { socketOptions: () => ({ ...jar.socketOptions(t.origin)(), ...SLOW_BACKOFF }) });
  await client.start();
  await client.auth.login("alice", ECHO_PASSWORD);
  await vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("connected"));
  return client;
}

/** The server restarts (cutting the transport); the client is left waiting out its back-off. */
async function restart(client: Awaited<ReturnType<typeof slowClient>>) {
  await t.down({ abrupt: true });
  await vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("connecting"));
  await t.up();
  await sleep(1_200); // time under test: past the guard that keeps a wake-up from aborting a fresh attempt
  expect(client.connection.getSnapshot().state).toBe("connecting"); // the back-off holds it
}

describe("waking up the connection", () => {
  it("reconnects at once when the browser goes back online, and again when the window regains focus", async () => {
    const client = await slowClient();
    const manager = client.socket!.io;
    expect(manager.reconnectionDelay()).toBe(20_000); // the app's own socketOptions win

    await restart(client);
    window.dispatchEvent(new Event("online"));
    await vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("connected"), { timeout: 5_000 });

    await restart(client);
    window.dispatchEvent(new Event("focus"));
    await vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("connected"), { timeout: 5_000 });
  }, 30_000);

  it("reconnects at once when the tab becomes visible again", async () => {
    const client = await slowClient();
    await restart(client);
    Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
    await vi.waitFor(() => expect(client.connection.getSnapshot().state).toBe("connected"), { timeout: 5_000 });
  }, 30_000);

  it("leaves a live connection alone", async () => {
    const client = await slowClient();
    const socket = client.socket!;
    const attempts: number[] = [];
    socket.io.on("reconnect_attempt", (n) => attempts.push(n));
    window.dispatchEvent(new Event("online"));
    window.dispatchEvent(new Event("focus"));
    await sleep(100); // time under test: nothing reconnects a while later
    expect(client.socket).toBe(socket);
    expect(socket.connected).toBe(true);
    expect(attempts).toEqual([]);
  });
});
