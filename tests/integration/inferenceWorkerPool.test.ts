// The inference worker pool's failure paths with the bundled model: a worker that dies mid-run is replaced and
// the run retried once, a second death fails the run with a typed 503 error, and shutdown drains the pool.
import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../../server/errors.ts";
import { Classifier } from "../../server/inference/classifier.server.ts";
import { InferencePool, InferenceWorkerCrashed } from "../../server/inference/workerPool.server.ts";
import { DEFAULT_MODEL_DIR } from "../../server/repoPaths.ts";
import { longReviews } from "../support/longReviews.ts";

const options = { threads: 1, batchSize: 32, batchWaitMs: 0, maxBatchTokens: 4096, cacheSize: 0 };

/** Waits until a worker holds a run. */
async function untilBusy(pool: InferencePool): Promise<void> {
  for (const until = Date.now() + 30_000; pool.busyWorkers === 0; await new Promise((r) => setImmediate(r))) {
    if (Date.now() > until) throw new Error("no worker ever picked up the run");
  }
}

describe("InferencePool", () => {
  let pool: InferencePool | null = null;
  let classifier: Classifier | null = null;
  afterEach(async () => {
    await classifier?.close();
    await pool?.close();
  });

  it("replaces a worker that dies mid-run and retries its run once, with the same answers", async () => {
    const exits: { exitCode: number; retried: number; error: string | undefined }[] = [];
    pool = new InferencePool(1, { workerExited: ({ exitCode, retried, error }) => exits.push({ exitCode, retried, error: error?.message }) });
    classifier = await Classifier.load(DEFAULT_MODEL_DIR, { ...options, pool });
    const reviews = longReviews(16);
    const expected = await classifier.classify(reviews, "background");
    const [before] = pool.threadIds;
    // the worker that receives the run dies without answering (an uncaught error in the thread)
    pool.crashNextRuns(1);
    expect(await classifier.classify(reviews, "background")).toEqual(expected);
    expect(exits).toEqual([{ exitCode: 1, retried: 1, error: "inference worker: crash requested by a test" }]);
    expect(pool.liveWorkers).toBe(1);
    expect(pool.threadIds).not.toContain(before);
    // the replacement serves new work too
    expect((await classifier.classify(["Hàng tệ quá"]))[0]!.label).toBe("negative");
  });

  it("fails a run whose worker dies twice with a typed 503 error, and keeps serving", async () => {
    pool = new InferencePool(1);
    classifier = await Classifier.load(DEFAULT_MODEL_DIR, { ...options, pool });
    // the run and its retry (on the replacement) both lose their worker
    pool.crashNextRuns(2);
    const error = await classifier.classify(longReviews(16), "background").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InferenceWorkerCrashed);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "SERVICE_UNAVAILABLE", messageKey: "predict.inferenceWorkerCrashed" });
    expect((error as Error).message).toMatch(/worker stopped twice/);
    expect((await classifier.classify(["Sản phẩm rất tốt"]))[0]!.label).toBe("positive");
  });

  it("on close, lets the run in progress finish, refuses new runs and ends every worker thread", async () => {
    pool = new InferencePool(2);
    classifier = await Classifier.load(DEFAULT_MODEL_DIR, { ...options, pool });
    const running = classifier.classify(longReviews(16), "background");
    await untilBusy(pool);
    await pool.close();
    const results = await running;
    expect(results).toHaveLength(16);
    expect(pool.liveWorkers).toBe(0);
    await expect(classifier.classify(["Một câu mới"])).rejects.toThrow(/closed/);
  });

  it("a classifier that owns its pool ends its workers when it closes", async () => {
    const own = await Classifier.load(DEFAULT_MODEL_DIR, { ...options, workers: 2 });
    expect(own.workers).toBe(2);
    const running = own.classify(longReviews(16), "background");
    await new Promise((r) => setTimeout(r, 0));
    await own.close();
    expect(await running).toHaveLength(16);
  });

  it("hosts two models in one pool: both answer, and releasing one leaves the other serving", async () => {
    pool = new InferencePool(2);
    classifier = await Classifier.load(DEFAULT_MODEL_DIR, { ...options, pool });
    const second = await Classifier.load(DEFAULT_MODEL_DIR, { ...options, pool });
    const [a, b] = await Promise.all([classifier.classify(["Hàng kém chất lượng"]), second.classify(["Hàng kém chất lượng"], "background")]);
    expect(b).toEqual(a);
    await second.close();
    expect(pool.liveWorkers).toBe(2);
    expect((await classifier.classify(["Giao hàng nhanh, rất hài lòng"]))[0]!.label).toBe("positive");
  });
});
