// Turns what the tRPC caller throws into a message key (translated by the page) and the field it concerns.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { ZodError } from "zod/v4";
import type { AppError } from "#server/errors.ts";

export type ActionError = { messageKey: string; params: Record<string, string | number>; field: string | null; status: number };

export function toActionError(error: unknown): ActionError {
  // A Response is Remix's to render (the database's 503 page): pass it on.
  if (error instanceof Response) throw error;
  if (error instanceof TRPCError) {
    const cause = error.cause as unknown;
    if (cause instanceof ZodError) {
      const issue = cause.issues[0];
      const field = issue ? String(issue.path[0] ?? "") : "";
      return { messageKey: field === "email" ? "auth.invalidEmail" : field === "password" ? "auth.passwordRequired" : "error.invalidInput", params: {}, field: field || null, status: 400 };
    }
    if (cause && (cause as Error).name === "AppError") {
      const appError = cause as AppError;
      return {
        messageKey: appError.messageKey,
        params: { minutes: Math.ceil((appError.retryAfterSeconds ?? 60) / 60) },
        field: appError.field ?? null,
        status: getHTTPStatusCodeFromError(error),
      };
    }
    if (error.code === "UNAUTHORIZED") return { messageKey: "auth.loginRequired", params: {}, field: null, status: 401 };
  }
  console.error(error);
  return { messageKey: "error.internal", params: {}, field: null, status: 500 };
}
