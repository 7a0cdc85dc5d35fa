// The one error type services throw. `code` decides the HTTP status; `messageKey` lets the UI show the
// message in the reader's language; `message` is the English text API clients see.
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "TOO_MANY_REQUESTS"
  | "SERVICE_UNAVAILABLE";

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    readonly messageKey: string,
    message: string,
    readonly field?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** The one table from an error's code to its HTTP status; tRPC's own agrees (tests/unit/errorAnswers.test.ts). */
export const HTTP_STATUS: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
};

/** The one JSON shape of every error answer under /api (described for OpenAPI as ApiError in server/http/apiErrors.server.ts). */
export type ErrorBody = { error: { code: string; message: string; messageKey: string | null; field: string | null } };

/** `code` is ours or one of tRPC's (PARSE_ERROR, UNSUPPORTED_MEDIA_TYPE, INTERNAL_SERVER_ERROR, …). */
export function errorBody(code: string, message: string, messageKey: string | null, field: string | null = null): ErrorBody {
  return { error: { code, message, messageKey, field } };
}

/** What an HTTP answer to an AppError is: status, Retry-After when it says how long to wait, and the body. */
export function errorAnswer(error: AppError): { status: number; headers: Record<string, string>; body: ErrorBody } {
  return {
    status: HTTP_STATUS[error.code],
    headers: error.retryAfterSeconds ? { "Retry-After": String(Math.ceil(error.retryAfterSeconds)) } : {},
    body: errorBody(error.code, error.message, error.messageKey, error.field ?? null),
  };
}
