export { defineApp, isParlorApp } from "./app/define-app.js";
export type {
  ActionDefinition,
  ActionOptions,
  AppDefinition,
  AskAction,
  AskFile,
  AskOptions,
  AskText,
  Chat,
  ChosenAction,
  ClientCallOptions,
  IncomingMessage,
  MessageFile,
  ParlorApp,
  Reply,
  ReplyAttachment,
  RunningAction,
  Step,
  StepOptions,
} from "./app/define-app.js";
// The JSON values `chat.callClient` and `chat.step` take, named here so apps need not import the protocol package.
export type { JsonValue } from "@parlor/protocol";
export type { AppUiOptions, WelcomeUser } from "./app/app-ui.js";
export type { ChatSettingDefinition } from "./app/chat-settings.js";
export type { FeedbackEvent } from "./app/feedback-event.js";
export type { ChatProfile, ChatSettingValue, ChatSettingValues, StarterPrompt } from "@parlor/protocol";
export type { AppAuth, AppUser, EmbedAppUser, EmbedClaims, PasswordCredentials, RequestHeaders } from "./auth/login-callbacks.js";
export { ClientCallError } from "./chat/client-call.js";
export type { ClientCallErrorCode } from "./chat/client-call.js";
export type { EmbedOptions } from "./config/embeds.js";
export type { AppOAuth, OAuthCallback, OAuthErrorCode, OAuthProfile, OAuthProviderInfo, OAuthTokens } from "./auth/oauth/oauth-types.js";
export type { OAuthProviderConfig, OAuthProviderType } from "./config/oauth-provider-options.js";
export { createServer } from "./server/create-server.js";
export type { CreateServerOptions, LogStream, ParlorServer } from "./server/create-server.js";
export { startServer } from "./server/start-server.js";
export type { ServerOptions } from "./config/server-options.js";
export { resolveConfig, resolveDatabaseConfig } from "./config/resolve-config.js";
export type { ParlorConfig, RedisConfig } from "./config/resolve-config.js";
export { RedisStartupError } from "./cluster/redis-startup-error.js";
export type { RedisStartupErrorCode } from "./cluster/redis-startup-error.js";
export type { ReadinessBody, ReadinessCheckResult } from "./server/readiness.js";
export { createSecret, secretWeakness } from "./config/auth-secret.js";
export { isLoopback } from "./config/loopback.js";
export { urlWithoutPassword } from "./config/url-without-password.js";
export { environmentVariables } from "./config/env-options.js";
export { hashPassword, verifyPassword, verifyUserPassword } from "./auth/password-hash.js";
export { openDatabase } from "./data/database.js";
// What start-up does before listening, for tools that check a deployment (`parlor doctor`).
export { waitForDatabase } from "./data/wait-for-database.js";
export { connectRedis } from "./cluster/connect-redis.js";
export { createFileStorage } from "./files/create-file-storage.js";
export { migrateToLatest } from "./data/migrate.js";
export { ParlorError, ParlorConfigError, errorStatus } from "./errors.js";
export type { ErrorCode, ErrorBody } from "./errors.js";
