// What Remix hands app/entry.server.tsx's handleError, and where each kind goes: one line in the server's logger
// for an error nobody converted, nothing more for what the server's caller converted (and logged) already, and
// nothing for a visitor who left.
import { Writable } from "node:stream";
import type { AppLoadContext } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { handleError } from "../../app/entry.server.tsx";
import { attachActionError, INTERNAL_ACTION_ERROR } from "../../common/actionError.ts";
import { createLogger } from "../../server/observability/logger.server.ts";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: "debug",
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  });
  return { lines, context: { logger } as unknown as AppLoadContext };
}

const args = (context: AppLoadContext, request = new Request("http://localhost/history?page=2")) => ({ request, context, params: {} });

describe("handleError (what Remix caught in a page)", () => {
  it("an error nobody converted is one error line with its stack, the method and the path", () => {
    const { lines, context } = capture();
    handleError(new Error("boom in a loader"), args(context));
    expect(lines).toEqual([expect.objectContaining({ level: "error", msg: "page failed", method: "GET", path: "/history" })]);
    expect((lines[0]!.err as { message: string; stack: string }).message).toBe("boom in a loader");
    expect((lines[0]!.err as { stack: string }).stack).toContain("pageErrorLogging.test.ts");
  });

  it("an error the server's caller converted (and logged if it was internal) is not logged again", () => {
    const { lines, context } = capture();
    handleError(attachActionError(new Error("database said no"), INTERNAL_ACTION_ERROR), args(context));
    expect(lines).toEqual([]);
  });

  it("a request the visitor abandoned logs nothing", () => {
    const { lines, context } = capture();
    const controller = new AbortController();
    controller.abort();
    handleError(new Error("aborted mid-loader"), args(context, new Request("http://localhost/dashboard", { signal: controller.signal })));
    expect(lines).toEqual([]);
  });
});
