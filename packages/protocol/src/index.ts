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
export { checkJsonPayload, EMBED_FUNCTION_NAME_PATTERN, EMBED_MAX_JSON_BYTES, EMBED_MAX_MESSAGE_BYTES, EMBED_MAX_TOKEN_LENGTH, EMBED_PROTOCOL_VERSION, isEmbedConnect, isEmbedHello, isFrameToHostMessage, isHostToFrameMessage, isJsonValue, utf8ByteLength, type EmbedConnect, type EmbedError, type EmbedFunctionErrorCode, type EmbedHello, type EmbedTokenErrorCode, type FrameToHostMessage, type HostToFrameMessage, type JsonValue } from "./embed-messages.js";
