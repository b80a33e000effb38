import type { SessionListResponse } from "@parlor/protocol";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ParlorConfig } from "../config/resolve-config.js";
import { ParlorError } from "../errors.js";
import { idSchema } from "../http/input-schemas.js";
import { parseInput } from "../http/parse-input.js";
import type { SessionService } from "./session-service.js";
import { SessionCookies } from "./cookies.js";

export interface SessionRoutesOptions {
  config: ParlorConfig;
  sessions: SessionService;
}

const paramsSchema = z.object({ id: idSchema });

/** `/auth/sessions`: a user lists their sessions and revokes one or all of them. */
export async function sessionRoutes(fastify: FastifyInstance, { config, sessions }: SessionRoutesOptions) {
  const cookies = new SessionCookies(config.cookie, config.embeds);
  fastify.get("/auth/sessions", async function listSessions(request): Promise<SessionListResponse> {
    const current = request.session!;
    const list = await sessions.list(current.userId);
    return {
      sessions: list.map((session) => ({
        id: session.id,
        client: session.client,
        current: session.id === current.sessionId,
        createdAt: new Date(session.createdAt).toISOString(),
        lastSeenAt: new Date(session.lastSeenAt).toISOString(),
        expiresAt: new Date(session.expiresAt).toISOString(),
        userAgent: session.userAgent,
        ip: session.ip,
        ...(session.embedId === null ? {} : { embed: session.embedId }),
      })),
    };
  });

  fastify.delete("/auth/sessions/:id", async function revokeSession(request, reply) {
    const { id } = parseInput(paramsSchema, request.params);
    const current = request.session!;
    // Scoped to the user: another user's session id is "not found", exactly like a made-up one.
    const revoked = await sessions.revoke(current.userId, id);
    if (revoked.length === 0) throw new ParlorError("not_found", "No such session");
    if (id === current.sessionId) cookies.of(current).clear(reply);
    return reply.status(204).send();
  });

  fastify.delete("/auth/sessions", async function revokeAllSessions(request, reply) {
    await sessions.revoke(request.session!.userId);
    cookies.of(request.session!).clear(reply);
    return reply.status(204).send();
  });
}
