export type {
  Ack,
  ChatError,
  ChatMessage,
  ClientToServerEvents,
  FileInfo,
  HandshakeAuth,
  MessageRole,
  MessageStatus,
  SendMessagePayload,
  ServerToClientEvents,
  ThreadSummary,
  ThreadWithMessages,
} from "./chat-events.js";
export { httpErrorStatus } from "./error-codes.js";
export type { ChatErrorCode, HandshakeErrorCode, HttpErrorCode, OAuthErrorCode, WireErrorCode } from "./error-codes.js";
