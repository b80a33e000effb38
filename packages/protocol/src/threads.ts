/**
 * Threads and messages as the HTTP API (`/api/threads`) and the realtime events carry them.
 * The server builds them and the clients parse into them.
 */

import type { MessageAction } from "./actions.js";
import type { MessageAsk } from "./asks.js";
import type { ChatSettingValues } from "./app-info.js";
import type { MessageFeedback } from "./feedback.js";
import type { FileInfo } from "./files.js";
import type { MessageStep } from "./steps.js";

export type MessageRole = "user" | "assistant" | "system";
export type MessageStatus = "complete" | "streaming" | "error" | "stopped" | "interrupted";

export interface ChatMessage {
  id: string;
  threadId: string;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  /** ISO 8601. */
  createdAt: string;
  parentId: string | null;
  files: FileInfo[];
  /** The steps the app ran while writing this reply, in the order they started. */
  steps: MessageStep[];
  /** Buttons under the message (`reply.actions`, or the choices of an action question). */
  actions: MessageAction[];
  /** Present on a question the app asked (`chat.ask`). */
  ask?: MessageAsk;
  /** The user's thumbs up or down on an assistant reply (`PUT /api/messages/:id/feedback`); `null` when none. */
  feedback: MessageFeedback | null;
}

/** A thread without its messages: an entry of `GET /api/threads`, the answer of a rename. */
export interface ThreadSummary {
  id: string;
  name: string;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
}

/** `GET /api/threads/:id`, and the thread in a `thread:resume` acknowledgement. */
export interface ThreadWithMessages extends ThreadSummary {
  /** The visible messages: those an edit or a regeneration replaced are left out. */
  messages: ChatMessage[];
  /** The thread's chat settings: every setting the app declares, stored or default. */
  settings: ChatSettingValues;
  /** The profile the chat started with (an id of the app's `profiles`), or `null`. */
  profile: string | null;
}

/** The query of `GET /api/threads`; every parameter is optional. */
export interface ThreadListQuery {
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Page size, 1–100 (20 when left out). */
  limit?: number;
  /** Searches thread names and message text. */
  q?: string;
}

/** `GET /api/threads`: one page, most recently active first. */
export interface ThreadListResponse {
  threads: ThreadSummary[];
  /** `null` on the last page. */
  nextCursor: string | null;
}

/** The JSON body of `PATCH /api/threads/:id`; the answer is the renamed `ThreadSummary`. */
export interface RenameThreadBody {
  name: string;
}
