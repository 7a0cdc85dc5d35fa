// Router logic without HTTP: the real services (real database, real model) and a tRPC caller per user, its
// context built with createContextInner as tRPC's own examples do. For tests of what a procedure decides
// (validation, ownership, paging); what a transport adds (status lines, headers, cookies) stays in HTTP tests.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { loadConfig } from "../../server/config.server.ts";
import { loadClassifier } from "../../server/main.ts";
import { RequestBudget } from "../../server/rateLimit/requestBudget.server.ts";
import { closeServices, createServices, type AppServices } from "../../server/services.server.ts";
import { createCaller, type AppCaller } from "../../server/trpc/root.server.ts";
import { createContextInner, describeError } from "../../server/trpc/trpc.server.ts";
import { createScratchDatabase, type DatabaseKind } from "./testServer.ts";

export type RouterHarness = {
  services: AppServices;
  /** A caller for one "request": anonymous, or acting as the owner of `token` (from `register`). */
  caller(token?: string): Promise<AppCaller>;
  /** Creates an account; answers its bearer token. */
  register(email: string, password: string): Promise<string>;
  close(): Promise<void>;
};

export async function startRouterHarness(database: DatabaseKind, env: Record<string, string> = {}): Promise<RouterHarness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "camxuc-router-"));
  const scratch = database === "postgres" ? await createScratchDatabase() : null;
  const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dataDir, LOG_LEVEL: "warn", ...(scratch ? { DATABASE_URL: scratch.url } : {}), ...env });
  const services = await createServices(config, loadClassifier);
  const caller = async (token?: string) => {
    const resolved = token ? await services.auth.validateToken(token, "bearer") : null;
    if (token && !resolved) throw new Error("not a valid token");
    return createCaller(
      createContextInner({
        services, user: resolved?.user ?? null, session: resolved?.session ?? null, clientIp: "127.0.0.1", transport: "http", secure: false,
        setCookie: () => undefined, budget: new RequestBudget(config.MAX_TEXTS_PER_REQUEST),
      }),
    );
  };
  return {
    services,
    caller,
    async register(email, password) {
      const answer = await (await caller()).auth.register({ email, password });
      if (!answer.token) throw new Error("no token: the caller's transport is not http");
      return answer.token;
    },
    async close() {
      await closeServices(services);
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What an HTTP client would be told for a refused call: its status and message (the one description). */
export async function refusal(call: Promise<unknown>): Promise<{ status: number; message: string; messageKey: string | null }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const { message, messageKey } = describeError(error);
    return { status: getHTTPStatusCodeFromError(error), message, messageKey };
  }
  throw new Error("the call succeeded");
}
