import type { FrameToHostMessage, HostToFrameMessage } from "@parlor/protocol";
import { FrameChannel } from "./frame-channel.js";
import type { FunctionRegistry } from "./function-registry.js";
import { Launcher } from "./launcher.js";
import { embedUrl, type ResolvedOptions } from "./mount-options.js";
import { fetchHostToken } from "./token-relay.js";

/** One mounted widget: the launcher UI, the channel to its iframe, and what answers the iframe. */
export class MountedWidget {
  readonly launcher: Launcher;
  readonly #channel: FrameChannel;
  #destroyed = false;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly functions: FunctionRegistry,
  ) {
    this.launcher = new Launcher({
      container: options.container,
      frameUrl: embedUrl(options),
      theme: options.theme,
      open: options.open,
      onOpenChange: (open) => this.#channel.send({ type: "visibility", open }),
    });
    this.#channel = new FrameChannel(this.launcher.iframe, options.serverOrigin, {
      onMessage: (message) => this.#onMessage(message),
      onConnect: () => this.#channel.send({ type: "visibility", open: this.launcher.isOpen }),
    });
  }

  send(message: HostToFrameMessage): void {
    this.#channel.send(message);
  }

  destroy(): void {
    this.#destroyed = true;
    this.#channel.close();
    this.launcher.destroy();
  }

  #onMessage(message: FrameToHostMessage): void {
    switch (message.type) {
      case "token-request":
        void fetchHostToken(this.options.getToken).then((outcome) => {
          if (this.#destroyed) return;
          this.#channel.send(
            outcome.ok
              ? { type: "token", requestId: message.requestId, token: outcome.token }
              : { type: "token-error", requestId: message.requestId, error: outcome.error },
          );
        });
        return;
      case "function-call":
        void this.functions.call(message.name, message.args).then((outcome) => {
          if (!this.#destroyed) this.#channel.send({ type: "function-result", callId: message.callId, ...outcome });
        });
        return;
      case "close":
        this.launcher.close();
        return;
      case "unread":
        this.launcher.setUnread(message.count);
        return;
    }
  }
}
