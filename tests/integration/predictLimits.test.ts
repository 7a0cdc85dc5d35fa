// Prediction limits that hold under tRPC batching, with the real model: the per-request text limit counts
// every call of a batch, per-account limits answer 429 with Retry-After and RateLimit-* headers (tRPC and
// REST), and texts nobody can read (invisible characters only) or that hold NUL are refused before classifying.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";

describe.each(DATABASES)("prediction limits on %s", (database) => {
  let server: TestServer;
  let auth: Record<string, string>;
  const predictionCount = () => server.services.db.prisma.prediction.count();

  beforeAll(async () => {
    server = await startTestServer(database, { MAX_TEXTS_PER_REQUEST: "100", TRPC_MAX_BATCH: "20", PREDICTIONS_PER_MINUTE_PER_ACCOUNT: "150" });
    const reg = await trpcPost(server.url, "auth.register", { email: "limits@example.com", password: "limits-password-1" });
    auth = { authorization: `Bearer ${reg.json.result.data.token}` };
  });
  afterAll(async () => {
    await server?.close();
  });

  const batch = (calls: number, textsEach: number) => {
    const procedures = Array(calls).fill("predict.many").join(",");
    const body = Object.fromEntries(Array.from({ length: calls }, (_, c) => [String(c), { texts: Array.from({ length: textsEach }, (_, i) => `Hàng tốt ${c}-${i}`) }]));
    return fetch(`${server.url}/api/trpc/${procedures}?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify(body),
    });
  };

  it("classifies no more than MAX_TEXTS_PER_REQUEST texts from 20 × predict.many in one request", async () => {
    const before = await predictionCount();
    const res = await batch(20, 100);
    const results = (await res.json()) as Array<{ result?: unknown; error?: { message: string; data: { httpStatus: number } } }>;
    expect(results.filter((r) => r.result)).toHaveLength(1);
    const refused = results.filter((r) => r.error);
    expect(refused).toHaveLength(19);
    expect(refused[0]!.error!.data.httpStatus).toBe(400);
    expect(refused[0]!.error!.message).toMatch(/limit is 100 per request/);
    expect((await predictionCount()) - before).toBe(100);
  });

  it("refuses a batch request of more than TRPC_MAX_BATCH procedures without running any", async () => {
    const before = await predictionCount();
    const res = await batch(21, 1);
    expect(res.status).toBe(400);
    // the project's error shape, naming the count and the limit (tRPC's own answer named neither)
    expect(await res.json()).toEqual({
      error: { code: "BAD_REQUEST", message: "Too many calls in one batch request: 21, the limit is 20 (TRPC_MAX_BATCH)", messageKey: "error.batchTooLarge", field: null },
    });
    expect(await predictionCount()).toBe(before);
  });

  it("answers with RateLimit-* headers, then 429 with Retry-After once the account's predictions per minute are used", async () => {
    // 100 of 150 were used by the first test
    const ok = await trpcPost(server.url, "predict.many", { texts: Array.from({ length: 40 }, (_, i) => `Ổn ${i}`) }, auth);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("ratelimit-limit")).toBe("150");
    expect(ok.headers.get("ratelimit-remaining")).toBe("10");
    expect(Number(ok.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    const before = await predictionCount();
    const over = await trpcPost(server.url, "predict.many", { texts: Array.from({ length: 20 }, (_, i) => `Quá ${i}`) }, auth);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(over.headers.get("ratelimit-remaining")).toBe("0");
    expect(await predictionCount()).toBe(before);
  });

  it.each([["\u200B\u200C\u200D"], ["\uFEFF \u2060"], ["\u3164\u3164"], ["\u00A0\u3000\t"]])("refuses a text of only invisible characters (%j) like an empty one", async (text) => {
    const before = await predictionCount();
    const res = await trpcPost(server.url, "predict.single", { text }, auth);
    expect(res.status).toBe(400);
    expect(res.json.error.data.messageKey).toBe("predict.emptyText");
    const many = await trpcPost(server.url, "predict.many", { texts: ["Tốt", text] }, auth);
    expect(many.status).toBe(400);
    expect(many.json.error.data.field).toBe("texts.1");
    expect(await predictionCount()).toBe(before);
  });

  it("refuses a NUL character in a text with 400 and a message, storing nothing", async () => {
    const before = await predictionCount();
    const res = await trpcPost(server.url, "predict.many", { texts: ["Tốt", "giao\u0000hàng"] }, auth);
    expect(res.status).toBe(400);
    expect(res.json.error.data.messageKey).toBe("error.nulCharacter");
    expect(res.json.error.message).toMatch(/texts\.1: .*NUL/);
    expect(await predictionCount()).toBe(before);
  });
});
