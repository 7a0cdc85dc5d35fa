// Token-capped micro-batches and the result cache behind classify().
import { describe, expect, it } from "vitest";
import { planBatches } from "../../server/inference/batchPlanner.ts";
import { classifyThroughCache, ResultCache } from "../../server/inference/resultCache.ts";

describe("planBatches", () => {
  it("keeps one long window from padding the short ones", () => {
    const lengths = [...Array(31).fill(10), 254];
    const batches = planBatches(lengths, 32, 4096);
    expect(batches).toEqual([[0, 31], [31, 32]]);
    for (const [s, e] of batches) expect((e - s) * (lengths[e - 1]! + 2)).toBeLessThanOrEqual(4096);
  });
  it("caps rows as well as tokens, and gives an over-long window a batch of its own", () => {
    expect(planBatches(Array(70).fill(5), 32, 1_000_000)).toEqual([[0, 32], [32, 64], [64, 70]]);
    expect(planBatches([300, 300], 32, 100)).toEqual([[0, 1], [1, 2]]);
    expect(planBatches([], 32, 100)).toEqual([]);
  });
});

describe("ResultCache", () => {
  it("evicts the least recently used entry and counts hits and misses", () => {
    const cache = new ResultCache<number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1);
    cache.set("c", 3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
    expect([cache.hits, cache.misses, cache.size]).toEqual([3, 1, 2]);
  });

  it("computes each distinct key once, answers repeats from the cache, and returns copies in order", async () => {
    const cache = new ResultCache<{ v: string }>(10);
    const computed: string[][] = [];
    const compute = async (texts: string[]) => {
      computed.push(texts);
      return texts.map((t) => ({ v: t.toUpperCase() }));
    };
    const key = (t: string) => t.trim();
    const first = await classifyThroughCache(cache, ["a", " a", "b"], key, compute, (x) => ({ ...x }));
    expect(first.map((r) => r.v)).toEqual(["A", "A", "B"]);
    const second = await classifyThroughCache(cache, ["b", "c", "a "], key, compute, (x) => ({ ...x }));
    expect(second.map((r) => r.v)).toEqual(["B", "C", "A"]);
    expect(computed).toEqual([["a", "b"], ["c"]]);
    second[0]!.v = "changed";
    expect((await classifyThroughCache(cache, ["b"], key, compute, (x) => ({ ...x })))[0]!.v).toBe("B");
  });

  it("gives the event loop a turn while it keys a batch chunk's texts, not only after the last", async () => {
    const cache = new ResultCache<{ v: string }>(1000);
    let turnTaken = false;
    const keyedAfterTurn: boolean[] = [];
    // a slow key (1 ms each, 40 texts): a request arriving meanwhile must not wait for all forty
    const key = (t: string) => {
      for (const until = performance.now() + 1; performance.now() < until; );
      keyedAfterTurn.push(turnTaken);
      return t;
    };
    setImmediate(() => (turnTaken = true));
    const texts = Array.from({ length: 40 }, (_, i) => `text ${i}`);
    await classifyThroughCache(cache, texts, key, async (missing) => missing.map((v) => ({ v })), (x) => x);
    expect(keyedAfterTurn.filter(Boolean).length).toBeGreaterThan(0);
    expect(keyedAfterTurn[0]).toBe(false);
  });
});

describe("planBatches length buckets", () => {
  it("starts a new batch where padding would exceed 30% of the real tokens", () => {
    const lengths = [10, 10, 11, 12, 30, 31, 33, 120];
    const batches = planBatches(lengths, 32, 100_000);
    expect(batches).toEqual([[0, 4], [4, 7], [7, 8]]);
    for (const [s, e] of batches) {
      const real = lengths.slice(s, e).reduce((n, l) => n + l + 2, 0);
      expect((e - s) * (lengths[e - 1]! + 2)).toBeLessThanOrEqual(1.3 * real);
    }
  });
});
