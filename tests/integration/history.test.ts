// history.list / history.delete over real HTTP, on predictions the real model made and the real databases stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, startTestServer, trpcGet, trpcPost, type TestServer } from "../support/testServer.ts";

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
  let server: TestServer;
  let alice: Record<string, string>;
  let bob: Record<string, string>;

  const list = async (input: Record<string, unknown> = {}, auth = alice) => trpcGet(server.url, "history.list", auth, input);
  const items = async (input: Record<string, unknown> = {}, auth = alice): Promise<Item[]> => (await list(input, auth)).json.result.data.items;
  const texts = async (search: string) => (await items({ search })).map((i) => i.text).sort();

  beforeAll(async () => {
    server = await startTestServer(database, { HISTORY_PAGE_SIZE: "4", HISTORY_MAX_PAGE_SIZE: "10", SEARCH_MAX_CHARS: "50" });
    const token = async (email: string) =>
      (await trpcPost(server.url, "auth.register", { email, password: "history-password" })).json.result.data.token as string;
    alice = { authorization: `Bearer ${await token("alice@example.com")}` };
    bob = { authorization: `Bearer ${await token("bob@example.com")}` };
    expect((await trpcPost(server.url, "predict.many", { texts: TEXTS }, alice)).status).toBe(200);
    expect((await trpcPost(server.url, "predict.single", { text: "Bob's own: tuyệt vời" }, bob)).status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("pages through every prediction newest first, each exactly once, even as new ones arrive", async () => {
    const first = await list();
    expect(first.status).toBe(200);
    expect(first.json.result.data.items).toHaveLength(4);
    const latest = await trpcPost(server.url, "predict.single", { text: "Mới nhất: bình thường" }, alice);
    const seen: Item[] = [...first.json.result.data.items];
    let cursor: string | null = first.json.result.data.nextCursor;
    while (cursor) {
      const page = (await list({ cursor })).json.result.data;
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    // predict.many's texts come back newest first: the last of the request first.
    expect(seen.map((i) => i.text)).toEqual([...TEXTS].reverse());
    const times = seen.map((i) => Date.parse(i.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await items())[0]!.id).toBe(latest.json.result.data.id);
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
    const all = (await list({ search: "giao", limit: 10 })).json.result.data;
    const counts: Record<string, number> = all.labelCounts;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(all.items.length);
    for (const label of Object.keys(counts)) {
      const page = (await list({ search: "giao", label, limit: 10 })).json.result.data;
      expect(page.items.map((i: Item) => i.label)).toEqual(Array(counts[label]).fill(label));
      expect(page.labelCounts).toEqual(counts);
    }
    const uncounted = (await list({ search: "giao", limit: 10, withCounts: false })).json.result.data;
    expect(uncounted).toMatchObject({ items: all.items, labelCounts: null });
  });

  it("deletes one's own prediction, not someone else's", async () => {
    const [target] = await items({ search: "thất vọng" });
    const bobTries = await trpcPost(server.url, "history.delete", { id: target!.id }, bob);
    expect(bobTries.status).toBe(404);
    expect(bobTries.json.error.message).toMatch(/No such prediction in your history/);
    expect(await texts("thất vọng")).toHaveLength(1);

    expect((await trpcPost(server.url, "history.delete", { id: target!.id }, alice)).status).toBe(200);
    expect(await texts("thất vọng")).toEqual([]);
    expect((await trpcPost(server.url, "history.delete", { id: target!.id }, alice)).status).toBe(404);
    expect(await server.services.db.prisma.prediction.count({ where: { text: TEXTS[0] } })).toBe(1);
  });

  it.each([
    ["a cursor it did not give out", { cursor: "bm90LWEtY3Vyc29y" }, /cursor is not one this server gave out/],
    ["a search over SEARCH_MAX_CHARS", { search: "a".repeat(51) }, /search is too long: 51 characters, the limit is 50/],
    ["a limit over HISTORY_MAX_PAGE_SIZE", { limit: 11 }, /limit 11 is too large: at most 10/],
    ["a limit of 0", { limit: 0 }, /limit must be at least 1/],
    ["a search that is not a string", { search: 7 }, /search must be a string/],
  ])("rejects %s with 400", async (_what, input, message) => {
    const res = await list(input);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(message);
  });

  it("rejects a malformed id and visitors without an account", async () => {
    const bad = await trpcPost(server.url, "history.delete", { id: "42" }, alice);
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/id is not a prediction id/);
    expect((await trpcGet(server.url, "history.list")).status).toBe(401);
    expect((await trpcPost(server.url, "history.delete", { id: crypto.randomUUID() })).status).toBe(401);
  });
});
