import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { describe, expect, it } from "vitest";
import { z, ZodError } from "zod/v4";
import { actionErrorOf, attachActionError } from "#common/actionError.ts";
import { AppError, errorAnswer, errorBody, HTTP_STATUS, type AppErrorCode } from "#server/errors.ts";
import { apiErrorBody } from "#server/http/apiErrors.server.ts";
import { actionErrorFor } from "#server/http/errorAnswers.server.ts";
import { toTRPCError } from "#server/trpc/trpc.server.ts";

const zodFailure = (input: unknown) => {
  const result = z.object({ email: z.email(), password: z.string().min(1) }).safeParse(input);
  return new TRPCError({ code: "BAD_REQUEST", cause: result.error as ZodError });
};

describe("one boundary for errors", () => {
  it("answers each of our codes with the status tRPC gives it (one table)", () => {
    for (const [code, status] of Object.entries(HTTP_STATUS) as [AppErrorCode, number][]) {
      expect(getHTTPStatusCodeFromError(toTRPCError(new AppError(code, "k", "m"))), code).toBe(status);
      expect(errorAnswer(new AppError(code, "k", "m")).status).toBe(status);
    }
  });

  it("writes the one body shape, with Retry-After when the error says how long to wait", () => {
    const limited = new AppError("TOO_MANY_REQUESTS", "batch.tooManyActive", "wait", undefined, 30);
    expect(errorAnswer(limited)).toEqual({ status: 429, headers: { "Retry-After": "30" }, body: { error: { code: "TOO_MANY_REQUESTS", message: "wait", messageKey: "batch.tooManyActive", field: null } } });
    expect(errorAnswer(new AppError("BAD_REQUEST", "predict.emptyText", "empty", "text")).headers).toEqual({});
    // tRPC's REST path gives the same body for the same error
    expect(apiErrorBody(toTRPCError(new AppError("NOT_FOUND", "batch.notFound", "gone")))).toEqual(errorBody("NOT_FOUND", "gone", "batch.notFound"));
  });

  it("converts a failed call once for a Remix page: AppError, zod field, login, anything else", () => {
    expect(actionErrorFor(toTRPCError(new AppError("TOO_MANY_REQUESTS", "auth.tooManyAttempts", "slow down", "email", 125)))).toEqual({ messageKey: "auth.tooManyAttempts", params: { minutes: 3 }, field: "email", status: 429 });
    expect(actionErrorFor(zodFailure({ email: "not-an-email", password: "x" }))).toMatchObject({ messageKey: "auth.invalidEmail", field: "email", status: 400 });
    expect(actionErrorFor(zodFailure({ email: "a@b.vn", password: "" }))).toMatchObject({ messageKey: "auth.passwordRequired", field: "password", status: 400 });
    expect(actionErrorFor(new TRPCError({ code: "UNAUTHORIZED" }))).toMatchObject({ messageKey: "auth.loginRequired", status: 401 });
    expect(actionErrorFor(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: new Error("secret") }))).toBeNull();
    expect(actionErrorFor(new Error("not a call"))).toBeNull();
  });

  it("carries the conversion across bundles on a registered symbol, invisible to JSON", () => {
    const error = attachActionError(new Error("x"), { messageKey: "k", params: {}, field: null, status: 400 });
    expect(actionErrorOf(error)).toEqual({ messageKey: "k", params: {}, field: null, status: 400 });
    expect(Object.keys(error)).toEqual([]);
    expect(actionErrorOf(new Error("plain"))).toBeNull();
  });
});
