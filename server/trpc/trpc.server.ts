// tRPC's context and procedures. The context is built one way for HTTP (/api/trpc) and one way for Remix
// loaders, both through createContextInner, so the router never knows which transport called it.
import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import type { OpenApiMeta } from "trpc-to-openapi";
import { z, ZodError } from "zod/v4";
import { AppError } from "../errors.ts";
import type { AppServices } from "../services.server.ts";
import type { AuthSession, AuthUser } from "../auth/authService.server.ts";
import type { RequestBudget } from "../rateLimit/requestBudget.server.ts";
import { findNulCharacter } from "../validation.ts";

export type Transport = "http" | "remix";

export type ContextInner = {
  services: AppServices;
  user: AuthUser | null;
  session: AuthSession | null;
  clientIp: string;
  transport: Transport;
  /** Whether the request came over HTTPS (decides the cookie's Secure flag). */
  secure: boolean;
  /** Adds a Set-Cookie header to the eventual response. */
  setCookie: (cookie: string) => void;
  /** What this HTTP request may still do, shared by all procedures of a batch (texts, rate-limit headers). */
  budget: RequestBudget;
};

export type Context = ContextInner;

export function createContextInner(inner: ContextInner): Context {
  return inner;
}

function firstZodMessage(error: ZodError): { message: string; field?: string } {
  const issue = error.issues[0];
  if (!issue) return { message: "Invalid input" };
  const field = issue.path.length ? issue.path.join(".") : undefined;
  const message = issue.code === "invalid_type" && issue.message.endsWith("received undefined") ? `${field ?? "input"} is required` : issue.message;
  return { message: field && !message.toLowerCase().includes(field.toLowerCase()) ? `${field}: ${message}` : message, field };
}

export type ErrorDescription = {
  message: string;
  messageKey: string | null;
  field: string | null;
  retryAfterSeconds: number | null;
  fieldErrors: Record<string, string[] | undefined> | null;
};

/** What a client is told about a failed call, the same over /api/trpc, REST and Remix actions. */
export function describeError(error: TRPCError): ErrorDescription {
  const cause = error.cause;
  const appError = cause instanceof AppError ? cause : null;
  const zodError = cause instanceof ZodError ? cause : null;
  const zod = zodError ? firstZodMessage(zodError) : null;
  return {
    message: zod ? zod.message : error.message,
    messageKey: appError?.messageKey ?? (zod ? "error.invalidInput" : (GENERIC_MESSAGE_KEYS[error.code] ?? null)),
    field: appError?.field ?? zod?.field ?? null,
    retryAfterSeconds: appError?.retryAfterSeconds ?? null,
    fieldErrors: zodError ? z.flattenError(zodError).fieldErrors : null,
  };
}

/** Errors raised outside our services (by tRPC or the REST layer) still get a translatable key. */
const GENERIC_MESSAGE_KEYS: Partial<Record<TRPC_ERROR_CODE_KEY, string>> = {
  INTERNAL_SERVER_ERROR: "error.internal",
  NOT_FOUND: "error.notFound",
  UNSUPPORTED_MEDIA_TYPE: "error.unsupportedMediaType",
  PAYLOAD_TOO_LARGE: "error.bodyTooLarge",
  METHOD_NOT_SUPPORTED: "error.notFound",
  PARSE_ERROR: "error.invalidJson",
};

// OpenApiMeta: a procedure with `.meta({ openapi: { method, path } })` and an `.output()` is also served as REST under /api.
const t = initTRPC.context<Context>().meta<OpenApiMeta>().create({
  errorFormatter({ shape, error }) {
    const { message, ...described } = describeError(error);
    return {
      ...shape,
      message,
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, ...described },
    };
  },
});

/** Our codes are tRPC's names, so the status tRPC answers is the one HTTP_STATUS gives (server/errors.ts). */
export function toTRPCError(cause: AppError): TRPCError {
  return new TRPCError({ code: cause.code satisfies TRPC_ERROR_CODE_KEY, message: cause.message, cause });
}

/** Turns our AppErrors into TRPCErrors with the matching status; an unreachable database, or a statement it stopped for its time, becomes 503; other errors stay internal (500). */
const appErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause instanceof AppError ? result.error.cause : ctx.services.databaseOutage.classify(result.error.cause ?? result.error);
  if (cause) throw toTRPCError(cause);
  return result;
});

/** PostgreSQL text cannot hold U+0000: every procedure's input is checked once here, before any schema sees it. */
const noNulCharacters = t.middleware(async ({ getRawInput, next }) => {
  const field = findNulCharacter(await getRawInput());
  if (field !== null) {
    const where = field ? `${field}: ` : "";
    throw new AppError("BAD_REQUEST", "error.nulCharacter", `${where}text must not contain the NUL character (U+0000); remove it and send again`, field || undefined);
  }
  return next();
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(appErrors).use(noNulCharacters);
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.session) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Log in to do this", cause: new AppError("UNAUTHORIZED", "auth.loginRequired", "Log in to do this") });
  }
  return next({ ctx: { ...ctx, user: ctx.user, session: ctx.session } });
});
