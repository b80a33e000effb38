import type { CorsCheckResponse } from "@parlor/protocol";
import type { FastifyInstance } from "fastify";
import type { OriginPolicy } from "../csrf/request-origin.js";
import { ParlorError } from "../errors.js";
import { ALLOWED_ORIGINS_SETTING, crossOrigin, isCorsAllowed, shownOrigin } from "../csrf/cors-origin.js";

export interface CorsCheckRouteOptions {
  policy: OriginPolicy;
}

/**
 * `GET /auth/cors-check`: may the calling page's origin use this server? A browser hides
 * why a cross-origin request failed; this answer is readable from any origin
 * (`Access-Control-Allow-Origin: *`, never with credentials, and it reads no session), so
 * @parlor/client asks it after a bare network error and can say "this origin is not in
 * allowedOrigins" instead. It tells nothing a preflight would not.
 */
export async function corsCheckRoute(fastify: FastifyInstance, { policy }: CorsCheckRouteOptions) {
  const anyOrigin = { "access-control-allow-origin": "*" };
  fastify.get("/auth/cors-check", { config: { auth: "optional" } }, async function corsCheck(request, reply): Promise<CorsCheckResponse> {
    // For an allowed origin the CORS plugin has set its credentialed answer: replaced, since
    // this one is for everyone and `*` with credentials is refused by browsers.
    reply.headers(anyOrigin).removeHeader("access-control-allow-credentials");
    const origin = crossOrigin(request.headers, request.socket, policy);
    if (origin !== null && !isCorsAllowed(origin, policy)) {
      throw new ParlorError(
        "origin_not_allowed",
        `This origin (${shownOrigin(origin)}) is not in allowedOrigins, so the browser may not use this server from it: add it to ${ALLOWED_ORIGINS_SETTING}`,
        { headers: anyOrigin },
      );
    }
    return { origin: typeof request.headers.origin === "string" ? request.headers.origin : null, allowed: true };
  });
}
