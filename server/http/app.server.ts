// The one HTTP app: health probes, the tRPC API at /api/trpc, static assets and the Remix UI.
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import * as trpcExpress from "@trpc/server/adapters/express";
import express from "express";
import { appRouter, createCaller } from "../trpc/root.server.ts";
import { createRequestContext } from "../trpc/requestContext.server.ts";
import type { AppServices } from "../services.server.ts";
import { originCheck } from "./originCheck.server.ts";
import { restApi } from "./restApi.server.ts";
import { REPO_ROOT } from "../repoPaths.ts";
import { formatNumber, translate, type Lang } from "../i18n/messages.ts";
import { metricsHandler } from "../observability/metrics.server.ts";
import { requestLogging, routeNamesOf } from "../observability/requestLogging.server.ts";
import { usesEphemeralDatabase } from "../observability/startupSummary.server.ts";

export function createHttpApp(services: AppServices, build: ServerBuild | null): express.Express {
  const { config } = services;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.TRUST_PROXY);
  app.use(requestLogging({ logger: services.logger, metrics: services.metrics, trustProxy: config.TRUST_PROXY, routeNames: routeNamesOf(appRouter, build) }));
  if (config.METRICS_TOKEN && config.METRICS_PORT === undefined) app.get("/metrics", metricsHandler(services.metrics, config.METRICS_TOKEN));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const database = await services.db.isReady();
    const model = config.MODEL_ENABLED ? services.classifier !== null : true;
    res.status(database && model ? 200 : 503).json({ status: database && model ? "ready" : "not ready", database, model });
  });

  app.use((req, res, next) => {
    const length = Number(req.headers["content-length"] ?? 0);
    if (length > config.MAX_BODY_BYTES) {
      const message = `Request body too large: ${length} bytes, the limit is ${config.MAX_BODY_BYTES}`;
      res.status(413);
      // a form posted without JavaScript lands on this answer, so a browser gets a page rather than JSON
      if (req.accepts(["json", "html"]) === "html") res.type("html").send(bodyTooLargePage(length, config.MAX_BODY_BYTES));
      else res.json({ error: { message, messageKey: "error.bodyTooLarge" } });
      return;
    }
    next();
  });
  app.use(originCheck);

  const requestFacts = (req: express.Request, res: express.Response, transport: "http" | "remix") => ({
    authorization: req.headers.authorization,
    cookie: req.headers.cookie,
    clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
    secure: req.secure || config.NODE_ENV === "production",
    transport,
    setCookie: (cookie: string) => void res.append("Set-Cookie", cookie),
  });

  app.use(
    "/api/trpc",
    trpcExpress.createExpressMiddleware({
      router: appRouter,
      maxBodySize: config.MAX_BODY_BYTES,
      createContext: ({ req, res }) => createRequestContext(services, requestFacts(req, res, "http")),
      onError: ({ error, path: procedure }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") services.logger.error({ err: error.cause ?? error, procedure }, "tRPC procedure failed");
      },
    }),
  );

  app.use("/api", restApi(services, (req, res) => createRequestContext(services, requestFacts(req, res, "http"))));

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
          return {
            caller: createCaller(ctx),
            user: ctx.user,
            config: {
              maxTextChars: config.MAX_TEXT_CHARS,
              maxTextsPerRequest: config.MAX_TEXTS_PER_REQUEST,
              minPasswordLength: config.MIN_PASSWORD_LENGTH,
              searchMaxChars: config.SEARCH_MAX_CHARS,
              historyMaxPageSize: config.HISTORY_MAX_PAGE_SIZE,
              ephemeralDatabase: usesEphemeralDatabase(config),
            },
          };
        },
      }),
    );
  }
  return app;
}

/** The 413 answer to a browser, in both languages (no JavaScript can be assumed: the form was posted without it). */
function bodyTooLargePage(length: number, limit: number): string {
  const mb = (lang: Lang, bytes: number) => formatNumber(lang, bytes / 1_000_000, 1);
  const section = (lang: Lang) =>
    `<section lang="${lang}"><h1>${translate(lang, "error.bodyTooLarge")}</h1><p>${translate(lang, "error.bodyTooLargeDetail", { sent: mb(lang, length), limit: mb(lang, limit) })}</p></section>`;
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${translate("vi", "error.bodyTooLarge")}</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">
${section("vi")}${section("en")}<p><a href="/">${translate("vi", "nav.analyse")} · ${translate("en", "nav.analyse")}</a></p></body></html>`;
}
