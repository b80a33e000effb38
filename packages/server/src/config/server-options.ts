import { z } from "zod";

const seconds = z.number().int().positive();
const origin = z
  .string()
  .url()
  .transform((value) => new URL(value).origin);

/** A host as in the `Host` header: name or address, optional port; stored lower-case, default ports dropped. */
const hostName = z
  .string()
  .trim()
  .refine((value) => /^[^\s/?#@]+$/.test(value) && URL.canParse(`http://${value}`), "a host like chat.example.com or 10.0.0.5:8000")
  .transform((value) => new URL(`http://${value}`).host);

/**
 * Every server setting with its default, in one place. Durations are in seconds.
 * Environment variables (see `env-options.ts`) override what the app sets.
 */
export const serverOptionsSchema = z
  .object({
    /** TCP port to listen on. Env `PORT`. */
    port: z.number().int().min(0).max(65535).default(8000),
    /** Address to listen on. Env `HOST`. */
    host: z.string().min(1).default("localhost"),
    /**
     * The URL users open, e.g. `https://chat.example.com`. Decides cookie security and the
     * app's own origin for CSRF checks. Its path, if any (`https://example.com/chat/`), is the
     * prefix everything is served under: routes, socket.io, the web UI, file URLs; a proxy in
     * front forwards that path unchanged (docs/path-prefix.md). Env `PARLOR_PUBLIC_URL`;
     * default `http://localhost:<port>`.
     */
    publicUrl: z.string().url().optional(),
    /** Folder for the SQLite file, uploaded files and the development secret. Env `PARLOR_DATA_DIR`. */
    dataDir: z.string().min(1).default(".parlor"),
    /** `postgres://…` for PostgreSQL; default SQLite in `dataDir`. Env `PARLOR_DATABASE_URL`. */
    databaseUrl: z.string().min(1).optional(),
    /** Connections to PostgreSQL (SQLite ignores these). */
    database: z
      .object({
        /**
         * Most connections the pool opens. 20: Parlor's queries are short (one row, one page),
         * and at 10 a burst of 500 clients left 60–200 queries waiting for a connection; 20
         * stays far below PostgreSQL's default `max_connections` of 100, leaving room for a
         * second process, `parlor migrate` and an admin. Env `PARLOR_DATABASE_POOL_SIZE`.
         */
        poolSize: z.number().int().positive().max(10_000).default(20),
        /**
         * Longest wait for a connection, seconds: opening one, or a free one from a full pool.
         * Past it the request is answered 503 `unavailable` instead of hanging.
         * Env `PARLOR_DATABASE_CONNECT_TIMEOUT`.
         */
        connectTimeout: seconds.default(5),
        /**
         * How long start-up waits for the database to accept connections (a database that
         * starts next to Parlor, e.g. in Compose), seconds; 0 tries once.
         * Env `PARLOR_DATABASE_STARTUP_TIMEOUT`.
         */
        startupTimeout: z.number().int().min(0).default(30),
      })
      .prefault({}),
    /**
     * Redis, for running several nodes of one app (see "Several nodes" in the README): socket.io
     * events and revocations reach every node through it. Needs PostgreSQL.
     */
    redis: z
      .object({
        /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Env `PARLOR_REDIS_URL`. */
        url: z
          .string()
          .regex(/^rediss?:\/\/[^\s]+$/, "a URL like redis://host:6379 or rediss://…")
          .optional(),
        /**
         * Prefix of every channel and key Parlor uses, so several apps (or test runs) can share
         * one Redis. Default: `parlor:` and a hash of the app id. Env `PARLOR_REDIS_PREFIX`.
         */
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9:_.-]{1,100}$/, "letters, digits and : _ . - (at most 100)")
          .optional(),
        /**
         * How long start-up waits for Redis to accept connections, seconds; 0 tries once.
         * A refused password fails at once. Env `PARLOR_REDIS_STARTUP_TIMEOUT`.
         */
        startupTimeout: z.number().int().min(0).default(30),
      })
      .prefault({}),
    /** Signs session tokens and CSRF tokens; ≥ 32 bytes. Env `PARLOR_AUTH_SECRET`. */
    authSecret: z.string().optional(),
    /** The secret before the last rotation: still verifies, never signs. Env `PARLOR_AUTH_SECRET_PREVIOUS`. */
    authSecretPrevious: z.string().optional(),
    /** `NODE_ENV=production`: refuses weak secrets and the demo defaults. */
    production: z.boolean().default(false),
    /** Addresses or CIDR ranges of reverse proxies allowed to use header login. Env `PARLOR_TRUSTED_PROXIES`. */
    trustedProxies: z.array(z.string().min(1)).default([]),
    /** Other origins allowed to make credentialed requests (besides the app's own). Env `PARLOR_ALLOWED_ORIGINS`. */
    allowedOrigins: z.array(origin).default([]),
    /**
     * Other `Host` values served besides the public URL's host, e.g. `chat.internal:8000`.
     * Any other host is refused (DNS rebinding). Env `PARLOR_ALLOWED_HOSTS` (comma-separated).
     */
    allowedHosts: z.array(hostName).default([]),
    /**
     * Names this deployment in every signed value (session tokens' `aud`, and the key
     * derivation of tokens, CSRF tokens, signed file URLs and the OAuth flow cookie), so two
     * apps sharing a secret refuse each other's. Default: app name + public URL; set it when
     * the URL may change. Env `PARLOR_APP_ID`.
     */
    appId: z.string().trim().min(1).max(200).optional(),
    session: z
      .object({
        /** Lifetime of the JWT in the cookie. Env `PARLOR_SESSION_TOKEN_TTL`. */
        tokenTtl: seconds.default(15 * 60),
        /** A session ends this long after login, whatever happens. Env `PARLOR_SESSION_MAX_AGE`. */
        maxAge: seconds.default(15 * 24 * 3600),
        /** A session ends after this long without a request. Env `PARLOR_SESSION_IDLE_TIMEOUT`. */
        idleTimeout: seconds.default(7 * 24 * 3600),
        /** Overrides the derived cookie name (the `__Host-` prefix is still added when Secure). Env `PARLOR_COOKIE_NAME`. */
        cookieName: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, '-' and '_' only")
          .optional(),
        /** Env `PARLOR_COOKIE_SAMESITE`. `none` forces Secure. */
        sameSite: z.enum(["lax", "strict", "none"]).default("lax"),
      })
      .prefault({}),
    csrf: z
      .object({
        /** Accept `Sec-Fetch-Site: same-site` (sibling subdomains). Env `PARLOR_CSRF_ALLOW_SAME_SITE`. */
        allowSameSite: z.boolean().default(false),
      })
      .prefault({}),
    loginRateLimit: z
      .object({
        /**
         * Login attempts per window from one client address, and failed attempts per window at
         * one username from one address (over either: 429). Env `PARLOR_LOGIN_RATE_LIMIT`.
         */
        max: z.number().int().positive().default(10),
        /** The window `max` and `slowdownAfter` count over, seconds. Env `PARLOR_LOGIN_RATE_LIMIT_WINDOW`. */
        window: seconds.default(5 * 60),
        /**
         * Failed attempts at one username, from any address, within the window, after which each
         * attempt at it is slowed (never refused). Env `PARLOR_LOGIN_SLOWDOWN_AFTER`.
         */
        slowdownAfter: z.number().int().min(0).default(10),
        /** Longest slowdown of one attempt, seconds; 0 turns slowing off. Env `PARLOR_LOGIN_MAX_DELAY`. */
        maxDelay: z.number().int().min(0).max(60).default(5),
      })
      .prefault({}),
    chat: z
      .object({
        /** Largest user message, in bytes of UTF-8. Env `PARLOR_CHAT_MAX_MESSAGE_BYTES`. */
        maxMessageBytes: z
          .number()
          .int()
          .positive()
          .default(64 * 1024),
        /**
         * Socket events allowed per second, on average, per user: all of a user's sockets in
         * this process share one bucket (and with several nodes, a count in Redis over all of
         * them). Env `PARLOR_CHAT_EVENTS_PER_SECOND`.
         */
        eventsPerSecond: z.number().positive().default(5),
        /**
         * Events a user may send in a burst before the per-second rate applies. Room for every
         * open tab to resume its thread at once after a reconnect. Env `PARLOR_CHAT_EVENT_BURST`.
         */
        eventBurst: z.number().int().positive().default(20),
        /** Open sockets per session (tabs of one browser); more are refused. Env `PARLOR_CHAT_MAX_SOCKETS_PER_SESSION`. */
        maxSocketsPerSession: z.number().int().positive().default(10),
        /** Open sockets per user, over all their sessions (and all nodes). Env `PARLOR_CHAT_MAX_SOCKETS_PER_USER`. */
        maxSocketsPerUser: z.number().int().positive().default(30),
        /**
         * Replies (`onMessage` runs) one user may have running at once, across threads, sockets
         * and nodes; one more is refused with `rate_limited`. Env `PARLOR_CHAT_MAX_RUNS_PER_USER`.
         */
        maxRunsPerUser: z.number().int().positive().default(4),
        /**
         * How often this process tells the database it is alive, seconds. A streaming reply whose
         * process has not done so for 3 intervals is marked `interrupted` by any process on the
         * database. Env `PARLOR_CHAT_HEARTBEAT_INTERVAL`.
         */
        heartbeatInterval: z.number().positive().default(5),
      })
      .prefault({}),
    realtime: z
      .object({
        /**
         * socket.io handshakes per client IP per minute, counted before any other check. A
         * reload costs one and a reconnecting client (1 to 5 s back-off) about 20, so only a
         * flood or a large NAT reaches it. Env `PARLOR_REALTIME_HANDSHAKES_PER_MINUTE`.
         */
        handshakesPerMinute: z.number().int().positive().default(120),
        /**
         * Seconds a new connection may stay open without joining (socket.io's `connectTimeout`,
         * 45 by default there). A client joins right after the handshake. Env `PARLOR_REALTIME_CONNECT_TIMEOUT`.
         */
        connectTimeout: seconds.default(10),
      })
      .prefault({}),
    files: z
      .object({
        /** Largest upload, in bytes, enforced while streaming. Env `PARLOR_FILES_MAX_BYTES`. */
        maxUploadBytes: z
          .number()
          .int()
          .positive()
          .default(20 * 1024 * 1024),
        /**
         * Accepted types of uploads, by the type sniffed from the bytes: exact (`application/pdf`)
         * or with a wildcard (`image/*`, `*\/*`). Env `PARLOR_FILES_ACCEPT` (comma-separated).
         */
        accept: z.array(z.string().regex(/^(\*|[\w.+-]+)\/(\*|[\w.+-]+)$/, "a type like image/png or image/*")).default(["*/*"]),
        /** Lifetime of signed download URLs, seconds. Env `PARLOR_FILES_SIGNED_URL_TTL`. */
        signedUrlTtl: z
          .number()
          .int()
          .positive()
          .default(5 * 60),
        /** Uploads never attached to a message are deleted after this long, seconds. Env `PARLOR_FILES_ORPHAN_TTL`. */
        orphanTtl: z
          .number()
          .int()
          .positive()
          .default(24 * 3600),
        /** Uploads per user per minute; more get 429. Env `PARLOR_FILES_UPLOADS_PER_MINUTE`. */
        uploadsPerMinute: z.number().int().positive().default(30),
        /**
         * Uploads a user may hold that are not attached to a message yet; more get 429 until
         * some are sent or swept. Env `PARLOR_FILES_MAX_UNATTACHED`.
         */
        maxUnattached: z.number().int().positive().default(50),
        /** `local` (under dataDir/files) or `s3`. Env `PARLOR_FILES_STORAGE`. */
        storage: z.enum(["local", "s3"]).default("local"),
        /** For `s3`; credentials come from the AWS SDK's usual chain (AWS_ACCESS_KEY_ID, roles, …). */
        s3: z
          .object({
            /** The bucket, which must exist; required for `s3`. Env `PARLOR_S3_BUCKET`. */
            bucket: z.string().min(1).optional(),
            /** The bucket's region. Env `PARLOR_S3_REGION`. */
            region: z.string().min(1).default("us-east-1"),
            /** For S3-compatible services (MinIO, R2, …). Env `PARLOR_S3_ENDPOINT`. */
            endpoint: z.string().url().optional(),
            /** Path-style URLs, needed by most S3-compatible services. Env `PARLOR_S3_FORCE_PATH_STYLE`. */
            forcePathStyle: z.boolean().default(false),
            /** Key prefix inside the bucket. Env `PARLOR_S3_PREFIX`. */
            prefix: z.string().default(""),
          })
          .prefault({}),
      })
      .prefault({}),
    http: z
      .object({
        /**
         * A request's headers must arrive within this long (slowloris). Env `PARLOR_HTTP_HEADERS_TIMEOUT`.
         */
        headersTimeout: seconds.default(10),
        /**
         * A request's body must arrive within this long after its headers, except uploads.
         * Env `PARLOR_HTTP_REQUEST_TIMEOUT`.
         */
        requestTimeout: seconds.default(30),
        /**
         * The same for `multipart/form-data` bodies (uploads), which can be large on slow links.
         * Env `PARLOR_HTTP_UPLOAD_TIMEOUT`.
         */
        uploadTimeout: seconds.default(15 * 60),
        /**
         * An idle keep-alive connection is closed after this long. Above the idle timeout of any
         * load balancer in front (60 s for AWS ALB). Env `PARLOR_HTTP_KEEP_ALIVE_TIMEOUT`.
         */
        keepAliveTimeout: seconds.default(72),
      })
      .prefault({}),
    /**
     * Folder of the built web UI to serve at `/`; default: `@parlor/web`'s build when it is
     * installed; `false` serves no UI (API only). Env `PARLOR_WEB_ROOT`.
     */
    webRoot: z.union([z.string().min(1), z.literal(false)]).optional(),
    /**
     * On shutdown (SIGTERM/SIGINT, `server.close()`), how long running replies and requests may
     * take to finish, seconds; then replies are stored `interrupted` and connections are closed.
     * Env `PARLOR_SHUTDOWN_GRACE`.
     */
    shutdownGrace: z.number().min(0).default(10),
    /**
     * On shutdown, seconds the node keeps listening before it closes its port, answering
     * `/readyz` 503 `draining` (and refusing new sockets and messages) so a load balancer that
     * probes it takes it out first; counted within `shutdownGrace`. `0` (the default) closes the
     * port at once, which a balancer that only sees refused connections (nginx) handles best.
     * Env `PARLOR_SHUTDOWN_READINESS_WINDOW`.
     */
    shutdownReadinessWindow: z.number().min(0).default(0),
    /** Largest request body accepted, in bytes. */
    bodyLimit: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    /**
     * Sites that embed the chat with `widget.js`, by embedding id: `{ shop: { secret, origins, cookie? } }`.
     * Env `PARLOR_EMBED_<ID>_SECRET`, `PARLOR_EMBED_<ID>_ORIGINS` and `PARLOR_EMBED_<ID>_COOKIE`; checked in `packages/server/src/config/embeds.ts`.
     */
    embeds: z
      .record(z.string(), z.object({ secret: z.string(), origins: z.array(z.string()), cookie: z.enum(["none", "partitioned"]).optional() }).strict())
      .optional(),
    /** pino log level, or `silent`. Env `PARLOR_LOG_LEVEL`. */
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .strict();

/** What an app or caller may pass: every field optional. */
export type ServerOptions = z.input<typeof serverOptionsSchema>;
/** Options after defaults are applied. */
export type ParsedServerOptions = z.output<typeof serverOptionsSchema>;
