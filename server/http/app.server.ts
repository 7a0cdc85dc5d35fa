// The one HTTP app: health probes, the tRPC API at /api/trpc, static assets and the Remix UI.
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import * as trpcExpress from "@trpc/server/adapters/express";
import express from "express";
import { appRouter, createCaller } from "../trpc/root.server.ts";
import { createRequestContext } from "../trpc/requestContext.server.ts";
import type { AppServices } from "../services.server.ts";
import { apiErrorHandler } from "./apiErrors.server.ts";
import { cors } from "./cors.server.ts";
import { originCheck } from "./originCheck.server.ts";
import { restApi } from "./restApi.server.ts";
import { swaggerUi } from "./swaggerUi.server.ts";
import { batchRoutes } from "./batchRoutes.server.ts";
import { REPO_ROOT } from "../repoPaths.ts";
import { bodyLimit } from "./bodyLimit.server.ts";
import { trpcBatchLimit } from "./trpcBatchLimit.server.ts";
import { errorAnswers, remixCaller, retryAfterOn503 } from "./errorAnswers.server.ts";
import { securityHeaders } from "./securityHeaders.server.ts";
import { trpcResponseMeta } from "./trpcResponseMeta.server.ts";
import { metricsHandler } from "../observability/metrics.server.ts";
import { requestLogging, routeNamesOf } from "../observability/requestLogging.server.ts";
import { usesEphemeralDatabase } from "../observability/startupSummary.server.ts";

/** `stopping` aborts when the server begins to shut down (long-lived answers end then). */
export function createHttpApp(services: AppServices, build: ServerBuild | null, options: { stopping?: AbortSignal } = {}): express.Express {
  const { config } = services;
  const app = express();
  app.disable("x-powered-by");
  // a hop count: req.ip is the address the last trusted proxy saw, whatever a client put in X-Forwarded-For
  app.set("trust proxy", config.TRUST_PROXY);
  app.use(requestLogging({ logger: services.logger, metrics: services.metrics, trustProxy: config.TRUST_PROXY > 0, routeNames: routeNamesOf(appRouter, build) }));
  app.use(securityHeaders());
  if (config.METRICS_TOKEN && config.METRICS_PORT === undefined) app.get("/metrics", metricsHandler(services.metrics, config.METRICS_TOKEN));

  const requestFacts = (req: express.Request, res: express.Response, transport: "http" | "remix") => ({
    authorization: req.headers.authorization,
    cookie: req.headers.cookie,
    clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
    secure: req.secure || config.NODE_ENV === "production",
    transport,
    setCookie: (cookie: string) => void res.append("Set-Cookie", cookie),
  });

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    // a database that hangs must make this instance unready within a probe's patience, not hold the probe
    const database = await Promise.race([
      services.db.isReady(),
      new Promise<false>((resolve) => setTimeout(resolve, config.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000, false).unref()),
    ]);
    const model = config.MODEL_ENABLED ? services.classifier !== null : true;
    res.status(database && model ? 200 : 503).json({ status: database && model ? "ready" : "not ready", database, model });
  });

  app.use("/api", cors(config.CORS_ORIGINS));
  app.use(retryAfterOn503(config.DATABASE_RETRY_AFTER_SECONDS));
  app.use(originCheck(config.CORS_ORIGINS));
  // Batch upload, export and progress: the upload streams under its own limit (BATCH_MAX_BYTES).
  app.use("/api", batchRoutes(services, (req, res) => createRequestContext(services, requestFacts(req, res, "http")), options.stopping));
  // Routes that take larger bodies mount their own limit above this line.
  app.use(bodyLimit(config.MAX_BODY_BYTES));

  app.use("/api/trpc", trpcBatchLimit(config.TRPC_MAX_BATCH));
  app.use(
    "/api/trpc",
    trpcExpress.createExpressMiddleware({
      router: appRouter,
      maxBodySize: config.MAX_BODY_BYTES,
      maxBatchSize: config.TRPC_MAX_BATCH,
      responseMeta: trpcResponseMeta,
      createContext: ({ req, res }) => createRequestContext(services, requestFacts(req, res, "http")),
      onError: ({ error, path: procedure }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") services.logger.error({ err: error.cause ?? error, procedure }, "tRPC procedure failed");
      },
    }),
  );

  app.use("/api", restApi(services, (req, res) => createRequestContext(services, requestFacts(req, res, "http"))));

  app.use("/docs", swaggerUi());

  app.use("/build", express.static(path.join(REPO_ROOT, "public", "build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(REPO_ROOT, "public"), { maxAge: "1h" }));

  if (build) {
    app.all(
      "*",
      createRequestHandler({
        build,
        mode: config.NODE_ENV === "production" ? "production" : "development",
        getLoadContext: async (req, res) => {
          const ctx = await createRequestContext(services, requestFacts(req, res, "remix"));
          const logger = services.logger.child({ requestId: res.locals.requestId as string });
          return {
            caller: remixCaller(services, createCaller(ctx), logger),
            user: ctx.user,
            logger,
            cspNonce: res.locals.cspNonce as string,
            config: {
              maxTextChars: config.MAX_TEXT_CHARS,
              maxTextsPerRequest: config.MAX_TEXTS_PER_REQUEST,
              minPasswordLength: config.MIN_PASSWORD_LENGTH,
              searchMaxChars: config.SEARCH_MAX_CHARS,
              historyMaxPageSize: config.HISTORY_MAX_PAGE_SIZE,
              apiTokenMaxDays: config.API_TOKEN_MAX_DAYS,
              batchMaxBytes: config.BATCH_MAX_BYTES,
              batchMaxRows: config.BATCH_MAX_ROWS,
              batchLowConfidence: config.BATCH_LOW_CONFIDENCE,
              ephemeralDatabase: usesEphemeralDatabase(config),
            },
          };
        },
      }),
    );
  }
  app.use(apiErrorHandler);
  app.use(errorAnswers(services));
  return app;
}
