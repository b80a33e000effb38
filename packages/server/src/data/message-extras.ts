import { ActionStore } from "./action-store.js";
import { AskStore } from "./ask-store.js";
import type { Database } from "./database.js";
import { StepStore } from "./step-store.js";

/** The stores of what a message carries besides its text and files: steps, actions, a question. */
export interface MessageExtraStores {
  steps: StepStore;
  actions: ActionStore;
  asks: AskStore;
}

export function messageExtraStores(db: Database): MessageExtraStores {
  return { steps: new StepStore(db), actions: new ActionStore(db), asks: new AskStore(db) };
}
