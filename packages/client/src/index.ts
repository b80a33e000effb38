// The public API of @parlor/client. Everything not named here is internal.

export { createParlorClient, ParlorClient } from "./parlor-client.js";
export type { ParlorClientOptions } from "./parlor-client.js";
export type { BearerAuthOptions } from "./bearer-credentials.js";
export { ClientFunctionError } from "./client-calls.js";
export type { ClientCallHandler } from "./client-calls.js";
export { ParlorApiError } from "./api-error.js";
export type { ParlorErrorCode } from "./api-error.js";
export type { AuthStore, AuthState, AuthStatus } from "./auth-store.js";
export type { AppInfoStore, AppInfoState } from "./app-info-store.js";
export type { ChatStore, ChatState, ChatStatus, ChatMessageView, SentMessage } from "./chat-store.js";
export { pendingAsk } from "./message-extras.js";
export type { ThreadsStore, ThreadListOptions, ThreadListState } from "./threads-store.js";
export type { FileSource } from "./file-source.js";
export type { FileUpload, FileUploadState, UploadOptions, XhrFactory } from "./file-upload.js";
export type { SocketConnection, ConnectionSnapshot, ConnectionState, ParlorSocket, SocketOptionsInput } from "./socket-connection.js";
export type { Listener } from "./store.js";

// The wire shapes the stores hand out, so an app needs no second import for them.
export type {
  AppFace,
  AskStatus,
  AskType,
  AppInfo,
  AuthConfig,
  ChatMessage,
  ChatProfile,
  ChatSetting,
  ChatSettingValue,
  ChatSettingValues,
  MessageFeedback,
  StarterPrompt,
  CurrentSession,
  FileInfo,
  JsonValue,
  MessageAction,
  MessageAsk,
  MessageRole,
  MessageStep,
  MessageStatus,
  OAuthProviderSummary,
  ParlorUser,
  SessionClient,
  SessionListEntry,
  SignedFileUrl,
  StepStatus,
  StepsDisplay,
  StepType,
  ThreadSummary,
  UploadResponse,
} from "@parlor/protocol";
