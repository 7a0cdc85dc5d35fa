// tRPC refuses a batch request over its maxBatchSize with its own text, which names neither the count nor the limit.
// This check answers first, in the one error shape of /api, before any call of the batch runs.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { errorBody } from "../errors.ts";

export function trpcBatchLimit(maxCalls: number): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // tRPC's own test for a batch: the `batch` search parameter is "1"; the procedures are the path, comma-separated
    if (new URLSearchParams(req.originalUrl.split("?")[1] ?? "").get("batch") !== "1") return next();
    const calls = req.path.slice(1).split(",").length;
    if (calls <= maxCalls) return next();
    res
      .status(400)
      .json(errorBody("BAD_REQUEST", `Too many calls in one batch request: ${calls}, the limit is ${maxCalls} (TRPC_MAX_BATCH)`, "error.batchTooLarge"));
  };
}
