import { echoApp, EventLog, request, startTestServer, type TestServer } from "@parlor/test-support";
import type { IncomingMessage, Chat } from "parlor";

/** A Parlor server on loopback whose `onMessage` is the test's, and a logged-in socket. */
export async function serverWith(onMessage: (message: IncomingMessage, chat: Chat) => Promise<void>) {
  const t: TestServer = await startTestServer({ app: echoApp({ onMessage }) });
  const user = await t.loggedIn("ada");
  const socket = await t.connect(user);
  const log = new EventLog(socket);
  return {
    t,
    user,
    log,
    socket,
    /** Sends a message and waits for its reply to end; returns the stored thread. */
    async chat(content: string) {
      const { threadId } = await request(socket, "message:send", { content });
      await log.waitFor((e) => e.event === "message:end" && e.data.threadId === threadId, 10_000);
      return { threadId, thread: (await user.get(`/api/threads/${threadId}`)).body };
    },
  };
}
