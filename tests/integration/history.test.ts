// history.list / history.delete through the router (no HTTP: createContextInner), on predictions the real model
// made and the real databases stored. The HTTP answers for the same errors are tests/unit/errorAnswers.test.ts's
// one conversion; paging and 401 over HTTP are in restRoutes.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppCaller } from "../../server/trpc/root.server.ts";
import { refusal, startRouterHarness, type RouterHarness } from "../support/routerContext.ts";
import { DATABASES } from "../support/testServer.ts";

type Item = { id: string; text: string; label: string; createdAt: string };

const TEXTS = [
  "Giao hàng rất nhanh, đóng gói cẩn thận",
  "ĐÓNG GÓI ĐẸP, hàng y hình",
  "Giao chậm quá, chờ cả tuần",
  "100% hài lòng",
  "mã giảm_giá không dùng được",
  "Sản phẩm tệ, thất vọng",
];

describe.each(DATABASES)("history on %s", (database) => {
  let harness: RouterHarness;
  let alice: string;
  let bob: string;
  const as = (token?: string): Promise<AppCaller> => harness.caller(token);

  // Inputs the schema refuses are sent as they would arrive over HTTP: untyped.
  const list = async (input: Record<string, unknown> = {}, token = alice) => (await as(token)).history.list(input as never);
  const items = async (input: Record<string, unknown> = {}, token = alice): Promise<Item[]> => (await list(input, token)).items;
  const texts = async (search: string) => (await items({ search })).map((i) => i.text).sort();

  beforeAll(async () => {
    harness = await startRouterHarness(database, { HISTORY_PAGE_SIZE: "4", HISTORY_MAX_PAGE_SIZE: "10", SEARCH_MAX_CHARS: "50" });
    alice = await harness.register("alice@example.com", "history-password");
    bob = await harness.register("bob@example.com", "history-password");
    await (await as(alice)).predict.many({ texts: TEXTS });
    await (await as(bob)).predict.single({ text: "Bob's own: tuyệt vời" });
  }, 300_000);
  afterAll(async () => {
    await harness?.close();
  });

  it("pages through every prediction newest first, each exactly once, even as new ones arrive", async () => {
    const first = await list();
    expect(first.items).toHaveLength(4);
    const latest = await (await as(alice)).predict.single({ text: "Mới nhất: bình thường" });
    const seen: Item[] = [...first.items];
    let cursor: string | null = first.nextCursor;
    while (cursor) {
      const page = await list({ cursor });
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    // predict.many's texts come back newest first: the last of the request first.
    expect(seen.map((i) => i.text)).toEqual([...TEXTS].reverse());
    const times = seen.map((i) => Date.parse(i.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await items())[0]!.id).toBe((latest as { id: string }).id);
    expect((await items({ limit: 10 })).map((i) => i.text)).not.toContain("Bob's own: tuyệt vời");
  });

  it("searches without accents or case, every word must match, and % or _ are plain characters", async () => {
    expect(await texts("giao hang")).toEqual(["Giao hàng rất nhanh, đóng gói cẩn thận"]);
    expect(await texts("GIAO")).toEqual(["Giao chậm quá, chờ cả tuần", "Giao hàng rất nhanh, đóng gói cẩn thận"]);
    expect(await texts("đóng gói")).toEqual(["Giao hàng rất nhanh, đóng gói cẩn thận", "ĐÓNG GÓI ĐẸP, hàng y hình"]);
    expect(await texts("dep dong")).toEqual(["ĐÓNG GÓI ĐẸP, hàng y hình"]);
    expect(await texts("%")).toEqual(["100% hài lòng"]);
    expect(await texts("_")).toEqual(["mã giảm_giá không dùng được"]);
    expect(await texts("giao tuyệt")).toEqual([]);
  });

  it("filters by label and counts matches per label before that filter", async () => {
    const all = await list({ search: "giao", limit: 10 });
    const counts = all.labelCounts as Record<string, number>;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(all.items.length);
    for (const label of Object.keys(counts)) {
      const page = await list({ search: "giao", label, limit: 10 });
      expect(page.items.map((i: Item) => i.label)).toEqual(Array(counts[label]).fill(label));
      expect(page.labelCounts).toEqual(counts);
    }
    const uncounted = await list({ search: "giao", limit: 10, withCounts: false });
    expect(uncounted).toMatchObject({ items: all.items, labelCounts: null });
  });

  it("deletes one's own prediction, not someone else's", async () => {
    const [target] = await items({ search: "thất vọng" });
    const bobTries = await refusal((await as(bob)).history.delete({ id: target!.id }));
    expect(bobTries.status).toBe(404);
    expect(bobTries.message).toMatch(/No such prediction in your history/);
    expect(await texts("thất vọng")).toHaveLength(1);

    await (await as(alice)).history.delete({ id: target!.id });
    expect(await texts("thất vọng")).toEqual([]);
    expect((await refusal((await as(alice)).history.delete({ id: target!.id }))).status).toBe(404);
    expect(await harness.services.db.prisma.prediction.count({ where: { text: TEXTS[0] } })).toBe(1);
  });

  it.each([
    ["a cursor it did not give out", { cursor: "bm90LWEtY3Vyc29y" }, /cursor is not one this server gave out/],
    ["a search over SEARCH_MAX_CHARS", { search: "a".repeat(51) }, /search is too long: 51 characters, the limit is 50/],
    ["a limit over HISTORY_MAX_PAGE_SIZE", { limit: 11 }, /limit 11 is too large: at most 10/],
    ["a limit of 0", { limit: 0 }, /limit must be at least 1/],
    ["a search that is not a string", { search: 7 }, /search must be a string/],
  ])("rejects %s with 400", async (_what, input, message) => {
    const res = await refusal(list(input));
    expect(res.status).toBe(400);
    expect(res.message).toMatch(message);
  });

  it("rejects a malformed id and visitors without an account", async () => {
    const bad = await refusal((await as(alice)).history.delete({ id: "42" }));
    expect(bad.status).toBe(400);
    expect(bad.message).toMatch(/id is not a prediction id/);
    expect((await refusal((await as()).history.list({}))).status).toBe(401);
    expect((await refusal((await as()).history.delete({ id: crypto.randomUUID() }))).status).toBe(401);
  });
});
