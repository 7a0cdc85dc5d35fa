// insights.overview through the router (no HTTP: createContextInner): label totals, days in Vietnam's time and
// word counts per label, from predictions the real model made and the real databases stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startRouterHarness, type RouterHarness } from "../support/routerContext.ts";
import { DATABASES } from "../support/testServer.ts";

type Overview = {
  total: number;
  labelCounts: Record<string, number>;
  daily: { day: string; counts: Record<string, number> }[];
  terms: Record<string, { term: string; count: number; score?: number }[]>;
  termsFromTexts: number;
};

const TEXTS = [
  "Sản phẩm rất tốt, giao hàng nhanh",
  "Sản phẩm tốt, đóng gói đẹp 😍",
  "Sản phẩm lỗi, shop không trả lời",
  "Chất lượng kém, thất vọng",
  "Hàng bình thường",
];
const HOUR = 60 * 60 * 1000;
/** Today's date in Vietnam (UTC+7, no daylight saving) and the UTC instant of its midnight. */
function vietnamToday(): { day: string; midnight: number } {
  const day = new Date(Date.now() + 7 * HOUR).toISOString().slice(0, 10);
  return { day, midnight: Date.parse(`${day}T00:00:00Z`) - 7 * HOUR };
}

describe.each(DATABASES)("insights on %s", (database) => {
  let harness: RouterHarness;
  let user: string;
  let userId: string;
  const overview = async (token: string): Promise<Overview> => (await harness.caller(token)).insights.overview() as Promise<Overview>;
  const termCount = (o: Overview, term: string) => Object.values(o.terms).flat().filter((t) => t.term === term).reduce((a, t) => a + t.count, 0);

  beforeAll(async () => {
    harness = await startRouterHarness(database, { DASHBOARD_DAYS: "7", WORDCLOUD_MAX_TEXTS: "4", WORDCLOUD_TERMS: "50" });
    user = await harness.register("insights@example.com", "insights-password");
    userId = (await (await harness.caller(user)).auth.me())!.user.id;
    for (const text of TEXTS) await (await harness.caller(user)).predict.single({ text });
  }, 300_000);
  afterAll(async () => {
    await harness?.close();
  });

  it("totals the labels the model gave and counts them on today's date in Vietnam", async () => {
    const o = await overview(user);
    expect(o.total).toBe(TEXTS.length);
    const rows = await harness.services.db.prisma.prediction.groupBy({ by: ["label"], where: { userId }, _count: { _all: true } });
    expect(o.labelCounts).toEqual(Object.fromEntries(rows.map((r) => [r.label, r._count._all])));
    expect(o.daily.map((d) => d.day)).toHaveLength(7);
    expect(o.daily.at(-1)).toEqual({ day: vietnamToday().day, counts: o.labelCounts });
    expect(o.daily.slice(0, -1).every((d) => Object.keys(d.counts).length === 0)).toBe(true);
  });

  it("puts a prediction made just before or after midnight in Vietnam on the right day", async () => {
    const { midnight } = vietnamToday();
    const base = { userId, label: "neutral", confidence: 0.5, probabilities: {}, tokenCount: 1, modelId: "m", modelVersion: "0", source: "single" as const };
    await harness.services.db.prisma.prediction.createMany({
      data: [
        { ...base, id: crypto.randomUUID(), text: "trước nửa đêm", searchText: "truoc nua dem", createdAt: new Date(midnight - HOUR / 2) },
        { ...base, id: crypto.randomUUID(), text: "sau nửa đêm", searchText: "sau nua dem", createdAt: new Date(midnight + HOUR / 2) },
        { ...base, id: crypto.randomUUID(), text: "quá cũ", searchText: "qua cu", createdAt: new Date(midnight - 7 * 24 * HOUR) },
      ],
    });
    const o = await overview(user);
    const today = o.daily.at(-1)!;
    const yesterday = o.daily.at(-2)!;
    const todayBefore = TEXTS.length;
    expect(Object.values(today.counts).reduce((a, b) => a + b, 0)).toBe(todayBefore + 1);
    expect(yesterday.counts).toEqual({ neutral: 1 });
    expect(o.daily.reduce((a, d) => a + Object.values(d.counts).reduce((x, y) => x + y, 0), 0)).toBe(todayBefore + 2);
    expect(o.total).toBe(todayBefore + 3);
    await harness.services.db.prisma.prediction.deleteMany({ where: { modelId: "m" } });
  });

  it("picks each label's distinctive words from the newest WORDCLOUD_MAX_TEXTS texts, counted once per text, without stopwords", async () => {
    const o = await overview(user);
    expect(o.termsFromTexts).toBe(4);
    // The newest four: everything but "Sản phẩm rất tốt, giao hàng nhanh". A word of one label only is always
    // distinctive of it; "sản phẩm" (in two texts) is kept only where it is relatively more frequent.
    expect(termCount(o, "sản phẩm")).toBeGreaterThanOrEqual(1);
    expect(termCount(o, "sản phẩm")).toBeLessThanOrEqual(2);
    expect(termCount(o, "tốt")).toBe(1);
    expect(termCount(o, "thất vọng")).toBe(1);
    expect(termCount(o, "nhanh")).toBe(0);
    expect(termCount(o, "<3")).toBe(1);
    for (const stopword of ["rất", "không", "của"]) expect(termCount(o, stopword)).toBe(0);
    for (const [label, terms] of Object.entries(o.terms)) {
      expect(o.labelCounts[label]).toBeGreaterThan(0);
      if (Object.keys(o.terms).length > 1) expect(terms.map((t) => t.score!)).toEqual([...terms.map((t) => t.score!)].sort((a, b) => b - a));
      else expect(terms.map((t) => t.count)).toEqual([...terms.map((t) => t.count)].sort((a, b) => b - a));
      for (const t of terms) expect(t.count).toBeLessThanOrEqual(o.labelCounts[label]!);
    }
  });

  it("shows nobody else's predictions, and needs an account", async () => {
    const o = await overview(await harness.register("empty@example.com", "insights-password"));
    expect(o).toMatchObject({ total: 0, labelCounts: {}, terms: {}, termsFromTexts: 0 });
    expect(o.daily.every((d) => Object.keys(d.counts).length === 0)).toBe(true);
    expect((await refusal((await harness.caller()).insights.overview())).status).toBe(401);
  });
});
