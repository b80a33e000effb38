import type { RenameThreadBody, ThreadListQuery, ThreadSummary } from "@parlor/protocol";
import type { ParlorApiError } from "./api-error.js";
import { toApiError, type AuthStore } from "./auth-store.js";
import { isObject, threadListResponse, threadSummary } from "./narrow.js";
import type { SocketConnection } from "./socket-connection.js";
import { Store } from "./store.js";

export interface ThreadListOptions {
  /** Search in names and messages (the server's `q`); empty or omitted lists everything. */
  q?: string;
  /** Page size, 1–100 (the server's default is 20). */
  limit?: number;
}

export interface ThreadListState {
  /** Most recently active first. */
  threads: readonly ThreadSummary[];
  hasMore: boolean;
  isLoading: boolean;
  error: ParlorApiError | null;
}

const EMPTY: ThreadListState = { threads: [], hasMore: false, isLoading: false, error: null };

/**
 * The user's threads, a page at a time (`GET /api/threads`, cursor pagination), kept live: a
 * `thread:created` event adds the thread on top, activity in a listed thread moves it up.
 * Loads when first observed and after each login; empties on logout.
 *
 * @example
 * const list = client.createThreadList({ q: "invoice" });
 * list.subscribe(() => render(list.getSnapshot().threads));
 * await list.loadMore();
 */
export class ThreadsStore extends Store<ThreadListState> {
  private q: string;
  private readonly limit: number | undefined;
  private cursor: string | null = null;
  private generation = 0;
  private loadedEpoch: number | null = null;
  private loading: Promise<void> | null = null;
  private detach: Array<() => void> = [];

  constructor(
    private readonly auth: AuthStore,
    private readonly connection: SocketConnection,
    options: ThreadListOptions = {},
  ) {
    super(EMPTY);
    this.q = options.q?.trim() ?? "";
    this.limit = options.limit;
  }

  /** Lists with another search; reloads when it differs. */
  readonly setQuery = (q: string | undefined): void => {
    const next = q?.trim() ?? "";
    if (next === this.q) return;
    this.q = next;
    if (this.isObserved) void this.refresh();
  };

  /** Reloads the first page. */
  readonly refresh = (): Promise<void> => {
    const generation = ++this.generation;
    this.cursor = null;
    this.loading = this.loadPage(generation, null, true);
    return this.loading;
  };

  /** Appends the next page, if there is one. */
  readonly loadMore = (): Promise<void> => {
    const state = this.getSnapshot();
    if (this.loading !== null) return this.loading;
    if (!state.hasMore || this.cursor === null) return Promise.resolve();
    this.loading = this.loadPage(this.generation, this.cursor, false);
    return this.loading;
  };

  /** `PATCH /api/threads/:id` with a new name. Resolves with the renamed thread. */
  readonly rename = async (id: string, name: string): Promise<ThreadSummary> => {
    try {
      const thread = threadSummary(
        await this.auth.api.request("PATCH", `/api/threads/${encodeURIComponent(id)}`, { json: { name } satisfies RenameThreadBody }),
      );
      // Renaming makes it the most recently updated thread.
      this.setState({ threads: [thread, ...this.getSnapshot().threads.filter((t) => t.id !== id)], error: null });
      return thread;
    } catch (error) {
      throw this.fail(error);
    }
  };

  /** `DELETE /api/threads/:id`, with its messages. */
  readonly remove = async (id: string): Promise<void> => {
    try {
      await this.auth.api.request("DELETE", `/api/threads/${encodeURIComponent(id)}`);
      this.setState({ threads: this.getSnapshot().threads.filter((t) => t.id !== id), error: null });
    } catch (error) {
      throw this.fail(error);
    }
  };

  protected override onFirstSubscribe(): void {
    this.detach = [
      this.auth.subscribe(() => this.syncWithAuth()),
      this.connection.on("thread:created", (payload) => this.threadCreated(payload)),
      this.connection.on("message:new", (payload) => this.threadActive(payload)),
    ];
    this.syncWithAuth();
  }

  protected override onLastUnsubscribe(): void {
    for (const off of this.detach) off();
    this.detach = [];
  }

  /** Loads once per session; empties when logged out. */
  private syncWithAuth(): void {
    const auth = this.auth.getSnapshot();
    if (!auth.isAuthenticated) {
      this.generation++;
      this.loadedEpoch = null;
      this.cursor = null;
      this.setState(EMPTY);
      return;
    }
    if (this.loadedEpoch === this.auth.epoch) return;
    this.loadedEpoch = this.auth.epoch;
    void this.refresh();
  }

  private async loadPage(generation: number, cursor: string | null, replace: boolean): Promise<void> {
    this.setState({ isLoading: true });
    try {
      const query = { limit: this.limit, q: this.q === "" ? undefined : this.q, cursor: cursor ?? undefined } satisfies ThreadListQuery;
      const { threads: page, nextCursor } = threadListResponse(await this.auth.api.request("GET", "/api/threads", { query }));
      if (generation !== this.generation) return;
      this.cursor = nextCursor;
      const threads = replace ? page : [...this.getSnapshot().threads, ...page.filter((t) => !this.getSnapshot().threads.some((known) => known.id === t.id))];
      this.setState({ threads, hasMore: this.cursor !== null, isLoading: false, error: null });
    } catch (error) {
      if (generation === this.generation) this.setState({ isLoading: false, error: toApiError(error) });
    } finally {
      if (generation === this.generation) this.loading = null;
    }
  }

  private threadCreated(payload: unknown): void {
    if (!isObject(payload) || typeof payload.threadId !== "string" || typeof payload.name !== "string") return;
    if (!this.auth.getSnapshot().isAuthenticated) return;
    const { threadId, name } = payload;
    if (this.getSnapshot().threads.some((t) => t.id === threadId)) return;
    if (this.q !== "" && !name.toLowerCase().includes(this.q.toLowerCase())) return;
    const now = new Date().toISOString();
    this.setState({ threads: [{ id: threadId, name, createdAt: now, updatedAt: now }, ...this.getSnapshot().threads] });
  }

  /** A new message in a listed thread makes it the most recent one. */
  private threadActive(payload: unknown): void {
    if (!isObject(payload) || typeof payload.threadId !== "string") return;
    const threads = this.getSnapshot().threads;
    const index = threads.findIndex((t) => t.id === payload.threadId);
    if (index === -1) return;
    const thread = { ...threads[index]!, updatedAt: new Date().toISOString() };
    this.setState({ threads: [thread, ...threads.slice(0, index), ...threads.slice(index + 1)] });
  }

  private fail(error: unknown): ParlorApiError {
    const apiError = toApiError(error);
    this.setState({ error: apiError });
    return apiError;
  }
}
