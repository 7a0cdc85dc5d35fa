// REST + OpenAPI under /api, generated from the same tRPC router: every procedure with `openapi` meta
// and an `.output()` is a route, and /api/openapi.json describes them all.
import type { IncomingMessage } from "node:http";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { TRPCError } from "@trpc/server";
import express from "express";
import { createOpenApiExpressMiddleware, generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { errorBody } from "../errors.ts";
import type { AppServices } from "../services.server.ts";
import { appRouter } from "../trpc/root.server.ts";
import type { Context } from "../trpc/trpc.server.ts";
import { trpcResponseMeta } from "./trpcResponseMeta.server.ts";
import { apiErrorBody, apiErrorHeaders, ApiErrorSchema } from "./apiErrors.server.ts";
import { handWrittenPaths } from "./handWrittenPaths.server.ts";

const SECURITY_SCHEME = "bearerAuth";

const DESCRIPTION = `**Tiếng Việt.** Phân tích cảm xúc tiếng Việt: tiêu cực / trung lập / tích cực, kèm xác suất.
Lấy token: \`POST /api/auth/login\` (token đăng nhập, có hạn) hoặc tạo API token cá nhân ở trang **Cài đặt** (/settings).
Gửi token trong header \`Authorization: Bearer <token>\` (bấm **Authorize** ở trên để thử). Token sai, hết hạn hoặc đã thu hồi: 401.
Mọi lỗi có cùng dạng JSON \`{"error": {"code", "message", "messageKey", "field"}}\`.

**English.** Vietnamese sentiment analysis: negative / neutral / positive with probabilities.
Get a token: \`POST /api/auth/login\` (a login token that expires) or create a personal API token on the **Settings** page (/settings).
Send it as \`Authorization: Bearer <token>\` (press **Authorize** above to try). A wrong, expired or revoked token is a 401.
Every error has the same JSON shape \`{"error": {"code", "message", "messageKey", "field"}}\`.`;

const ERROR_REF = { $ref: "#/components/schemas/ApiError" };
const METHODS = ["get", "put", "post", "delete", "patch"] as const;

/**
 * The OpenAPI 3.1 document: generated routes plus the hand-written ones (`handWrittenPaths`, or `paths`
 * here), with every error answer pointing at the one ApiError schema.
 */
export function openApiDocument(baseUrl: string, options: { paths?: ZodOpenApiPathsObject } = {}): OpenAPIObject {
  const document = generateOpenApiDocument(appRouter, {
    title: "Cảm xúc API",
    description: DESCRIPTION,
    version: "1",
    baseUrl,
    docsUrl: "/docs",
    tags: ["auth", "predict", "history", "tokens", "account", "model"],
    securitySchemes: { [SECURITY_SCHEME]: { type: "http", scheme: "bearer", description: "Login token or personal API token (cxk_…)" } },
    paths: { ...handWrittenPaths, ...options.paths },
    defs: { ApiError: ApiErrorSchema },
  });
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const responses = operation.responses ?? {};
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400 && response && !("$ref" in response)) {
          responses[status] = { description: response.description, content: { "application/json": { schema: ERROR_REF } } };
        }
      }
      // Logging in with a stale token in Swagger UI's "Authorize" would be refused (401): send none there.
      if (path.startsWith("/auth/register") || path.startsWith("/auth/login")) operation.security = [];
      // Routes open to anonymous callers still take a token (predictions are then stored).
      else if (!operation.security) operation.security = [{}, { [SECURITY_SCHEME]: [] }];
    }
  }
  return document;
}

/** Mounts /api/openapi.json and the generated REST routes; mount hand-written /api routes before this. */
export function restApi(services: AppServices, createContext: (req: express.Request, res: express.Response) => Promise<Context>): express.Router {
  const api = express.Router();
  // A relative server: the Host header is the client's to choose, so echoing it would let a forged one into the
  // document (and any cache in front of it). Swagger UI and generators resolve "/api" against the document's URL.
  const document = openApiDocument("/api");
  api.get("/openapi.json", (_req, res) => {
    res.json(document);
  });
  // trpc-to-openapi writes its own error body ({message, code, issues}); we note the error as it passes
  // through onError and write our one shape instead when the answer is sent.
  const failures = new WeakMap<IncomingMessage, TRPCError>();
  const generated = createOpenApiExpressMiddleware({
    router: appRouter,
    maxBodySize: services.config.MAX_BODY_BYTES,
    createContext: ({ req, res }) => createContext(req as express.Request, res as express.Response),
    onError: ({ error, req, path }) => {
      failures.set(req, error);
      if (error.code === "INTERNAL_SERVER_ERROR") services.logger.error({ err: error.cause ?? error, path: path ?? req.url }, "REST route failed");
    },
    // RateLimit-* headers for every answer; a failed call also gets its status and Retry-After.
    responseMeta: (opts) => {
      const meta = trpcResponseMeta(opts);
      const error = opts.errors[0];
      return error ? { status: getHTTPStatusCodeFromError(error), headers: { ...apiErrorHeaders(error), ...meta.headers } } : meta;
    },
  });
  // `curl -X POST .../auth/logout` sends no body and no Content-Type: an empty body is an empty JSON object, not a 415.
  api.use((req, _res, next) => {
    const empty = !req.headers["content-type"] && !req.headers["transfer-encoding"] && Number(req.headers["content-length"] ?? 0) === 0;
    if (empty && (req.method === "POST" || req.method === "PUT")) req.headers["content-type"] = "application/json";
    next();
  });
  // Parsed here rather than by the generator, which reads only an exact "application/json" (no charset).
  api.use(express.json({ limit: services.config.MAX_BODY_BYTES, type: (req) => /^application\/json\b/i.test(req.headers["content-type"] ?? "") }));
  api.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    const type = (error as { type?: string }).type;
    if (type === "entity.too.large") return res.status(413).json(errorBody("PAYLOAD_TOO_LARGE", "Request body too large", "error.bodyTooLarge"));
    if (type === "entity.parse.failed") return res.status(400).json(errorBody("PARSE_ERROR", "The body is not valid JSON", "error.invalidJson"));
    next(error);
  });
  api.use((req, res) => {
    const end = res.end.bind(res) as (chunk?: unknown) => express.Response;
    res.end = ((chunk?: unknown) => {
      const error = failures.get(req);
      return end(error ? JSON.stringify(apiErrorBody(error)) : chunk);
    }) as typeof res.end;
    return generated(req, res);
  });
  return api;
}
