// The public API of @parlor/react. Everything not named here is internal.

export { createParlorClient, ParlorClient } from "./core/parlor-client.js";
export type { ParlorClientOptions } from "./core/parlor-client.js";
export { ParlorApiError } from "./core/api-error.js";
export type { ParlorErrorCode } from "./core/api-error.js";
export type { AuthStore, AuthState, AuthStatus, AuthConfig, ParlorUser, SessionInfo, SessionListEntry } from "./core/auth-store.js";
export type { ChatStore, ChatState, ChatStatus, ChatMessageView, SentMessage } from "./core/chat-store.js";
export type { ThreadsStore, ThreadListOptions, ThreadListState } from "./core/threads-store.js";
export type { FileUpload, FileUploadState, UploadOptions, XhrFactory } from "./core/file-upload.js";
export type { SocketConnection, ConnectionSnapshot, ConnectionState, ParlorSocket, SocketOptionsInput } from "./core/socket-connection.js";

export { ParlorProvider } from "./react/ParlorProvider.js";
export type { ParlorProviderProps } from "./react/ParlorProvider.js";
export { useParlorClient } from "./react/use-parlor-client.js";
export { useAuth } from "./react/use-auth.js";
export type { UseAuthResult } from "./react/use-auth.js";
export { useChat } from "./react/use-chat.js";
export type { UseChatResult } from "./react/use-chat.js";
export { useThreads } from "./react/use-threads.js";
export type { UseThreadsResult } from "./react/use-threads.js";
export { useFileUpload } from "./react/use-file-upload.js";
export type { UseFileUploadResult } from "./react/use-file-upload.js";

export type { ChatMessage, FileInfo, MessageRole, MessageStatus, ThreadSummary } from "@parlor/protocol";
