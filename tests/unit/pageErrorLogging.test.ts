// What Remix hands app/entry.server.tsx's handleError, and where each kind goes: one error line for what nobody
// converted, nothing more for an internal error the server's caller converted (and logged), a warning for a
// refused call the page did not handle, a debug line for Remix's own refusals, and nothing for a visitor who left.
import type { AppLoadContext } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { handleError } from "../../app/entry.server.tsx";
import { attachActionError, INTERNAL_ACTION_ERROR } from "../../common/actionError.ts";
import { captureLogs } from "../support/logCapture.ts";

function capture() {
  const { logger, lines } = captureLogs();
  return { lines, context: { logger } as unknown as AppLoadContext };
}

const args = (context: AppLoadContext, request = new Request("http://localhost/history?page=2")) => ({ request, context, params: {} });

describe("handleError (what Remix caught in a page)", () => {
  it("an error nobody converted is one error line with its stack, the method and the path", () => {
    const { lines, context } = capture();
    handleError(new Error("boom in a loader"), args(context));
    expect(lines).toEqual([expect.objectContaining({ level: "error", msg: "page failed", method: "GET", path: "/history" })]);
    expect((lines[0]!.err as { message: string }).message).toBe("boom in a loader");
    expect((lines[0]!.err as { stack: string }).stack).toContain("pageErrorLogging.test.ts");
  });

  it("an internal error the server's caller converted (and logged) is not logged again", () => {
    const { lines, context } = capture();
    handleError(attachActionError(new Error("database said no"), { ...INTERNAL_ACTION_ERROR }), args(context));
    expect(lines).toEqual([]);
  });

  it("a refused call the page let through (it shows as a 500) is a warning naming the refusal", () => {
    const { lines, context } = capture();
    handleError(attachActionError(new Error("slow down"), { messageKey: "error.rateLimited", params: {}, field: null, status: 429 }), args(context));
    expect(lines).toEqual([expect.objectContaining({ level: "warn", msg: "page did not handle a refused call", status: 429, messageKey: "error.rateLimited", path: "/history" })]);
  });

  it("Remix's own refusal (a POST to a page without a form) is a debug line with the status and the reason", () => {
    const { lines, context } = capture();
    // the shape of Remix's internal error response (errorBodies.test.ts meets the real one over HTTP)
    const refusal = { status: 405, statusText: "Method Not Allowed", internal: true, data: 'Error: You made a POST request to "/dashboard"' };
    handleError(refusal, args(context, new Request("http://localhost/dashboard", { method: "POST" })));
    expect(lines).toEqual([expect.objectContaining({ level: "debug", msg: "page refused the request", status: 405, method: "POST", path: "/dashboard" })]);
    expect(lines[0]!.reason).toContain("You made a POST request");
  });

  it("a request the visitor abandoned logs nothing", () => {
    const { lines, context } = capture();
    const controller = new AbortController();
    controller.abort();
    handleError(new Error("aborted mid-loader"), args(context, new Request("http://localhost/dashboard", { signal: controller.signal })));
    expect(lines).toEqual([]);
  });
});
