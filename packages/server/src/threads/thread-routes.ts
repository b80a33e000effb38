import type { ChatSettingValues, RenameThreadBody, ThreadListQuery, ThreadListResponse, ThreadSummary, ThreadWithMessages } from "@parlor/protocol";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ParlorError } from "../errors.js";
import { idSchema, isStorableText, storableTextMessage } from "../http/input-schemas.js";
import { parseInput } from "../http/parse-input.js";
import type { MessageExtraStores } from "../data/message-extras.js";
import { decodeCursor, type ThreadStore } from "../data/thread-store.js";
import type { FileService } from "../files/file-service.js";
import { isStorageFull } from "../files/storage-full.js";
import { toThreadSummary } from "./thread-json.js";
import { loadThreadMessages } from "./thread-messages.js";

export interface ThreadRoutesOptions {
  threads: ThreadStore;
  /** A thread's files go with it. */
  files: FileService;
  /** A message's steps, actions and question, in thread JSON. */
  extras: MessageExtraStores;
  /** Milliseconds since the epoch; stamps `updatedAt` on rename. */
  clock: () => number;
  /** A thread's effective chat settings from its stored ones (the app's `ChatSettings.resolve`). */
  settingsOf: (stored: string | null) => ChatSettingValues;
}

/** The largest page a client may ask for with `limit`. */
export const MAX_THREAD_PAGE = 100;
/** The page size when a client does not ask. */
export const DEFAULT_THREAD_PAGE = 20;

/** A query parameter given empty (`?cursor=`) means the same as leaving it out. */
const optionalParam = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const listQuerySchema = z.object({
  cursor: optionalParam(z.string().max(200)),
  limit: optionalParam(
    z
      .string()
      .regex(/^\d{1,3}$/, `must be an integer from 1 to ${MAX_THREAD_PAGE}`)
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_THREAD_PAGE)),
  ),
  q: optionalParam(z.string().max(200).refine(isStorableText, storableTextMessage)),
}) satisfies z.ZodType<ThreadListQuery>;

const paramsSchema = z.object({ id: idSchema });

const renameSchema = z.object({
  name: z.string().trim().min(1, "must not be empty").max(255).refine(isStorableText, storableTextMessage),
}) satisfies z.ZodType<RenameThreadBody>;

/**
 * `/api/threads`: a user lists, reads, renames and deletes their own threads. Every lookup
 * is scoped to `request.session.userId`, so another user's thread id answers 404
 * `not_found`, exactly like an id that never existed. Auth and CSRF come from the
 * server-wide hooks (the routes keep the defaults: `auth: "required"`, CSRF-checked).
 *
 * @example
 * await fastify.register(threadRoutes, { threads: new ThreadStore(db), files, extras: messageExtraStores(db), clock: Date.now });
 * // GET /api/threads?limit=10&q=invoice → ThreadListResponse: { threads: ThreadSummary[], nextCursor: string | null }
 */
export async function threadRoutes(fastify: FastifyInstance, { threads, files, extras, clock, settingsOf }: ThreadRoutesOptions) {
  fastify.get("/api/threads", async function listThreads(request): Promise<ThreadListResponse> {
    const { cursor, limit, q } = parseInput(listQuerySchema, request.query);
    const after = cursor === undefined ? null : decodeCursor(cursor);
    if (cursor !== undefined && !after) throw new ParlorError("invalid_request", "cursor: not a cursor from this list");
    const page = await threads.listThreads(request.session!.userId, { limit: limit ?? DEFAULT_THREAD_PAGE, after, query: q });
    return { threads: page.threads.map(toThreadSummary), nextCursor: page.nextCursor };
  });

  fastify.get("/api/threads/:id", async function getThread(request): Promise<ThreadWithMessages> {
    const { id } = parseInput(paramsSchema, request.params);
    const thread = await threads.findThread(request.session!.userId, id);
    if (!thread) throw notFound();
    const messages = await loadThreadMessages({ threads, files, extras, clock }, thread.id);
    return { ...toThreadSummary(thread), messages, settings: settingsOf(thread.settings), profile: thread.profile };
  });

  fastify.patch("/api/threads/:id", async function renameThread(request): Promise<ThreadSummary> {
    const { id } = parseInput(paramsSchema, request.params);
    const { name } = parseInput(renameSchema, request.body);
    const thread = await threads.renameThread(request.session!.userId, id, name, clock());
    if (!thread) throw notFound();
    return toThreadSummary(thread);
  });

  fastify.delete("/api/threads/:id", async function deleteThread(request, reply) {
    const { id } = parseInput(paramsSchema, request.params);
    const userId = request.session!.userId;
    // Rows go first (the thread's file rows by cascade); the bytes follow.
    const thread = await threads.findThread(userId, id);
    if (thread === null) throw notFound();
    const attached = await files.listForThread(thread.id);
    let deleted: boolean;
    try {
      deleted = await threads.deleteThread(userId, id);
    } catch (error) {
      if (!isStorageFull(error)) throw error;
      // Deleting is how users free space, yet a database on the full disk needs room to record
      // the delete (SQLite appends it to its WAL first). The thread's bytes go anyway: free
      // them first and try once more. Should that fail too, the answer is 507.
      await files.deleteObjects(attached);
      deleted = await threads.deleteThread(userId, id);
    }
    if (!deleted) throw notFound();
    await files.deleteObjects(attached);
    return reply.status(204).send();
  });
}

/** One answer for "missing" and "not yours", so ids cannot be probed. */
function notFound(): ParlorError {
  return new ParlorError("not_found", "No such thread");
}
