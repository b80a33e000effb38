export type {
  Ack,
  ChatError,
  ChatErrorCode,
  ChatMessage,
  ClientToServerEvents,
  HandshakeAuth,
  MessageRole,
  MessageStatus,
  SendMessagePayload,
  ServerToClientEvents,
  ThreadSummary,
  ThreadWithMessages,
} from "./chat-events.js";
