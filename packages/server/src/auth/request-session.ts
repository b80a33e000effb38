import type { SessionPrincipal } from "./session-service.js";

/**
 * Route-level policy, read by the auth and CSRF hooks. Every route is `auth: "required"`
 * and CSRF-checked unless it says otherwise, so forgetting a setting fails closed.
 */
export interface ParlorRouteConfig {
  /** `required` (default): no valid session → 401. `optional`: the route decides. */
  auth?: "required" | "optional";
  /**
   * `session` (default): unsafe methods with cookie auth need same-origin Fetch Metadata and
   * a CSRF token. `pre-session`: only the same-origin rule (login endpoints, which have no
   * session yet).
   */
  csrf?: "session" | "pre-session";
}

declare module "fastify" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging: an interface is the only way to extend Fastify's
  interface FastifyContextConfig extends ParlorRouteConfig {}

  interface FastifyRequest {
    /** The authenticated session, or `null`. Set before any handler runs. */
    session: SessionPrincipal | null;
    /** How `session` was proven: `cookie` needs CSRF checks on unsafe methods, `bearer` does not. */
    authMethod: "cookie" | "bearer" | null;
  }
}
