import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance } from "fastify";
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ConfigError, ForbiddenError, RouteNotFoundError } from "../contract/errors.ts";
import { openStorage } from "../storage/open-storage.ts";
import type { Storage } from "../storage/storage.ts";
import { resolveServerConfig, type ServerConfig, type ServerOptions } from "./config.ts";
import { clientErrorHandler, errorHandler, frameworkErrorHandler } from "./error-handler.ts";
import { AuditService } from "./audit-service.ts";
import { Authenticator } from "./authenticator.ts";
import { PeopleService } from "./people-service.ts";
import { identifyCallers } from "./request-caller.ts";
import { parseJsonWithinLimits, refuseUnstorableIdentifiers } from "./request-limits.ts";
import { auditRoute } from "./routes/audit-route.ts";
import { peopleRoute } from "./routes/people-route.ts";
import { sessionRoute } from "./routes/session-route.ts";
import { registerSessions } from "./sessions.ts";
import { registerRequestGuards } from "./request-guards.ts";
import { responseSerializer } from "./response-serializer.ts";
import { EventBus } from "./event-bus.ts";
import { InputChecks } from "./input-checks.ts";
import { EventService } from "./event-service.ts";
import { FlowRunService } from "./flow-run-service.ts";
import { HealthService } from "./health-service.ts";
import { LogService } from "./log-service.ts";
import { InboxService } from "./inbox-service.ts";
import { MessageService } from "./message-service.ts";
import { PauseService } from "./pause-service.ts";
import { SchemaChecker } from "./schema-checker.ts";
import { StateTransitions } from "./state-transitions.ts";
import { eventsRoute } from "./routes/events-route.ts";
import { flowRunsRoute } from "./routes/flow-runs-route.ts";
import { logsRoute } from "./routes/logs-route.ts";
import { messagesRoute } from "./routes/messages-route.ts";
import { pausesRoute } from "./routes/pauses-route.ts";
import { inboxRoute } from "./routes/inbox-route.ts";
import { taskRunsRoute } from "./routes/task-runs-route.ts";
import { batchRoute } from "./routes/batch-route.ts";
import { registerUi } from "./routes/ui-route.ts";
import { startPauseExpiry } from "./background/pause-expiry.ts";
import { TaskRunService } from "./task-run-service.ts";
import { DeploymentService } from "./deployment-service.ts";
import { deploymentsRoute } from "./routes/deployments-route.ts";
import { startHeartbeatMonitor } from "./background/heartbeat-monitor.ts";
import { randomBytes } from "node:crypto";
import { AnswerLinkService } from "./answer-link-service.ts";
import { AutomationService } from "./automation-service.ts";
import { ChannelService } from "./channel-service.ts";
import { DeliveryService, type RunActions } from "./delivery-service.ts";
import { startAutomations } from "./background/automation-runner.ts";
import { startDeliveryLoop } from "./background/delivery-loop.ts";
import { startAuditChainer } from "./background/audit-chainer.ts";
import { AnswerLinks } from "./notifications/answer-links.ts";
import { NotificationSender } from "./notifications/senders.ts";
import { answerLinksRoute } from "./routes/answer-links-route.ts";
import { notificationsRoute } from "./routes/notifications-route.ts";
import { WorkerPresence } from "./worker-presence.ts";
import { MetricsService } from "./metrics-service.ts";
import { metricsRoute } from "./routes/metrics-route.ts";

/** A running Baton server. */
export interface BatonServer {
  readonly app: FastifyInstance;
  readonly storage: Storage;
  readonly config: ServerConfig;
  /** The API's base URL, e.g. `http://127.0.0.1:4200/api`. */
  readonly apiUrl: string;
  /**
   * Whether the server requires no sign-in now: true while it has no user and no API key, on a loopback
   * address (or with `insecureNoAuth`); the first user or key added closes it.
   */
  readonly open: boolean;
  /**
   * Fails the runs whose pause timed out now, instead of at the next sweep; resolves with how many. For
   * tests that move the server's clock (`advanceTime` of `baton/testing`).
   */
  expirePauses(): Promise<number>;
  close(): Promise<void>;
}

/** How often recorded audit entries are chained into the log (reads chain at once). */
const AUDIT_CHAIN_INTERVAL_MS = 1000;

/** What `createApp` builds besides the app: the event bus and what the background loops use. */
export interface AppParts {
  app: FastifyInstance;
  bus: EventBus;
  /** Answers handed to flows' processes to check: told of other servers' messages through the relay. */
  checks: InputChecks;
  pauses: PauseService;
  deployments: DeploymentService;
  deliveries: DeliveryService;
  /** Sets the base of the links in notifications, once the server's address is known (unless BATON_PUBLIC_URL set it). */
  setListenUrl(url: string): void;
  sender: NotificationSender;
  /** Who holds event streams: recovers the runs of a process whose last stream closed. */
  presence: WorkerPresence;
  /** Who calls: whether the server is open now. */
  authenticator: Authenticator;
  audit: AuditService;
}

/**
 * Builds the HTTP app on an open storage, without listening; returns it with the event bus and the
 * services that the background loops use (`startServer` starts those).
 */
export async function createApp(storage: Storage, config: ServerConfig): Promise<AppParts> {
  const authenticator = await authenticatorFor(storage, config);
  const app = Fastify({
    bodyLimit: config.bodyLimit,
    logger: config.logLevel === "silent" ? false : { level: config.logLevel },
    keepAliveTimeout: 65_000,
    // Answer links carry their signed claims in the path (/answer/<token>): longer than Fastify's 100.
    routerOptions: { maxParamLength: 2000 },
    forceCloseConnections: true,
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializer(config.checkResponses));
  app.setErrorHandler(errorHandler);
  parseJsonWithinLimits(app);

  await registerRequestGuards(app, config);
  await registerSessions(app, storage, config);

  const bus = new EventBus();
  const transitions = new StateTransitions(storage, bus);
  const runs = new FlowRunService(storage, transitions);
  const schemas = new SchemaChecker();
  app.addHook("onClose", () => schemas.close());
  let events: EventService | undefined;
  const metrics = new MetricsService(storage, bus, () => events?.streams ?? { total: 0, processes: 0 });
  const checks = new InputChecks();
  const pauses = new PauseService(storage, runs, transitions, schemas, metrics, {
    checks,
    timeoutMs: config.inputCheckTimeoutSeconds * 1000,
    warn: (message, details) => app.log.warn(details, message),
  });
  const inbox = new InboxService(storage, runs, pauses);
  const messages = new MessageService(storage, runs, transitions, schemas);
  const tasks = new TaskRunService(storage, runs, config.resultMaxBytes);
  const logs = new LogService(storage, bus, runs);
  const deployments = new DeploymentService(storage, runs, transitions, schemas, metrics);
  const presence = new WorkerPresence(storage, deployments, {
    heartbeatTimeoutSeconds: config.heartbeatTimeoutSeconds,
    graceSeconds: config.disconnectGraceSeconds,
    onError: (e) => app.log.error({ err: e }, "recovering the runs of a disconnected process failed"),
  });
  events = new EventService(storage, bus, presence, checks);
  const health = new HealthService(storage);
  const people = new PeopleService(storage, authenticator);
  const audit = new AuditService(storage);

  // Answer links are signed with BATON_SECRET, else with a secret made once and kept in the database, so
  // that a link made by one server is honoured by every other.
  const secret = config.secret ?? (await storage.channels.setting("answer-link-secret", randomBytes(32).toString("base64url")));
  let baseUrl = config.publicUrl?.replace(/\/+$/, "") ?? "";
  const links = new AnswerLinks(secret, () => baseUrl);
  const sender = new NotificationSender({ url: config.smtpUrl, from: config.smtpFrom });
  const actions: RunActions = {
    cancel: (by, id, reason) => runs.cancel(by, id, reason),
    suspend: (by, id, key) => pauses.suspend(by, id, key, "Suspended by an automation"),
    resume: (by, id, key, input) => pauses.resume(by, id, { input }, key),
    runDeployment: (by, name, parameters) => deployments.createRun(by, name, { parameters }),
  };
  const deliveries = new DeliveryService(
    storage,
    links,
    sender,
    { maxAttempts: config.deliveryMaxAttempts, retrySeconds: config.deliveryRetrySeconds, timeoutSeconds: config.deliveryTimeoutSeconds },
    actions,
    metrics,
  );
  const channels = new ChannelService(storage, deliveries, !!config.smtpUrl);
  const automations = new AutomationService(storage);

  await app.register(swagger, {
    openapi: { info: { title: "Baton API", version: "0.1.0", description: "Flows that pause until a person answers." } },
    transform: jsonSchemaTransform,
  });
  await app.register(
    async (api) => {
      identifyCallers(api, authenticator);
      refuseUnstorableIdentifiers(api);
      // Writes made with the web UI's session cookie carry its CSRF token (x-csrf-token).
      api.addHook("preHandler", (req, reply, done) => {
        if (req.caller.kind === "principal" && req.caller.via === "session" && !["GET", "HEAD", "OPTIONS"].includes(req.method))
          return app.csrfProtection(req, reply, done);
        done();
      });
      api.addHook("onError", async (req, _reply, error) => {
        if (error instanceof ForbiddenError) await audit.refused(req.caller, req.method, req.url, error.details);
      });
      api.get(
        "/health",
        { config: { public: true }, schema: { tags: ["server"], response: { 200: z.object({ status: z.literal("ok"), database: z.string() }) } } },
        (req) => health.check(req.caller),
      );
      api.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, () => app.swagger());
      await api.register(flowRunsRoute(runs));
      await api.register(pausesRoute(pauses, checks));
      await api.register(inboxRoute(inbox));
      await api.register(messagesRoute(messages));
      await api.register(taskRunsRoute(tasks));
      await api.register(logsRoute(logs));
      await api.register(eventsRoute(events));
      await api.register(metricsRoute(metrics));
      await api.register(deploymentsRoute(deployments));
      await api.register(batchRoute(runs, tasks, messages));
      await api.register(notificationsRoute(channels, automations, deliveries));
      await api.register(peopleRoute(people));
      await api.register(auditRoute(audit));
      await api.register(sessionRoute(people));
    },
    { prefix: "/api" },
  );
  await answerLinksRoute(app, new AnswerLinkService(storage, links, pauses), () => baseUrl);
  const ui = await registerUi(app);
  app.setNotFoundHandler((req, reply) => {
    if (ui.handleNotFound(req, reply)) return;
    throw new RouteNotFoundError(req.method, req.url);
  });
  return {
    app,
    bus,
    checks,
    pauses,
    deployments,
    deliveries,
    presence,
    sender,
    authenticator,
    audit,
    setListenUrl: (url) => {
      if (!config.publicUrl) baseUrl = url;
    },
  };
}

/** Whether `host` is an address only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Who may call: with no user and no key, a server on a loopback address runs open (local development);
 * on any other address it refuses to start, unless told `insecureNoAuth`.
 */
async function authenticatorFor(storage: Storage, config: ServerConfig): Promise<Authenticator> {
  const anyone = await storage.people.anyone();
  const mayBeOpen = isLoopback(config.host) || config.insecureNoAuth;
  if (!anyone && !mayBeOpen)
    throw new ConfigError(
      `No user is defined, and ${config.host} is not a loopback address: anyone who reaches it could do anything. ` +
        "Add an admin first (`baton user add NAME --role admin`, on the same BATON_HOME or BATON_DATABASE_URL), " +
        "or listen on 127.0.0.1, or (never on a network you do not trust) start with --insecure-no-auth.",
    );
  return new Authenticator(storage, { open: !anyone, mayBeOpen });
}

/**
 * Opens the database, applies migrations, starts background services, and listens. Settings come from
 * `options`, then the `BATON_*` variables of `env`.
 */
export async function startServer(options: ServerOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<BatonServer> {
  const config = resolveServerConfig(options, env);
  const storage = await openStorage({ databaseUrl: config.databaseUrl, home: config.home });
  let built: AppParts;
  try {
    built = await createApp(storage, config);
  } catch (e) {
    await storage.close();
    throw e;
  }
  const { app, bus, checks, pauses, deployments, deliveries, sender, setListenUrl, presence, authenticator, audit } = built;
  const expiry = startPauseExpiry(pauses, config.expiryIntervalSeconds, (e) => app.log.error({ err: e }, "expiry sweep failed"));
  const stopMonitor = startHeartbeatMonitor(deployments, config.heartbeatTimeoutSeconds, (e) => app.log.error({ err: e }, "heartbeat check failed"));
  const relay = await storage.relayEvents?.(
    (events) => bus.deliver(events),
    (e) => app.log.error({ err: e }, "event relay failed"),
    (message) => checks.hear(message),
  );
  if (relay) {
    bus.relay = (events) => relay.announce(events);
    checks.tell = (message) => relay.tell(message);
  }
  const deliveryLoop = startDeliveryLoop(deliveries, { onError: (e) => app.log.error({ err: e }, "delivery failed") });
  deliveries.onQueued = () => deliveryLoop.wake();
  deliveries.announce = (events) => bus.publish(events);
  const automations = startAutomations(storage, deliveries, { bus, onError: (e) => app.log.error({ err: e }, "automations failed") });
  const chainer = startAuditChainer(audit, AUDIT_CHAIN_INTERVAL_MS, (e) => app.log.error({ err: e }, "audit chaining failed"));
  const stopServices = async () => {
    await chainer.stop();
    expiry.stop();
    stopMonitor();
    await automations.stop();
    await deliveryLoop.stop();
    sender.close();
    presence.stop();
    bus.relay = undefined;
    checks.tell = undefined;
    await relay?.stop();
  };
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await stopServices();
    await storage.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  setListenUrl(`http://${host}:${port}`);
  return {
    app,
    storage,
    config,
    apiUrl: `http://${host}:${port}/api`,
    get open() {
      return authenticator.open;
    },
    expirePauses: () => expiry.sweep(),
    async close() {
      await stopServices();
      await app.close();
      await storage.close();
    },
  };
}
