import {
  EMBED_PROTOCOL_VERSION,
  isEmbedHello,
  isFrameToHostMessage,
  type EmbedConnect,
  type FrameToHostMessage,
  type HostToFrameMessage,
} from "@parlor/protocol";

/** Messages for a frame that has not said hello yet; past this, the oldest are dropped. */
const MAX_QUEUED = 50;

/**
 * The loader's end of the conversation with its chat iframe.
 *
 * On `window`, it listens for one thing: `parlor:hello` whose `event.source` is this iframe's
 * window and whose `event.origin` is the server's origin. Anything else (another frame, another
 * origin, a page script) is ignored. It then opens a `MessageChannel` and transfers one port to
 * the iframe, posted to the server's exact origin. From then on both sides talk over the port,
 * which no other window holds, so nothing else can inject or read a message.
 *
 * A second hello means the iframe reloaded (its port died with its document): the old port is
 * closed and a new channel opened.
 */
export class FrameChannel {
  #port: MessagePort | null = null;
  #queue: HostToFrameMessage[] = [];
  #closed = false;

  constructor(
    private readonly iframe: HTMLIFrameElement,
    private readonly serverOrigin: string,
    private readonly handlers: {
      onMessage: (message: FrameToHostMessage) => void;
      /** A (new) channel is open: the place to tell the frame the current state. */
      onConnect: () => void;
    },
  ) {
    window.addEventListener("message", this.#onWindowMessage);
  }

  get connected(): boolean {
    return this.#port !== null;
  }

  /** Sends now, or when the frame has said hello. */
  send(message: HostToFrameMessage): void {
    if (this.#closed) return;
    if (this.#port !== null) {
      this.#port.postMessage(message);
      return;
    }
    this.#queue.push(message);
    if (this.#queue.length > MAX_QUEUED) this.#queue.shift();
  }

  close(): void {
    this.#closed = true;
    window.removeEventListener("message", this.#onWindowMessage);
    this.#port?.close();
    this.#port = null;
    this.#queue = [];
  }

  readonly #onWindowMessage = (event: MessageEvent): void => {
    const frameWindow = this.iframe.contentWindow;
    if (frameWindow === null || event.source !== frameWindow || event.origin !== this.serverOrigin) return;
    if (!isEmbedHello(event.data)) return;

    this.#port?.close();
    const channel = new MessageChannel();
    channel.port1.onmessage = (portEvent: MessageEvent) => {
      // The iframe is trusted to be Parlor's, but a message is still checked before it is used.
      if (isFrameToHostMessage(portEvent.data)) this.handlers.onMessage(portEvent.data);
    };
    const connect: EmbedConnect = { type: "parlor:connect", version: EMBED_PROTOCOL_VERSION };
    frameWindow.postMessage(connect, this.serverOrigin, [channel.port2]);
    this.#port = channel.port1;

    const queued = this.#queue;
    this.#queue = [];
    for (const message of queued) this.#port.postMessage(message);
    this.handlers.onConnect();
  };
}
