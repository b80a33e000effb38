import type { IncomingMessage } from "node:http";
import fastifyMultipart from "@fastify/multipart";
import type { SignedFileUrl, UploadResponse } from "@parlor/protocol";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import type { ParlorConfig } from "../config/resolve-config.js";
import type { FileRow } from "../data/file-store.js";
import type { ThreadStore } from "../data/thread-store.js";
import { ParlorError } from "../errors.js";
import { idSchema } from "../http/input-schemas.js";
import { parseInput } from "../http/parse-input.js";
import { downloadHeaders, fileEtag, fullContentHeaders, partialContentHeaders, unsatisfiableRangeHeaders } from "./download-headers.js";
import type { FileService } from "./file-service.js";
import { parseRange } from "./parse-range.js";
import { isStorageFull } from "./storage-full.js";
import type { SignedFileUrls } from "./signed-file-url.js";
import type { SharedLimits } from "../limits/shared-limits.js";
import { uploadQuota } from "./upload-quota.js";

export interface FileRoutesOptions {
  config: ParlorConfig;
  files: FileService;
  threads: ThreadStore;
  signedUrls: SignedFileUrls;
  limits: SharedLimits;
}

const paramsSchema = z.object({ id: idSchema });
const uploadQuerySchema = z.object({ threadId: idSchema.optional() });
const downloadQuerySchema = z.object({
  exp: z
    .string()
    .regex(/^\d{1,12}$/)
    .transform(Number)
    .optional(),
  sig: z.string().max(64).optional(),
});

/** `POST /api/files`, `GET|HEAD /api/files/:id`, `GET /api/files/:id/signed-url`. */
export async function fileRoutes(fastify: FastifyInstance, { config, files, threads, signedUrls, limits }: FileRoutesOptions) {
  await fastify.register(fastifyMultipart, {
    throwFileSizeLimit: false,
    limits: {
      // One more byte than allowed, so the size check in FileService sees the overflow.
      fileSize: config.files.maxUploadBytes + 1,
      files: 1,
      fields: 4,
      fieldSize: 1024,
      parts: 5,
      headerPairs: 20,
    },
  });

  const { uploadsPerMinute, maxUnattached } = config.files;
  const checkUploadQuota = uploadQuota({ uploadsPerMinute, maxUnattached, limits, countUnattached: (userId) => files.countUnattached(userId) });
  fastify.post("/api/files", { preHandler: checkUploadQuota }, async function uploadFile(request, reply) {
    const userId = request.session!.userId;
    if (!request.isMultipart()) throw new ParlorError("unsupported_media_type", "Send multipart/form-data with a `file` field");
    const part = await request.file();
    if (part === undefined || part.fieldname !== "file") {
      throw new ParlorError("invalid_request", "The form needs a `file` field");
    }
    // The thread can come in the query or as a field before the file.
    const fieldThread = part.fields.threadId;
    const { threadId } = parseInput(uploadQuerySchema, {
      threadId: (request.query as { threadId?: string }).threadId ?? (fieldThread && "value" in fieldThread ? fieldThread.value : undefined),
    });
    if (threadId !== undefined && (await threads.findThread(userId, threadId)) === null) {
      part.file.resume();
      throw new ParlorError("not_found", "No such thread");
    }
    // A body that breaks off mid-form (busboy: "Part terminated early") fails the file stream
    // with a plain Error: it is the client's fault, so a 400, not a 500 with a stack trace.
    let bodyError: unknown;
    part.file.once("error", (error) => (bodyError = error));
    try {
      const row = await files.create({ userId, threadId: threadId ?? null, name: part.filename, declaredType: part.mimetype, body: part.file });
      return reply.status(201).send(files.info(row) satisfies UploadResponse);
    } catch (error) {
      await discardRest(part.file, request.raw);
      if (bodyError !== undefined && !(error instanceof ParlorError) && !isStorageFull(error)) {
        throw new ParlorError("invalid_request", "The upload ended before the form was complete", { cause: error });
      }
      throw error;
    }
  });

  fastify.get("/api/files/:id", { config: { auth: "optional" } }, async function downloadFile(request, reply) {
    const { id } = parseInput(paramsSchema, request.params);
    const { exp, sig } = parseInput(downloadQuerySchema, request.query);
    let file: FileRow | null;
    if (sig !== undefined || exp !== undefined) {
      if (sig === undefined || exp === undefined || !signedUrls.verify(id, exp, sig)) {
        throw new ParlorError("forbidden", "Invalid or expired file link");
      }
      file = await files.findById(id);
    } else {
      if (!request.session) throw new ParlorError("unauthenticated", "Log in first");
      file = await files.findOwned(request.session.userId, id);
    }
    if (file === null) throw new ParlorError("not_found", "No such file");
    return sendFile(reply, file, request.headers.range, request.headers["if-none-match"]);
  });

  fastify.get("/api/files/:id/signed-url", async function signFileUrl(request) {
    const { id } = parseInput(paramsSchema, request.params);
    const file = await files.findOwned(request.session!.userId, id);
    if (file === null) throw new ParlorError("not_found", "No such file");
    const { url, expiresAt } = signedUrls.sign(file.id);
    return { url, expiresAt: new Date(expiresAt).toISOString() } satisfies SignedFileUrl;
  });

  async function sendFile(reply: FastifyReply, file: FileRow, rangeHeader: string | undefined, ifNoneMatch: string | undefined) {
    const etag = fileEtag(file);
    const range = parseRange(rangeHeader, file.size);
    if (range === "unsatisfiable") {
      throw new ParlorError("range_not_satisfiable", "Range not satisfiable", { headers: unsatisfiableRangeHeaders(file.size) });
    }
    reply.headers(downloadHeaders(file));
    if (ifNoneMatch !== undefined && ifNoneMatch.split(",").some((tag) => tag.trim() === etag || tag.trim() === "*")) {
      return reply.status(304).send();
    }
    if (range === null) {
      reply.headers(fullContentHeaders(file.size));
      return reply.send(file.size === 0 ? "" : await files.open(file));
    }
    reply.status(206).headers(partialContentHeaders(range, file.size));
    return reply.send(await files.open(file, range));
  }
}

/**
 * Reads what is left of a failed upload and throws it away, so the request ends before the
 * error answer and the keep-alive connection is free for the next request. `resume()` is not
 * enough: the type sniffing already iterated the stream, and a stream with a `readable`
 * listener ignores `resume()`, which left the rest unread and the next request on the
 * connection stalled until the keep-alive timeout. Bounded: the multipart limit cuts the file
 * at `files.maxUploadBytes`.
 */
async function discardRest(file: AsyncIterable<unknown>, request: IncomingMessage): Promise<void> {
  try {
    for await (const _chunk of file) {
      // discarded
    }
  } catch {
    // The client went away: nothing left to read.
  }
  // The form's closing boundary may still be on its way after the file part ends: wait for
  // the whole request, so the connection is known to be clean and stays open.
  if (!request.complete && !request.destroyed) {
    await new Promise<void>((resolve) => {
      request.once("end", resolve);
      request.once("close", resolve);
      request.resume();
    });
  }
}
