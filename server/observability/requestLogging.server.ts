// One log line and one metrics sample per HTTP request: request id, method, route, status, duration.
// Only the route pattern is recorded, never the URL (tRPC GET inputs carry users' texts) nor any header but X-Request-Id.
import { randomUUID } from "node:crypto";
import type { ServerBuild } from "@remix-run/node";
import type { AnyTRPCRouter } from "@trpc/server";
import type { Request, RequestHandler } from "express";
import type { Logger } from "./logger.server.ts";
import type { AppMetrics } from "./metrics.server.ts";

const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

export type RouteNames = { procedures: ReadonlySet<string>; pages: ReadonlySet<string> };

/** The names a route label may take: the router's procedures and the UI's top-level page paths. */
export function routeNamesOf(router: AnyTRPCRouter, build: ServerBuild | null): RouteNames {
  const pages = new Set<string>();
  for (const route of Object.values(build?.routes ?? {})) {
    const first = route?.path?.split("/")[0];
    if (first && !first.startsWith(":") && first !== "*") pages.add(first);
  }
  return { procedures: new Set(Object.keys(router._def.procedures)), pages };
}

/** A label with a bounded set of values: known tRPC procedures, fixed paths, page sections; anything else "other". */
export function routeLabel(req: Request, names: RouteNames): string {
  if (req.route?.path && typeof req.route.path === "string") return `${req.baseUrl}${req.route.path}`;
  const pathname = req.originalUrl.split("?")[0] ?? "/";
  const trpc = /^\/api\/trpc\/([^/]+)$/.exec(pathname);
  if (trpc) {
    const procedures = safeDecode(trpc[1]!).split(",");
    return procedures.every((p) => names.procedures.has(p)) ? `/api/trpc/${procedures.join(",")}` : "/api/trpc/unknown";
  }
  if (pathname.startsWith("/api/")) return "/api/*";
  if (pathname.startsWith("/build/")) return "/build/*";
  const section = pathname.split("/")[1] ?? "";
  if (section === "") return "/";
  return names.pages.has(section) ? `/${section}` : "other";
}

/**
 * The metrics' route labels of a request: a batched tRPC call counts once for each procedure it calls (so a label never
 * joins names and the set stays closed: one per procedure, "other" for names the router lacks).
 */
export function metricRoutes(req: Request, names: RouteNames): string[] {
  const route = routeLabel(req, names);
  if (!route.startsWith("/api/trpc/")) return [route];
  const pathname = req.originalUrl.split("?")[0] ?? "/";
  const procedures = safeDecode(pathname.slice("/api/trpc/".length)).split(",");
  return [...new Set(procedures.map((p) => (names.procedures.has(p) ? `/api/trpc/${p}` : "other")))];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function requestLogging(options: { logger: Logger; metrics: AppMetrics; trustProxy: boolean; routeNames: RouteNames }): RequestHandler {
  const { logger, metrics, trustProxy, routeNames } = options;
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const offered = req.headers["x-request-id"];
    const requestId = trustProxy && typeof offered === "string" && REQUEST_ID.test(offered) ? offered : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader("X-Request-Id", requestId);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(req, routeNames);
      const status = res.writableFinished ? res.statusCode : 499;
      for (const metricRoute of metricRoutes(req, routeNames)) metrics.recordRequest({ method: req.method, route: metricRoute, status }, seconds);
      const level = status >= 500 ? "error" : "info";
      logger[level]({ requestId, method: req.method, route, status, durationMs: Math.round(seconds * 10_000) / 10 }, "request");
    };
    res.once("finish", finish);
    res.once("close", finish);
    next();
  };
}
