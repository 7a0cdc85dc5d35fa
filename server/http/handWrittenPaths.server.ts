// OpenAPI path items of the /api routes written by hand (the generator cannot take multipart uploads or CSV
// downloads). Each route module exports its path items; add them here and openApiDocument() merges them.
//
// Pattern, for a route mounted in app.server.ts BEFORE restApi(...):
//   export const batchPaths: ZodOpenApiPathsObject = {
//     "/predict/batch": { post: { tags: ["predict"], summary: "…", security: [{ bearerAuth: [] }],
//       requestBody: { content: { "multipart/form-data": { schema: z.object({ file: z.string().meta({ format: "binary" }) }) } } },
//       responses: { 200: { description: "…", content: { "application/json": { schema: BatchOutput } } }, ...apiErrorResponses([400, 401, 413, 415, 429]) } } },
//   };
// then `...batchPaths` below. Paths are relative to /api, like the generated ones.
import type { ZodOpenApiPathsObject, ZodOpenApiResponsesObject } from "zod-openapi";
import { batchRoutesOpenApi } from "./batchRoutes.server.ts";

export const handWrittenPaths: ZodOpenApiPathsObject = { ...batchRoutesOpenApi };

const STATUS_TEXT: Record<number, string> = {
  400: "Invalid input",
  401: "No token, or a wrong, expired or revoked one",
  403: "Not allowed",
  404: "Not found (or not yours)",
  409: "Conflict",
  413: "Body too large",
  415: "Unsupported content type",
  429: "Too many requests: wait Retry-After seconds",
  503: "Model not loaded",
};

/** Error responses for a hand-written operation, in the one ApiError shape. */
export function apiErrorResponses(statuses: number[]): ZodOpenApiResponsesObject {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: STATUS_TEXT[status] ?? "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/ApiError" } } } }]),
  );
}
