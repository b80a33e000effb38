import { z } from "zod";
import type { LoginMethod, UserInput } from "../../data/user-store.js";
import { InvalidAppUserError } from "../finish-login.js";
import type { AppAuth, EmbedClaims } from "../login-callbacks.js";
import { HostTokenError } from "./host-token.js";

const mappedUserSchema = z.object({
  identifier: z.string().trim().min(1).max(255),
  displayName: z.string().max(255).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  method: z.union([z.literal("password"), z.literal("header"), z.templateLiteral(["oauth:", z.string().min(1)])]).optional(),
});

/**
 * Who a verified host token logs in as. Without `auth.embed`: the user `embed:<id>:<sub>`
 * of login method `embed:<id>`, apart from every other user (users are unique per method and
 * identifier). With it: the app's answer, one of its own users of `method` (or of its only
 * login method), or a refusal.
 */
export function embedUserResolver(auth: AppAuth, oauthProviderIds: readonly string[]) {
  const methods: LoginMethod[] = [
    ...(auth.password ? ["password" as const] : []),
    ...(auth.header ? ["header" as const] : []),
    ...(auth.oauth ? oauthProviderIds.map((id) => `oauth:${id}` as const) : []),
  ];

  return async function embedUser(claims: EmbedClaims, embedId: string): Promise<UserInput> {
    const mapUser = auth.embed;
    if (mapUser === undefined) {
      return {
        method: `embed:${embedId}`,
        identifier: `embed:${embedId}:${claims.sub}`,
        displayName: claims.name,
        ...(claims.email === undefined ? {} : { metadata: { email: claims.email } }),
      };
    }
    const answer = await mapUser(claims, embedId);
    if (answer === null || answer === undefined) throw new HostTokenError("The app's auth.embed refused this user");
    const checked = mappedUserSchema.safeParse(answer);
    if (!checked.success) {
      throw new InvalidAppUserError(`The app's auth.embed callback returned an invalid user: ${checked.error.issues[0]?.message}`);
    }
    const { method = methods.length === 1 ? methods[0] : undefined, ...user } = checked.data;
    if (method === undefined || !methods.includes(method)) {
      throw new InvalidAppUserError(`The app's auth.embed callback must return a method among the app's login methods (${methods.join(", ") || "none"})`);
    }
    return { ...user, method };
  };
}
