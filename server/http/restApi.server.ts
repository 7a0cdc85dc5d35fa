// REST + OpenAPI under /api, generated from the same tRPC router: every procedure with `openapi` meta
// and an `.output()` is a route, and /api/openapi.json describes them all.
import express from "express";
import { createOpenApiExpressMiddleware, generateOpenApiDocument } from "trpc-to-openapi";
import type { AppServices } from "../services.server.ts";
import { appRouter } from "../trpc/root.server.ts";
import { batchRoutesOpenApi } from "./batchRoutes.server.ts";
import type { Context } from "../trpc/trpc.server.ts";

export function openApiDocument(baseUrl: string) {
  return generateOpenApiDocument(appRouter, {
    title: "Cảm xúc API",
    description: "Vietnamese sentiment analysis: negative / neutral / positive with confidences.",
    version: "1",
    baseUrl,
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } },
    paths: { ...batchRoutesOpenApi },
  });
}

/** Mounts /api/openapi.json and the generated REST routes; mount hand-written /api routes before this. */
export function restApi(services: AppServices, createContext: (req: express.Request, res: express.Response) => Promise<Context>): express.Router {
  const api = express.Router();
  api.get("/openapi.json", (req, res) => {
    res.json(openApiDocument(`${req.protocol}://${req.get("host") ?? "localhost"}/api`));
  });
  api.use(
    createOpenApiExpressMiddleware({
      router: appRouter,
      maxBodySize: services.config.MAX_BODY_BYTES,
      createContext: ({ req, res }) => createContext(req, res),
    }),
  );
  return api;
}
