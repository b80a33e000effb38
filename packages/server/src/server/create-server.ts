import fastifyCookie from "@fastify/cookie";
import fastifyCors from "@fastify/cors";
import fastifyFormbody from "@fastify/formbody";
import Fastify, { LogController, type FastifyInstance } from "fastify";
import type { ParlorApp } from "../app/define-app.js";
import { resolveAppUi } from "../app/app-ui.js";
import { authRoutes } from "../auth/auth-routes.js";
import { appLogoRoute, resolveAppFace, type ResolvedAppFace } from "./app-face.js";
import { authenticateRequest } from "../auth/authenticate-request.js";
import { SessionCookies } from "../auth/cookies.js";
import { oauthRoutes } from "../auth/oauth/oauth-routes.js";
import { SessionService } from "../auth/session-service.js";
import { sessionRoutes } from "../auth/session-routes.js";
import { tokenRoutes } from "../auth/embed/token-routes.js";
import { corsCheckRoute } from "../auth/cors-check-route.js";
import { resolveConfig, type ParlorConfig } from "../config/resolve-config.js";
import type { ResolvedOAuthProvider } from "../config/oauth-providers.js";
import type { ServerOptions } from "../config/server-options.js";
import { deriveKeyRing } from "../crypto/key-ring.js";
import { ChatRuntime } from "../chat/chat-runtime.js";
import { ProcessLease } from "../chat/process-lease.js";
import { announceInterrupted } from "../chat/announce-interrupted.js";
import { ProcessStore } from "../data/process-store.js";
import { verifyCsrf } from "../csrf/verify-csrf.js";
import type { OriginPolicy } from "../csrf/request-origin.js";
import { attachRealtime } from "../realtime/realtime-server.js";
import { openDatabase, type Database } from "../data/database.js";
import { migrateToLatest } from "../data/migrate.js";
import { waitForDatabase } from "../data/wait-for-database.js";
import { SessionStore } from "../data/session-store.js";
import { EmbedTokenStore } from "../data/embed-token-store.js";
import { FileStore } from "../data/file-store.js";
import { messageExtraStores, type MessageExtraStores } from "../data/message-extras.js";
import { ThreadStore } from "../data/thread-store.js";
import { createFileStorage } from "../files/create-file-storage.js";
import { fileRoutes } from "../files/file-routes.js";
import type { FileStorage } from "../files/file-storage.js";
import { FileService } from "../files/file-service.js";
import { SignedFileUrls } from "../files/signed-file-url.js";
import { UserStore } from "../data/user-store.js";
import { threadRoutes } from "../threads/thread-routes.js";
import { appRoutes } from "../app/app-routes.js";
import { ChatSettings } from "../app/chat-settings.js";
import { FeedbackStore } from "../data/feedback-store.js";
import { feedbackRoutes } from "../feedback/feedback-routes.js";
import { allowedHostCheck, refuseForeignHosts } from "../http/allowed-hosts.js";
import { clientErrorHandler, frameworkErrors, installErrorHandlers } from "./error-handler.js";
import { gracefulShutdown, type GracefulShutdown } from "./graceful-shutdown.js";
import { requireMultipartBoundary } from "../http/multipart-boundary.js";
import { combineOnRequest, combineOnSend } from "../http/combine-hooks.js";
import { noStore } from "../http/no-store.js";
import { warnRefusedOrigins } from "../csrf/refused-origins.js";
import { ownOrigin } from "../http/own-origin.js";
import { closeIfBodyUnread, enforceSocketIoBodyDeadline, startBodyDeadline, timeoutServerOptions } from "../http/request-timeouts.js";
import { addSecurityHeadersToSocketIo, securityHeaderSet, sendSecurityHeaders, type HeaderSet } from "../http/security-headers.js";
import { appShellFallback, findWebRoot, webUi } from "./web-ui.js";
import { joinCluster, type Cluster } from "../cluster/join-cluster.js";
import { answerLiveReplyQuestions, liveRepliesOnOtherNodes } from "../cluster/live-replies-across-nodes.js";
import { answerStopsFromOtherNodes, stopOnOtherNodes } from "../cluster/stops-across-nodes.js";
import { sharedLimits, type SharedLimits } from "../limits/shared-limits.js";
import { readiness } from "./readiness.js";
import { embedPage } from "./embed-page.js";
import { findWidgetScript, widgetScript } from "./widget-script.js";
import "../auth/request-session.js";

export interface CreateServerOptions {
  /** Merged over the app's own `server` options. */
  server?: ServerOptions;
  /** Environment to read `PARLOR_*` settings from; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Milliseconds since the epoch; tests move time with it. */
  clock?: () => number;
  /** Where the logs go, one JSON line per `write`; default standard output. */
  logStream?: LogStream;
}

/** A destination for log lines (a pino destination stream, a file stream, a test's array). */
export interface LogStream {
  write(line: string): void;
}

/** What a running Parlor server exposes to embedders and tests. */
export interface ParlorServer {
  fastify: FastifyInstance;
  config: ParlorConfig;
  db: Database;
  sessions: SessionService;
  files: FileService;
  /**
   * Graceful shutdown, done within about `shutdownGrace` + 4 s: refuses new messages and
   * sockets, answers `/readyz` 503 `draining` for `shutdownReadinessWindow`, stops listening,
   * lets running replies finish until `shutdownGrace` is over, stores the rest as
   * `interrupted`, closes the sockets (clients reconnect by themselves), force-closes the
   * connections still open, then closes the database.
   */
  close(): Promise<void>;
}

/** The long-lived pieces the routes and the realtime layer share. */
export interface ServerServices {
  app: ParlorApp;
  /** The app's name, logo and colour (`defineApp({ ui })`), read at start-up. */
  face: ResolvedAppFace;
  config: ParlorConfig;
  db: Database;
  sessions: SessionService;
  threads: ThreadStore;
  /** Steps, actions and questions of messages. */
  extras: MessageExtraStores;
  oauthProviders: readonly ResolvedOAuthProvider[];
  clock: () => number;
  /** Where the rate limits and counts live: this process, or Redis with several nodes. */
  limits: SharedLimits;
}

/**
 * Builds the Parlor server for an app: validates configuration, waits for the database
 * (PostgreSQL, up to `database.startupTimeout`), opens and migrates it, and registers the
 * auth, CSRF and API routes. Does not listen; see `startServer`.
 */
export async function createServer(app: ParlorApp, options: CreateServerOptions = {}): Promise<ParlorServer> {
  const config = resolveConfig({
    appName: app.name,
    options: { ...app.server, ...options.server },
    env: options.env ?? process.env,
    auth: app.auth,
    embeds: app.embeds,
  });
  const { oauthProviders } = config;
  // Before the database: a missing logo file fails at once.
  const face = await resolveAppFace(app, config.basePath);
  const securityHeaders = securityHeaderSet(config, { imageOrigins: face.logoOrigin === undefined ? [] : [face.logoOrigin] });
  // Created first for its logger: waiting for the database and losing it are logged there.
  const fastify = newFastify(config, securityHeaders, options.logStream);
  await waitForDatabase(config.database, fastify.log);
  const db = await openDatabase(config.database, { log: fastify.log });
  let cluster: Cluster | undefined;
  try {
    await migrateToLatest(db);
    const clock = options.clock ?? Date.now;
    const users = new UserStore(db, { oauthProviders: oauthProviders.map((provider) => provider.id) });
    const sessions = new SessionService({ config, users, sessions: new SessionStore(db), clock });
    const ended = await sessions.endRemovedEmbeds();
    if (ended > 0) fastify.log.warn(`ended ${ended} sessions of embeddings that are no longer configured`);
    await sessions.loadRevocations();
    // Several nodes: Redis carries socket.io events and revocations between them.
    if (config.redis !== null) cluster = await joinCluster(config.redis, sessions, fastify.log);
    const limits = cluster?.limits ?? sharedLimits(null);
    const services = { app, face, config, db, sessions, threads: new ThreadStore(db), extras: messageExtraStores(db), oauthProviders, clock, limits };
    const { files, lease, shutdown } = await buildFastify(fastify, services, securityHeaders, cluster);
    // Before any message is taken: what a crashed predecessor left `streaming` becomes `interrupted`.
    await lease.start();
    fastify.addHook("onClose", async function closeDatabase() {
      await lease.stop().catch((error: unknown) => fastify.log.error({ err: error }, "could not unregister this process"));
      await cluster?.leave();
      await db.destroy();
    });
    return { fastify, config, db, sessions, files, close: () => shutdown.close() };
  } catch (error) {
    await cluster?.leave();
    await db.destroy();
    throw error;
  }
}

function newFastify(config: ParlorConfig, securityHeaders: HeaderSet, logStream: LogStream | undefined): FastifyInstance {
  return Fastify({
    logger: config.logLevel === "silent" ? false : { level: config.logLevel, ...(logStream ? { stream: logStream } : {}) },
    bodyLimit: config.bodyLimit,
    // avvio holds close hooks to the plugin timeout too (10 s by default): the shutdown drain
    // (up to `shutdownGrace`, then force-closing) made `close()` reject although it finished.
    pluginTimeout: (config.shutdownGrace + 30) * 1000,
    // Behind a reverse proxy, request.ip and request.protocol come from X-Forwarded-* only
    // when the peer is one of the configured proxies.
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    // Request ids in logs, never derived from request headers.
    requestIdHeader: false,
    // Access logs belong to the reverse proxy; Parlor logs what goes wrong.
    frameworkErrors: frameworkErrors(securityHeaders),
    clientErrorHandler: clientErrorHandler(securityHeaders),
    ...timeoutServerOptions(config.http),
    logController: new LogController({ disableRequestLogging: true }),
  });
}

async function buildFastify(
  fastify: FastifyInstance,
  services: ServerServices,
  securityHeaders: HeaderSet,
  cluster: Cluster | undefined,
): Promise<{ files: FileService; lease: ProcessLease; shutdown: GracefulShutdown }> {
  const { app, config, sessions } = services;
  closeConnectionsAsTheyGoIdle(fastify);
  fastify.decorateRequest("session", null);
  fastify.decorateRequest("authMethod", null);
  const webRoot = findWebRoot(config.webRoot);
  installErrorHandlers(fastify, webRoot ? { notFoundFallback: appShellFallback(webRoot, config.basePath) } : {});
  fastify.addHook("onSend", combineOnSend([noStore, closeIfBodyUnread]));
  fastify.addHook("preValidation", requireMultipartBoundary);

  // `hook: false`: no parsing of every Cookie header into `request.cookies`, which nothing
  // reads (the session hook reads its one cookie itself, see auth/cookies.ts); it was work
  // on every authenticated request. `reply.setCookie`/`clearCookie` work as before.
  await fastify.register(fastifyCookie, { hook: false });
  await fastify.register(fastifyFormbody, { bodyLimit: config.bodyLimit });
  // Fastify parses text/plain by default; no route reads text, so it gets the documented 415
  // like any other type Parlor does not read, instead of a confusing validation error.
  fastify.removeContentTypeParser("text/plain");

  const isAllowedHost = allowedHostCheck(config);
  const originPolicy = {
    allowedOrigins: new Set([config.publicOrigin, ...config.allowedOrigins]),
    allowSameSite: config.csrf.allowSameSite,
    ownOrigin: ownOrigin(config.isTrustedPeer),
  };
  // Every request's checks, in this order, as one Fastify hook (combine-hooks.ts): the
  // security headers first, so every answer carries them; then a foreign Host (DNS rebinding)
  // gets nothing; a page on an origin outside allowedOrigins is logged (once); the body
  // deadline; then the session, and the CSRF rule that depends on it.
  const entry = [
    sendSecurityHeaders(securityHeaders),
    refuseForeignHosts(isAllowedHost),
    warnRefusedOrigins(originPolicy, fastify.log),
    startBodyDeadline(config.http, securityHeaders),
  ];
  const session = [authenticateRequest(sessions, new SessionCookies(config.cookie, config.embeds)), verifyCsrf(sessions.csrf, originPolicy)];
  // Credentialed cross-origin calls only from the configured origins (a separate frontend);
  // with none configured, no CORS headers at all and browsers keep other sites out. CORS
  // answers preflights after the Host check and before authentication: its own hook between.
  if (config.allowedOrigins.length > 0) {
    fastify.addHook("onRequest", combineOnRequest(entry));
    await fastify.register(fastifyCors, {
      origin: [...config.allowedOrigins],
      credentials: true,
      methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
      allowedHeaders: ["content-type", "x-csrf-token", "authorization"],
      maxAge: 600,
    });
    fastify.addHook("onRequest", combineOnRequest(session));
  } else {
    fastify.addHook("onRequest", combineOnRequest([...entry, ...session]));
  }

  const { basePath } = config;
  // Liveness at the process's root too: probes (Docker, Kubernetes) talk to the process, not
  // through the proxy, and need not know the prefix. It reveals nothing.
  const healthz = { config: { auth: "optional" as const } };
  if (basePath !== "") fastify.get("/healthz", healthz, async () => ({ status: "ok" }));
  // The root of the host belongs to the proxy's other apps; a browser sent to this process's
  // root lands on the app instead of a 404.
  if (basePath !== "") fastify.get("/", healthz, async (_request, reply) => reply.redirect(`${basePath}/`, 302));
  let files!: FileService;
  let storage!: FileStorage;
  // Every route once, under the prefix (the public URL's path): Fastify's `prefix` on the one
  // plugin that holds them all, so no route builds its own path and none can be forgotten.
  // The hooks above are the root's and apply to every request, inside the prefix or not.
  await fastify.register(
    async function parlorRoutes(app) {
      ({ files, storage } = await registerRoutes(app, services, { webRoot, securityHeaders, originPolicy }));
    },
    { prefix: basePath },
  );
  sweepOrphansPeriodically(fastify, files);

  const { threads, clock } = services;
  // Set once the realtime layer exists; the lease's first recovery comes after it (createServer).
  let announce: ReturnType<typeof announceInterrupted> | undefined;
  const lease = new ProcessLease({
    processes: new ProcessStore(services.db),
    interval: config.chat.heartbeatInterval,
    clock,
    log: fastify.log,
    onInterrupted: (replies) => announce?.(replies),
  });
  let runtime: ChatRuntime | undefined;
  const shutdown = gracefulShutdown(fastify, {
    graceSeconds: config.shutdownGrace,
    readinessWindowSeconds: config.shutdownReadinessWindow,
    stopTakingMessages: () => runtime?.stopTakingMessages(),
    drainReplies: async (deadline) => runtime?.drain(deadline),
  });
  // Like /healthz: at the process's root for probes, and under the prefix through the proxy.
  const probes = { db: services.db, storage, redis: cluster, isDraining: shutdown.isDraining };
  await readiness(fastify, probes);
  if (basePath !== "") await fastify.register(async (prefixed) => readiness(prefixed, probes), { prefix: basePath });
  shutdown.beforeRealtime();
  const io = attachRealtime(fastify, {
    config,
    sessions,
    originPolicy,
    isAllowedHost,
    clock,
    limits: services.limits,
    adapter: cluster?.socketAdapter,
    isDraining: shutdown.isDraining,
    runtime: (emitToUser, io) => {
      announce = announceInterrupted(emitToUser);
      const elsewhere = cluster && {
        liveRepliesElsewhere: liveRepliesOnOtherNodes(io, fastify.log, cluster.isConnected),
        stopElsewhere: stopOnOtherNodes(io, cluster.isConnected),
      };
      return (runtime = new ChatRuntime({
        app,
        config,
        threads,
        files,
        extras: services.extras,
        clock,
        limits: services.limits,
        log: fastify.log,
        emitToUser,
        processId: lease.id,
        ...elsewhere,
      }));
    },
  });
  if (cluster && runtime) {
    answerLiveReplyQuestions(io, runtime);
    answerStopsFromOtherNodes(io, runtime, fastify.log);
  }
  addSecurityHeadersToSocketIo(io, securityHeaders);
  enforceSocketIoBodyDeadline(fastify.server, `${basePath}/socket.io/`, config.http, securityHeaders);
  shutdown.afterRealtime();
  return { files, lease, shutdown };
}

/** All of Parlor's routes, registered on the plugin that carries the prefix. */
async function registerRoutes(
  fastify: FastifyInstance,
  services: ServerServices,
  { webRoot, securityHeaders, originPolicy }: { webRoot: string | null; securityHeaders: HeaderSet; originPolicy: OriginPolicy },
): Promise<{ files: FileService; storage: FileStorage }> {
  const { app, config, sessions } = services;
  fastify.get("/healthz", { config: { auth: "optional" } }, async () => ({ status: "ok" }));
  const { oauthProviders } = services;
  // Only the part of `ui` the web UI reads: `ui.logo` may be a local path, served by appLogoRoute instead.
  const ui = { steps: resolveAppUi(app.ui).steps };
  await fastify.register(authRoutes, { config, auth: app.auth, ui, sessions, oauthProviders, limits: services.limits, app: services.face.face });
  if (services.face.logoFile) await fastify.register(appLogoRoute, { logo: services.face.logoFile });
  await fastify.register(oauthRoutes, { config, auth: app.auth, providers: oauthProviders, sessions, db: services.db, clock: services.clock });
  await fastify.register(sessionRoutes, { config, sessions });
  await fastify.register(corsCheckRoute, { policy: originPolicy });
  await fastify.register(tokenRoutes, {
    config,
    auth: app.auth,
    sessions,
    tokenUses: new EmbedTokenStore(services.db),
    clock: services.clock,
    limits: services.limits,
  });
  await fastify.register(widgetScript, { script: findWidgetScript() });
  await fastify.register(embedPage, { embeds: config.embeds, webRoot, securityHeaders, basePath: config.basePath });
  const { threads, clock } = services;
  const storage = await createFileStorage(config);
  const files = new FileService({ config, store: new FileStore(services.db), storage, clock, log: fastify.log });
  const signedUrls = new SignedFileUrls(deriveKeyRing(config, "file-url"), config.files.signedUrlTtl, clock, config.basePath);
  const chatSettings = new ChatSettings(app.settings);
  await fastify.register(threadRoutes, { threads, files, extras: services.extras, clock, settingsOf: (stored) => chatSettings.resolve(stored) });
  await fastify.register(appRoutes, { app });
  await fastify.register(feedbackRoutes, { app, feedback: new FeedbackStore(services.db) });
  await fastify.register(fileRoutes, { config, files, threads, signedUrls, limits: services.limits });
  if (webRoot) await fastify.register(webUi, { root: webRoot, basePath: config.basePath });
  return { files, storage };
}

/**
 * Fastify closes idle keep-alive connections once, when closing starts; a response still
 * finishing at that moment (a file stream's last tick) leaves its connection open until the
 * keep-alive timeout, and `close()` waits for it. Keep closing them as they go idle.
 */
function closeConnectionsAsTheyGoIdle(fastify: FastifyInstance): void {
  fastify.addHook("preClose", async () => {
    const timer = setInterval(() => fastify.server.closeIdleConnections(), 50);
    fastify.server.once("close", () => clearInterval(timer));
  });
}

/**
 * Orphan uploads and partial uploads left by a crash are swept hourly (and once at start), off
 * the request path; at start, partial uploads go before the server listens.
 */
function sweepOrphansPeriodically(fastify: FastifyInstance, files: FileService): void {
  const logFailure = (error: unknown) => fastify.log.error({ err: error }, "file sweep failed");
  const sweep = () => {
    void files.sweepOrphans().catch(logFailure);
    void files.sweepPartialUploads().catch(logFailure);
  };
  const timer = setInterval(sweep, 3600_000).unref();
  fastify.addHook("onReady", async () => {
    await files.sweepPartialUploads().catch(logFailure);
    void files.sweepOrphans().catch(logFailure);
  });
  fastify.addHook("onClose", async () => clearInterval(timer));
}
