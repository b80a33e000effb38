// The public API of @parlor/protocol: types only, apart from the HTTP error status table.

export type {
  AppFace,
  AuthConfig,
  CorsCheckResponse,
  CurrentSession,
  LoginResponse,
  MeResponse,
  OAuthProviderSummary,
  ParlorUser,
  PasswordLoginBody,
  SessionClient,
  SessionListEntry,
  SessionListResponse,
  TokenExchangeBody,
  TokenExchangeResponse,
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
export type { MessageStep, StepStatus, StepType, StepsDisplay } from "./steps.js";
export type { MessageAction, RunActionPayload } from "./actions.js";
export type { AskStatus, AskType, MessageAsk } from "./asks.js";
export type { FileInfo, SignedFileUrl, UploadResponse } from "./files.js";
export { MAX_TEXT_SETTING_LENGTH } from "./app-info.js";
export type {
  AppInfo,
  ChatProfile,
  ChatSetting,
  ChatSettingValue,
  ChatSettingValues,
  SelectSetting,
  SliderSetting,
  StarterPrompt,
  SwitchSetting,
  TextSetting,
} from "./app-info.js";
export { MAX_FEEDBACK_COMMENT_LENGTH } from "./feedback.js";
export type { FeedbackBody, FeedbackResponse, MessageFeedback } from "./feedback.js";
export type { ErrorBody } from "./error-body.js";
export type {
  Ack,
  ChatError,
  ClientCall,
  ClientCallAnswer,
  ClientToServerEvents,
  EditMessagePayload,
  HandshakeAuth,
  RegeneratePayload,
  ThreadSettingsPayload,
  SendMessagePayload,
  ServerToClientEvents,
} from "./chat-events.js";
export { httpErrorStatus } from "./error-codes.js";
export type { ChatErrorCode, HandshakeErrorCode, HttpErrorCode, OAuthErrorCode, WireErrorCode } from "./error-codes.js";
export {
  checkJsonPayload,
  EMBED_FUNCTION_NAME_PATTERN,
  EMBED_MAX_JSON_BYTES,
  EMBED_MAX_MESSAGE_BYTES,
  EMBED_MAX_TOKEN_LENGTH,
  EMBED_PROTOCOL_VERSION,
  isEmbedConnect,
  isEmbedHello,
  isFrameToHostMessage,
  isHostToFrameMessage,
  isJsonValue,
  utf8ByteLength,
  type EmbedConnect,
  type EmbedError,
  type EmbedFunctionErrorCode,
  type EmbedHello,
  type EmbedTokenErrorCode,
  type FrameToHostMessage,
  type HostToFrameMessage,
  type JsonValue,
} from "./embed-messages.js";
