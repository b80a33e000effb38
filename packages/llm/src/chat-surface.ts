/**
 * The part of Parlor's `Chat` and `Reply` (see the `parlor` package's app API) these helpers
 * use. Declared here, structurally, so the helpers need no runtime import of the server and a
 * test can drive them with the real `Chat` an app receives.
 */
export interface LlmReply {
  stream(text: string): Promise<void>;
  end(): Promise<void>;
}

/** A step being run: `chat.step`'s callback receives it. */
export interface LlmStep {
  stream(text: string): Promise<void> | void;
}

export interface LlmStepOptions {
  name: string;
  type: string;
  input?: unknown;
}

export interface LlmChat {
  /** Aborted when the user presses stop (or the server shuts down). */
  readonly signal: AbortSignal;
  reply(): LlmReply;
  step<T>(options: LlmStepOptions, run: (step: LlmStep) => Promise<T>): Promise<T>;
}

/** What a helper returns once the model is done (or the user stopped it). */
export interface LlmResult {
  /** The text streamed into the reply. */
  text: string;
  /** True when the user's stop ended it early; the reply keeps what was written. */
  stopped: boolean;
}
