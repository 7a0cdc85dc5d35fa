// The last word on errors no route answered: an unreachable database (or a statement it stopped for running too
// long) is a 503 with Retry-After and a translated message (a page for a browser, JSON otherwise); anything else a
// 500 that shows no internal text.
// Remix loaders get the database's 503 as a thrown Response (remixCaller), which their error page translates.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { ErrorRequestHandler, Request, Response } from "express";
import { AppError, errorBody } from "../errors.ts";
import { translate } from "#common/i18n/messages.ts";
import { attachActionError, INTERNAL_ACTION_ERROR, type ActionError } from "#common/actionError.ts";
import type { Logger } from "../observability/logger.server.ts";
import type { AppServices } from "../services.server.ts";
import type { AppCaller } from "../trpc/root.server.ts";
import { describeError } from "../trpc/trpc.server.ts";

function unavailableFrom(services: AppServices, error: unknown): AppError | null {
  if (error instanceof TRPCError && error.cause instanceof AppError && error.cause.code === "SERVICE_UNAVAILABLE") return error.cause;
  return services.databaseOutage.classify(error);
}

export function errorAnswers(services: AppServices): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, _next) => {
    // A refused body (413) or an aborted client: the answer is already written.
    if (res.headersSent) return;
    const unavailable = unavailableFrom(services, error);
    if (unavailable) {
      res.status(503).set("Retry-After", String(unavailable.retryAfterSeconds ?? services.config.DATABASE_RETRY_AFTER_SECONDS));
      return send(req, res, "SERVICE_UNAVAILABLE", unavailable.messageKey, unavailable.message);
    }
    services.logger.error({ err: error, method: req.method, path: req.path }, "request failed");
    res.status(500);
    send(req, res, "INTERNAL_SERVER_ERROR", "error.internal", "Internal server error");
  };
}

function send(req: Request, res: Response, code: string, messageKey: string, message: string): void {
  if (req.accepts(["json", "html"]) !== "html") {
    res.json(errorBody(code, message, messageKey));
    return;
  }
  const text = (lang: "vi" | "en") => `<p lang="${lang}">${translate(lang, messageKey)}</p>`;
  res.type("html").send(`<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${res.statusCode} · Cảm xúc</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;text-align:center"><h1>${res.statusCode}</h1>${text("vi")}${text("en")}<p><a href="/">Cảm xúc</a></p></body></html>`);
}

/** The one conversion of a failed call into what a Remix page shows; null for an error no person should see the text of. */
export function actionErrorFor(error: unknown): ActionError | null {
  if (!(error instanceof TRPCError)) return null;
  const cause = error.cause;
  const described = describeError(error);
  if (cause instanceof AppError) {
    return { messageKey: described.messageKey ?? cause.messageKey, params: { minutes: Math.ceil((cause.retryAfterSeconds ?? 60) / 60) }, field: described.field, status: getHTTPStatusCodeFromError(error) };
  }
  if (described.fieldErrors) {
    // The sign-in and sign-up forms name what is wrong with the one field a person typed.
    const field = described.field?.split(".")[0] ?? "";
    return { messageKey: field === "email" ? "auth.invalidEmail" : field === "password" ? "auth.passwordRequired" : "error.invalidInput", params: {}, field: field || null, status: 400 };
  }
  if (error.code === "UNAUTHORIZED") return { messageKey: "auth.loginRequired", params: {}, field: null, status: 401 };
  return null;
}

/**
 * The caller Remix loaders and actions use. A failed call carries its ActionError (read by
 * app/actionErrors.server.ts); anything else is logged here, with the request's id, and shows as an internal
 * error; an unreachable database is a thrown 503 Response, which Remix renders with the route's error page
 * instead of a 500.
 */
export function remixCaller(services: AppServices, caller: AppCaller, logger: Logger): AppCaller {
  const wrap = (target: object): object =>
    new Proxy(target, {
      get: (t, key) => wrap(Reflect.get(t, key) as object),
      apply: (t, thisArg, args) =>
        Promise.resolve(Reflect.apply(t as (...a: unknown[]) => unknown, thisArg, args)).catch((error: unknown) => {
          const unavailable = unavailableFrom(services, error);
          if (!unavailable) {
            const actionError = actionErrorFor(error);
            if (!actionError) logger.error({ err: error }, "page call failed");
            throw error instanceof Error || (typeof error === "object" && error !== null) ? attachActionError(error, actionError ?? INTERNAL_ACTION_ERROR) : error;
          }
          throw new Response(JSON.stringify({ messageKey: unavailable.messageKey, message: unavailable.message }), {
            status: 503,
            headers: { "Content-Type": "application/json", "Retry-After": String(unavailable.retryAfterSeconds ?? services.config.DATABASE_RETRY_AFTER_SECONDS) },
          });
        }),
    });
  return wrap(caller) as AppCaller;
}

/** Remix does not pass a thrown Response's headers to the page: every 503 gets its Retry-After here. */
export function retryAfterOn503(seconds: number) {
  return (_req: Request, res: Response, next: () => void) => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, ...args: unknown[]) {
      if (this.statusCode === 503 || args[0] === 503) {
        if (!this.getHeader("Retry-After")) this.setHeader("Retry-After", String(seconds));
      }
      return (writeHead as (...a: unknown[]) => Response).apply(this, args);
    } as typeof res.writeHead;
    next();
  };
}
