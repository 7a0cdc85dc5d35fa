// The one JSON error shape of every /api answer, its OpenAPI description, and the Express handler for errors thrown outside tRPC.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { NextFunction, Request, Response } from "express";
import { z } from "zod/v4";
import { errorBody, type ErrorBody } from "../errors.ts";
import { describeError } from "../trpc/trpc.server.ts";

export const ApiErrorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "Machine-readable kind: BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, TOO_MANY_REQUESTS, …" }),
      message: z.string().meta({ description: "What went wrong, in English, for a person" }),
      messageKey: z.string().nullable().meta({ description: "Key of the same message in the app's catalogue (Vietnamese and English), for clients that translate" }),
      field: z.string().nullable().meta({ description: "The input field the error concerns (validation errors), e.g. `text` or `texts.2`" }),
    }),
  })
  .meta({
    id: "ApiError",
    description: "Every error answer of /api has this shape (Mọi lỗi của /api đều có dạng này).",
    examples: [{ error: { code: "BAD_REQUEST", message: "Text is too long: 6000 characters, the limit is 5000", messageKey: "predict.textTooLong", field: "text" } }],
  });

export function apiErrorBody(error: TRPCError): ErrorBody {
  const { message, messageKey, field } = describeError(error);
  return errorBody(error.code, message, messageKey, field);
}

/** Status and headers for a failed call: Retry-After when the error says how long to wait. */
export function apiErrorHeaders(error: TRPCError): Record<string, string> {
  const { retryAfterSeconds } = describeError(error);
  return retryAfterSeconds ? { "Retry-After": String(Math.ceil(retryAfterSeconds)) } : {};
}

/** Errors thrown while building a request's context outside tRPC (a Remix page given a bad bearer token). */
export function apiErrorHandler(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  // An unreachable database is errorAnswers' (a translated page for a browser, JSON otherwise).
  if (!(error instanceof TRPCError) || error.code === "INTERNAL_SERVER_ERROR" || error.code === "SERVICE_UNAVAILABLE" || res.headersSent) return next(error);
  res.status(getHTTPStatusCodeFromError(error)).set(apiErrorHeaders(error)).json(apiErrorBody(error));
}
