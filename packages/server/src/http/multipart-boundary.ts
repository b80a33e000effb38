import type { preValidationHookHandler } from "fastify";
import { ParlorError } from "../errors.js";

/** A `boundary` parameter, as busboy looks for it (any case, quoted or not). */
const BOUNDARY_PARAM = /;\s*boundary\s*=\s*("[^"]+"|[^\s;"]+)/i;

/**
 * A `multipart/form-data` body without a boundary cannot be parsed: busboy throws a plain
 * `Error` from `request.file()`, which would surface as a 500 with a stack trace in the logs.
 * It is the client's mistake, so it is refused here first, as 400 `invalid_request`. A small
 * regex rather than a content-type parser: only the presence of the parameter matters.
 */
export const requireMultipartBoundary: preValidationHookHandler = function requireMultipartBoundary(request, _reply, done) {
  const type = request.headers["content-type"];
  if (typeof type === "string" && /^\s*multipart\//i.test(type) && !BOUNDARY_PARAM.test(type)) {
    return done(new ParlorError("invalid_request", "multipart/form-data needs a boundary parameter"));
  }
  done();
};
