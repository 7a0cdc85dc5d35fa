// The inference worker pool's failure paths with the bundled model: a worker that dies mid-run is replaced and
// the run retried once, a second death fails the run with a typed 503 error, and shutdown drains the pool.
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../../server/errors.ts";
import { Classifier } from "../../server/inference/classifier.server.ts";
import { InferencePool, InferenceWorkerCrashed } from "../../server/inference/workerPool.server.ts";
import { readModelFolder } from "../../server/inference/modelFolder.server.ts";
import { inferenceSessionOptions } from "../../server/inference/sessionOptions.ts";
import type { WireTensor } from "../../server/inference/workerProtocol.ts";
import { DEFAULT_MODEL_DIR } from "../../server/repoPaths.ts";
import { longReviews } from "../support/longReviews.ts";

const options = { threads: 1, batchSize: 32, batchWaitMs: 0, maxBatchTokens: 4096, cacheSize: 0 };

/** Waits until a worker holds a run. */
async function untilBusy(pool: InferencePool): Promise<void> {
  for (const until = Date.now() + 30_000; pool.busyWorkers === 0; await new Promise((r) => setImmediate(r))) {
    if (Date.now() > until) throw new Error("no worker ever picked up the run");
  }
}

/** Feeds for one run of the bundled model: `rows` rows of `width` tokens (any ids: only the run's length matters here). */
function feeds(rows: number, width: number): Record<string, WireTensor> {
  const dims = [rows, width];
  return { input_ids: { type: "int64", data: new BigInt64Array(rows * width).fill(5n), dims }, attention_mask: { type: "int64", data: new BigInt64Array(rows * width).fill(1n), dims } };
}

/** The nice value of each thread of this process (field 19 of /proc/self/task/TID/stat). */
function threadNiceValues(): number[] {
  return readdirSync("/proc/self/task").map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ")[16]));
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

  it("keeps a worker for interactive runs: a short one finishes while a long background run holds the shared worker", async () => {
    pool = new InferencePool(1, {}, { interactiveWorkers: 1 });
    expect(pool.capacity).toEqual({ interactive: 2, background: 1 });
    const model = await pool.loadModel(readModelFolder(DEFAULT_MODEL_DIR).modelPath, inferenceSessionOptions(1) as Record<string, unknown>);
    const finished: string[] = [];
    // a batch-sized run (hundreds of milliseconds), and more batch work queued behind it
    const background = [pool.run(model, "background", feeds(32, 256)), pool.run(model, "background", feeds(32, 256))].map((run, i) => run.then(() => finished.push(`background ${i}`)));
    await untilBusy(pool);
    // with one worker for everything, this run would wait for the background run in progress
    await pool.run(model, "interactive", feeds(1, 8)).then(() => finished.push("interactive"));
    await Promise.all(background);
    expect(finished).toEqual(["interactive", "background 0", "background 1"]);
    // the kept worker never took background work: the two background runs went one after the other
    expect(pool.liveWorkers).toBe(2);
  });

  it("runs the shared workers' threads at the nice value it is given, and the kept interactive worker at normal priority", async () => {
    const before = threadNiceValues();
    expect(before.filter((nice) => nice === 7)).toEqual([]);
    pool = new InferencePool(2, {}, { interactiveWorkers: 1, sharedWorkerNice: 7 });
    classifier = await Classifier.load(DEFAULT_MODEL_DIR, { ...options, pool });
    const after = threadNiceValues();
    // one JavaScript thread per shared worker (ONNX Runtime starts no thread of its own with one intra-op thread)
    expect(after.filter((nice) => nice === 7)).toHaveLength(2);
    expect(after.length - before.length).toBeGreaterThanOrEqual(3);
    expect((await classifier.classify(["Giao hàng nhanh, rất hài lòng"]))[0]!.label).toBe("positive");
  });

  it("replaces a kept interactive worker that dies with another kept one, at normal priority", async () => {
    const exits: number[] = [];
    pool = new InferencePool(1, { workerExited: ({ exitCode }) => exits.push(exitCode) }, { interactiveWorkers: 1, sharedWorkerNice: 7 });
    classifier = await Classifier.load(DEFAULT_MODEL_DIR, { ...options, pool });
    const expected = await classifier.classify(["Pin tụt nhanh quá"]);
    // an interactive run goes to the kept worker first: that one dies, and the run is retried
    pool.crashNextRuns(1);
    expect(await classifier.classify(["Pin tụt nhanh quá"])).toEqual(expected);
    expect(exits).toEqual([1]);
    expect(pool.liveWorkers).toBe(2);
    const model = await pool.loadModel(readModelFolder(DEFAULT_MODEL_DIR).modelPath, inferenceSessionOptions(1) as Record<string, unknown>);
    // the replacement takes interactive work beside a background run, as the kept worker did
    const finished: string[] = [];
    const background = pool.run(model, "background", feeds(32, 256)).then(() => finished.push("background"));
    await untilBusy(pool);
    await pool.run(model, "interactive", feeds(1, 8)).then(() => finished.push("interactive"));
    await background;
    expect(finished).toEqual(["interactive", "background"]);
    expect(threadNiceValues().filter((nice) => nice === 7)).toHaveLength(1);
  });
});
