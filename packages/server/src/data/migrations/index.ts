import type { Migration } from "kysely";
import { usersAndSessions } from "./0001-users-and-sessions.js";
import { threadsAndMessages } from "./0002-threads-and-messages.js";
import { files } from "./0003-files.js";
import { sessionProviderTokens } from "./0004-session-provider-tokens.js";
import { replyOwnership } from "./0005-reply-ownership.js";
import { userIdentities } from "./0006-user-identities.js";
import { embeds } from "./0007-embeds.js";
import { stepsActionsAsks } from "./0008-steps-actions-asks.js";
import { feedbackSettingsEdits } from "./0009-feedback-settings-edits.js";

/**
 * Every migration, in order. Names sort by their number; a released migration is never
 * edited, only followed by a new one. Each one runs unchanged on SQLite and PostgreSQL.
 */
export const migrations: Record<string, Migration> = {
  "0001-users-and-sessions": usersAndSessions,
  "0002-threads-and-messages": threadsAndMessages,
  "0003-files": files,
  "0004-session-provider-tokens": sessionProviderTokens,
  "0005-reply-ownership": replyOwnership,
  "0006-user-identities": userIdentities,
  "0007-embeds": embeds,
  "0008-steps-actions-asks": stepsActionsAsks,
  "0009-feedback-settings-edits": feedbackSettingsEdits,
};
