/**
 * Actions: buttons under an assistant message. The client sees an id, a name and a label;
 * the payload the app attached stays on the server.
 */

/** An action of a message, in thread JSON and in `message:actions`. */
export interface MessageAction {
  id: string;
  name: string;
  label: string;
  /** The action ran and cannot run again (it was `once`, or it answered a question). */
  used?: true;
}

/** `action:run`: runs one of the user's actions (or answers an action question). */
export interface RunActionPayload {
  messageId: string;
  actionId: string;
}
