// Inference off the main thread: while a 4,096-token background run executes, the event loop keeps turning,
// /healthz answers and a single prediction is answered before the background run finishes.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Classifier } from "../../server/inference/classifier.server.ts";
import { InferencePool } from "../../server/inference/workerPool.server.ts";
import { DEFAULT_MODEL_DIR } from "../../server/repoPaths.ts";
import { longReviews } from "../support/longReviews.ts";
import { startChildServer } from "../support/childServer.ts";
import { startTestServer, type TestServer } from "../support/testServer.ts";

describe("a classifier with two inference workers", () => {
  const runs: { rows: number; paddedTokens: number }[] = [];
  let classifier: Classifier;
  beforeAll(async () => {
    classifier = await Classifier.load(DEFAULT_MODEL_DIR, {
      threads: 1, workers: 2, batchSize: 32, batchWaitMs: 0, maxBatchTokens: 4096, cacheSize: 0,
      observer: { batchRun: (b) => runs.push(b) },
    });
  });
  afterAll(async () => {
    await classifier?.close();
  });

  it("the reviews make exactly one full background run", async () => {
    runs.length = 0;
    const results = await classifier.classify(longReviews(16), "background");
    expect(results.every((r) => !r.windowed && r.tokenCount > 200)).toBe(true);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.paddedTokens).toBeGreaterThan(3_200);
    expect(runs[0]!.paddedTokens).toBeLessThanOrEqual(4_096);
  });

  it("starts a long background call's first runs while the rest of it is still being tokenised", async () => {
    const pool = new InferencePool(2);
    const own = await Classifier.load(DEFAULT_MODEL_DIR, { threads: 1, pool, batchSize: 32, batchWaitMs: 0, maxBatchTokens: 4096, cacheSize: 0 });
    try {
      const reviews = longReviews(320);
      let read = 0;
      let readWhenFirstBusy = -1;
      // the classifier takes the texts in order as it tokenises them: note how far it got when a worker first ran
      const texts = Object.assign([...reviews], {
        *[Symbol.iterator]() {
          for (const text of reviews) {
            if (readWhenFirstBusy < 0 && pool.busyWorkers > 0) readWhenFirstBusy = read;
            read++;
            yield text;
          }
        },
      });
      expect(await own.classify(texts, "background")).toHaveLength(320);
      // with one sort over the whole call, no run started before the last text was tokenised
      expect(readWhenFirstBusy).toBeGreaterThan(0);
      expect(readWhenFirstBusy).toBeLessThan(160);
    } finally {
      await own.close();
      await pool.close();
    }
  });

  it("fails a long background call whose pool closes mid-call with the pool's error, not an unhandled rejection", async () => {
    const pool = new InferencePool(2);
    const own = await Classifier.load(DEFAULT_MODEL_DIR, { threads: 1, pool, batchSize: 32, batchWaitMs: 0, maxBatchTokens: 4096, cacheSize: 0 });
    // enough texts that tokenising outlasts the runs in flight when the pool closes
    const reviews = longReviews(2000);
    let closing: Promise<void> | null = null;
    // closes the pool as soon as the first runs are in flight, while the rest of the call is still being tokenised:
    // the queued runs fail at once (an unhandled rejection would fail this file)
    const texts = Object.assign([...reviews], {
      *[Symbol.iterator]() {
        for (const text of reviews) {
          if (!closing && pool.busyWorkers > 0) closing = pool.close();
          yield text;
        }
      },
    });
    await expect(own.classify(texts, "background")).rejects.toThrow(/the inference pool is closed/);
    expect(closing).not.toBeNull();
    await closing;
    await own.close();
  });

  it("keeps the event loop turning while the background run executes", async () => {
    let finished = false;
    const background = classifier.classify(longReviews(16), "background").then(() => (finished = true));
    // ONNX Runtime starts a run from a setImmediate and then holds the thread: run on the main thread, the
    // loop turns at most once or twice before the run ends, however long it takes
    let turns = 0;
    while (!finished && turns < 5) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (!finished) turns++;
    }
    await background;
    expect(turns).toBe(5);
  });

  it("answers a single prediction before the background run in flight finishes", async () => {
    const order: string[] = [];
    const background = classifier.classify(longReviews(16), "background").then(() => order.push("background"));
    // the background run has been handed to a worker (or, on the main thread, holds it) before this turn
    await new Promise((resolve) => setTimeout(resolve, 0));
    const [single] = await classifier.classify(["Sản phẩm tốt, shop phục vụ chu đáo"], "interactive");
    order.push(`single: ${single!.label}`);
    await background;
    expect(order).toEqual(["single: positive", "background"]);
  });
});

describe("the server with one inference worker", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("pglite", { INFERENCE_WORKERS: "1", INFERENCE_THREADS: "1", INFERENCE_CACHE_SIZE: "0" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers /healthz while a 4,096-token background run executes", async () => {
    const order: string[] = [];
    const background = server.services.classifier!.classify(longReviews(16), "background").then(() => order.push("background run finished"));
    const health = fetch(`${server.url}/healthz`).then((r) => order.push(`healthz ${r.status}`));
    await Promise.all([background, health]);
    expect(order).toEqual(["healthz 200", "background run finished"]);
  });
});

describe("PROCESS_NICE", () => {
  it("puts every thread of the server, inference workers and ONNX Runtime's included, at the nice value asked for", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "camxuc-nice-"));
    const server = await startChildServer({ DATA_DIR: dataDir, PROCESS_NICE: "9", INFERENCE_WORKERS: "2", INFERENCE_BATCH_NICE: "5", INFERENCE_INTERACTIVE_WORKERS: "1" });
    try {
      const pid = server.child.pid!;
      const nice = readdirSync(`/proc/${pid}/task`).map((tid) => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ")[16]));
      // the main thread, three inference workers with their ONNX Runtime threads, libuv's, V8's
      expect(nice.length).toBeGreaterThan(8);
      // the batch workers' own value (5) is below the process's: they keep 9
      expect(nice.filter((n) => n !== 9)).toEqual([]);
      const answer = await fetch(`${server.url}/api/trpc/predict.single`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "Hàng tốt" }) });
      expect(answer.status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
