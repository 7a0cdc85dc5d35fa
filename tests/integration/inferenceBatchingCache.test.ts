// The classifier's token-capped batches and its result cache, with the bundled ONNX model.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Classifier } from "../../server/inference/classifier.server.ts";
import { DEFAULT_MODEL_DIR } from "../../server/repoPaths.ts";

describe("Classifier batching and cache", () => {
  const runs: { rows: number; paddedTokens: number }[] = [];
  const lookups: [number, number][] = [];
  let classifier: Classifier;
  beforeAll(async () => {
    classifier = await Classifier.load(DEFAULT_MODEL_DIR, {
      threads: 1, batchSize: 32, batchWaitMs: 2, maxBatchTokens: 2048, cacheSize: 100,
      observer: { batchRun: (b) => runs.push(b), cacheLookups: (hits, misses) => lookups.push([hits, misses]) },
    });
  });
  afterAll(async () => {
    await classifier?.close();
  });

  it("runs one long review apart from the short ones instead of padding them all to its length", async () => {
    runs.length = 0;
    const short = Array.from({ length: 31 }, (_, i) => `Sản phẩm ${i} tốt`);
    const long = "Giao hàng nhanh, đóng gói cẩn thận, sản phẩm dùng rất ổn. ".repeat(12);
    await classifier.classify([...short, long]);
    expect(runs.length).toBe(2);
    for (const run of runs) expect(run.paddedTokens).toBeLessThanOrEqual(2048);
    expect(runs.map((r) => r.rows).sort((a, b) => a - b)).toEqual([1, 31]);
  });

  it("answers a repeated review (after normalisation) from the cache with the same result", async () => {
    runs.length = 0;
    lookups.length = 0;
    const [first] = await classifier.classify(["Hàng  kém chất lượng, không nên mua"]);
    const [again] = await classifier.classify(["Hàng kém chất lượng,   không nên mua "]);
    expect(again).toEqual(first);
    expect(runs.length).toBe(1);
    expect(lookups).toEqual([[0, 1], [1, 0]]);
    expect(classifier.cacheStats.hits).toBeGreaterThanOrEqual(1);
  });

  it("runs a single prediction before the batch-job work queued ahead of it, with the same answers either way", async () => {
    const reviews = Array.from({ length: 300 }, (_, i) => `Đơn hàng số ${i}: ${"giao hàng chậm, ".repeat(1 + (i % 9))}nhưng sản phẩm ổn`);
    const batch = classifier.classify(reviews, "background");
    // arrives when the whole batch is queued as runs ahead of it
    for (const until = Date.now() + 10_000; classifier.queuedRuns.background < 3; await new Promise((r) => setTimeout(r, 1))) {
      if (Date.now() > until) throw new Error(`the batch's texts never waited as background runs (queued: ${JSON.stringify(classifier.queuedRuns)})`);
    }
    const [singleResult] = await classifier.classify(["Nhân viên nhiệt tình, đồ ăn ngon"]);
    // answered after at most the run that was in progress: the batch's other runs are still waiting
    expect(classifier.queuedRuns.background).toBeGreaterThanOrEqual(1);
    const batchResults = await batch;
    expect(classifier.queuedRuns).toEqual({ interactive: 0, background: 0 });
    // a fresh classifier without cache computes the same texts in the interactive lane
    const plain = await Classifier.load(DEFAULT_MODEL_DIR, { threads: 1, batchSize: 32, batchWaitMs: 2, maxBatchTokens: 2048 });
    try {
      const again = await plain.classify(reviews.slice(0, 40));
      again.forEach((r, i) => {
        expect(r.label).toBe(batchResults[i]!.label);
        expect(r.confidence).toBeCloseTo(batchResults[i]!.confidence, 5);
      });
      expect(singleResult!.label).toBe((await plain.classify(["Nhân viên nhiệt tình, đồ ăn ngon"]))[0]!.label);
    } finally {
      await plain.close();
    }
  });
});

describe("Classifier batching wait", () => {
  // a wait far longer than any run: a text that waited it out would take ten seconds
  const WAIT_MS = 10_000;
  const runs: { rows: number; paddedTokens: number }[] = [];
  let runEnded: (() => void) | null = null;
  let classifier: Classifier;
  beforeAll(async () => {
    const batchRun = (b: { rows: number; paddedTokens: number }) => {
      runs.push(b);
      runEnded?.();
    };
    classifier = await Classifier.load(DEFAULT_MODEL_DIR, { threads: 1, batchSize: 32, batchWaitMs: WAIT_MS, maxBatchTokens: 2048, cacheSize: 0, observer: { batchRun } });
  });
  afterAll(async () => {
    await classifier?.close();
  });

  it("sends a text to an idle model at once, and texts of the same tick in one run", async () => {
    runs.length = 0;
    const started = performance.now();
    await classifier.classify(["Giao hàng nhanh"]);
    await Promise.all(["Pin trâu", "Màn hình đẹp", "Loa rè"].map((text) => classifier.classify([text])));
    expect(performance.now() - started).toBeLessThan(WAIT_MS / 2);
    expect(runs.map((r) => r.rows)).toEqual([1, 3]);
  });

  it("while its runs are in flight, collects texts sent one by one and sends them together when a run ends", async () => {
    // four runs of 8 long texts (2,048 padded tokens each) keep the model's one interactive slot busy
    const longTexts = Array.from({ length: 32 }, (_, i) => `Đơn ${i}: ${"giao hàng chậm, đóng gói tệ, ".repeat(30)}`);
    // the encoder remembers them now, so the call below queues all 32 at once instead of in slices that yield to the
    // event loop (between which the slot may be free, and a text sent then rightly goes at once)
    await classifier.classify(longTexts);
    runs.length = 0;
    const started = performance.now();
    const firstRun = new Promise<void>((resolve) => (runEnded = resolve));
    const busy = classifier.classify(longTexts);
    await firstRun;
    const later: Promise<unknown>[] = [];
    for (const text of ["Pin trâu", "Màn hình đẹp", "Loa rè"]) {
      await new Promise((r) => setImmediate(r));
      later.push(classifier.classify([text]));
    }
    await Promise.all([busy, ...later]);
    expect(performance.now() - started).toBeLessThan(WAIT_MS / 2);
    // the long texts' runs are told apart by their width, not by their row count
    const shortRuns = runs.filter((r) => r.paddedTokens / r.rows < 32);
    expect(shortRuns.map((r) => r.rows)).toEqual([3]);
    expect(runs.reduce((sum, r) => sum + r.rows, 0)).toBe(35);
  });
});
