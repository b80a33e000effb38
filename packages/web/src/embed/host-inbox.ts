import type { HostLinkEvents } from "./host-link";

export interface HostInboxState {
  /** `Parlor.sendMessage` texts not sent yet, oldest first. */
  messages: readonly string[];
  /** Whether the host shows the panel (`visibility`); hidden until it says. */
  open: boolean;
  /**
   * How many times the panel was opened. A quick open and close may reach React as one
   * update, with `open` false again; this count still says the user saw the chat meanwhile.
   */
  opened: number;
}

/**
 * What the host page told the chat, as a store React can subscribe to: the messages it wants
 * sent as the user (kept until the chat can send them: signed in, not busy) and whether the
 * panel is open.
 */
export class HostInbox implements HostLinkEvents {
  private state: HostInboxState = { messages: [], open: false, opened: 0 };
  private readonly listeners = new Set<() => void>();

  onSendMessage(text: string): void {
    this.set({ ...this.state, messages: [...this.state.messages, text] });
  }

  onVisibility(open: boolean): void {
    if (open !== this.state.open) this.set({ ...this.state, open, opened: this.state.opened + (open ? 1 : 0) });
  }

  /** Takes the oldest waiting message out of the inbox. */
  take(): string | undefined {
    const [first, ...rest] = this.state.messages;
    if (first !== undefined) this.set({ ...this.state, messages: rest });
    return first;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  readonly getSnapshot = (): HostInboxState => this.state;

  private set(next: HostInboxState): void {
    this.state = next;
    for (const listener of [...this.listeners]) listener();
  }
}
