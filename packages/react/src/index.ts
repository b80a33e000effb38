// The public API of @parlor/react: the provider and the hooks, plus what a React app needs
// beside them from @parlor/client (the client, its error, the types the hooks hand out), so
// one import covers the common case. The stores and the connection (`AuthStore`,
// `ChatStore`, `SocketConnection`, …) are imported from @parlor/client.

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
export { useFileSource } from "./react/use-file-source.js";
export { useAppInfo } from "./react/use-app-info.js";
export type { UseAppInfoResult } from "./react/use-app-info.js";
export type { UseFileSourceResult } from "./react/use-file-source.js";

export { ClientFunctionError, createParlorClient, ParlorApiError, ParlorClient, pendingAsk } from "@parlor/client";
export type {
  AppFace,
  AppInfo,
  AppInfoState,
  AuthConfig,
  AuthStatus,
  ChatProfile,
  ChatSetting,
  ChatSettingValue,
  ChatSettingValues,
  MessageFeedback,
  StarterPrompt,
  BearerAuthOptions,
  ClientCallHandler,
  ChatMessage,
  ChatMessageView,
  ChatStatus,
  ConnectionState,
  CurrentSession,
  FileInfo,
  FileSource,
  MessageAction,
  MessageAsk,
  MessageRole,
  MessageStatus,
  MessageStep,
  ParlorClientOptions,
  ParlorErrorCode,
  ParlorUser,
  SentMessage,
  SessionListEntry,
  SignedFileUrl,
  StepsDisplay,
  ThreadListOptions,
  ThreadSummary,
  UploadOptions,
} from "@parlor/client";
