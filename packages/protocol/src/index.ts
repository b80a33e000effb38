// The public API of @parlor/protocol: types only, apart from the HTTP error status table.

export type {
  AuthConfig,
  CurrentSession,
  LoginResponse,
  MeResponse,
  OAuthProviderSummary,
  ParlorUser,
  PasswordLoginBody,
  SessionClient,
  SessionListEntry,
  SessionListResponse,
} from "./auth.js";
export type {
  ChatMessage,
  MessageRole,
  MessageStatus,
  RenameThreadBody,
  ThreadListQuery,
  ThreadListResponse,
  ThreadSummary,
  ThreadWithMessages,
} from "./threads.js";
export type { FileInfo, SignedFileUrl, UploadResponse } from "./files.js";
export type { ErrorBody } from "./error-body.js";
export type { Ack, ChatError, ClientToServerEvents, HandshakeAuth, SendMessagePayload, ServerToClientEvents } from "./chat-events.js";
export { httpErrorStatus } from "./error-codes.js";
export type { ChatErrorCode, HandshakeErrorCode, HttpErrorCode, OAuthErrorCode, WireErrorCode } from "./error-codes.js";
