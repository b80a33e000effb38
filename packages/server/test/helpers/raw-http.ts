import { connect, type Socket } from "node:net";

/** What came back on a raw connection: the parsed response (if any) and whether the server closed it. */
export interface RawResult {
  status: number | null;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection (rather than the test giving up waiting). */
  closedByServer: boolean;
  /** Milliseconds from connecting to the end (close or give-up). */
  elapsed: number;
}

/** Opens a TCP connection to `origin` (`http://host:port`). */
export function openSocket(origin: string): Promise<Socket> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/**
 * Collects what the server sends on `socket` until it closes the connection or `waitMs`
 * passes, and parses it as one HTTP/1.1 response. Bytes a browser or fetch would never
 * send (a raw `%`, `<`, a half-sent body) go through sockets like this.
 */
export function readUntilClosed(socket: Socket, waitMs: number): Promise<RawResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let received = "";
    const finish = (closedByServer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseResponse(received), closedByServer, elapsed: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("close", () => finish(true));
    socket.on("error", () => {});
  });
}

/** Sends `text` as is on a new connection, then reads the answer (see `readUntilClosed`). */
export async function rawRequest(origin: string, text: string, waitMs = 3000): Promise<RawResult> {
  const socket = await openSocket(origin);
  const result = readUntilClosed(socket, waitMs);
  socket.write(text);
  return result;
}

function parseResponse(text: string): Pick<RawResult, "status" | "headers" | "body"> {
  const end = text.indexOf("\r\n\r\n");
  if (!text.startsWith("HTTP/1.1 ") || end === -1) return { status: null, headers: {}, body: text };
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine!.split(" ")[1]), headers, body: text.slice(end + 4) };
}
