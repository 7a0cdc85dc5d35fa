// Headers tRPC answers carry (at /api/trpc and the REST routes under /api): the RateLimit-* fields of the limit
// the request came closest to, and Retry-After when a call was refused for a limit or an unavailable database.
import type { TRPCError } from "@trpc/server";
import { AppError } from "../errors.ts";
import type { Context } from "../trpc/trpc.server.ts";

export function trpcResponseMeta({ ctx, errors }: { ctx?: Context; errors: readonly TRPCError[] }): { headers?: Record<string, string> } {
  const refused = errors.map((e) => e.cause).find((c): c is AppError => c instanceof AppError && c.retryAfterSeconds !== undefined) ?? null;
  const headers = ctx ? ctx.budget.headers(refused) : refused ? { "Retry-After": String(refused.retryAfterSeconds) } : {};
  return Object.keys(headers).length ? { headers } : {};
}
