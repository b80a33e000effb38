import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";

/** A callback-style `onRequest` hook (never `async`: the combined hook stays synchronous when its parts do). */
export type OnRequestStep = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/** A synchronous `onSend` step: it may set headers, never replace the payload. */
export type OnSendStep = (request: FastifyRequest, reply: FastifyReply) => void;

/**
 * Several `onRequest` hooks run as one, in order, stopping at the first error. Fastify runs
 * each registered hook through its own iterator and callbacks; every request of every route
 * goes through these, so the host check, the body deadline, the security headers, the session
 * and the CSRF rule are one Fastify hook. Each step stays in the file of its concept.
 */
export function combineOnRequest(steps: readonly OnRequestStep[]): OnRequestStep {
  if (steps.length === 1) return steps[0]!;
  return function combinedOnRequest(request, reply, done) {
    let index = 0;
    const next = (error?: Error | null) => {
      if (error != null || index === steps.length) return done(error ?? undefined);
      steps[index++]!.call(this, request, reply, next);
    };
    next();
  };
}

/** Several header-setting `onSend` steps as one `onSend` hook (see `combineOnRequest`). */
export function combineOnSend(steps: readonly OnSendStep[]) {
  return function combinedOnSend(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
    for (let i = 0; i < steps.length; i++) steps[i]!(request, reply);
    done(null, payload);
  };
}
