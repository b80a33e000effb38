/**
 * Steps: the work an app shows beside a reply (a tool call, a retrieval, a chain of thought),
 * streamed live (`step:start`, `step:delta`, `step:end`) and stored with the reply's message.
 */

/** What kind of work a step is; the web UI words its summary after it ("Used search"). */
export type StepType = "tool" | "retrieval" | "llm" | "reasoning" | "run";

/**
 * `running` until its callback returns (`complete`) or throws (`error`); `stopped` or
 * `interrupted` when its reply was cut short.
 */
export type StepStatus = "running" | "complete" | "error" | "stopped" | "interrupted";

/** One step of a message, in thread JSON and in `step:start`. */
export interface MessageStep {
  id: string;
  /** The step it runs inside, `null` at the top level. */
  parentId: string | null;
  name: string;
  type: StepType;
  input: string;
  /** The text the step streamed, or what its callback returned. */
  output: string;
  status: StepStatus;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601; `null` while running. */
  endedAt: string | null;
}

/** How the web UI shows steps (`defineApp({ ui: { steps } })`): `collapsed` by default. */
export type StepsDisplay = "collapsed" | "expanded" | "hidden";
