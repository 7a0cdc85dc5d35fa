import { describe, expect, it } from "vitest";
import { canMove, chunkRanges, statusesBefore, type BatchStatus } from "../../server/batches/batchStore.server.ts";
import { classifyInSlices, SliceGate } from "../../server/batches/batchProcessing.server.ts";
import type { Classification } from "../../server/inference/classifier.server.ts";

describe("batch chunks", () => {
  it("cover every stored row once, the last chunk holding the rest", () => {
    expect(chunkRanges(1_201, 500)).toEqual([
      { index: 0, start: 0, rowCount: 500 },
      { index: 1, start: 500, rowCount: 500 },
      { index: 2, start: 1_000, rowCount: 201 },
    ]);
    expect(chunkRanges(500, 500)).toEqual([{ index: 0, start: 0, rowCount: 500 }]);
    expect(chunkRanges(0, 500)).toEqual([]);
    for (const [total, size] of [[1, 1], [999, 7], [100_000, 500]] as const) {
      const ranges = chunkRanges(total, size);
      expect(ranges.reduce((sum, r) => sum + r.rowCount, 0)).toBe(total);
      ranges.forEach((r, i) => i > 0 && expect(r.start).toBe(ranges[i - 1]!.start + ranges[i - 1]!.rowCount));
    }
  });

  it("are classified a slice at a time, at most two slices in flight, results in order", async () => {
    let inFlight = 0;
    let most = 0;
    const calls: number[] = [];
    const classifier = {
      async classify(texts: string[]): Promise<Classification[]> {
        calls.push(texts.length);
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return texts.map((t) => ({ label: t, confidence: 1, probabilities: {}, tokenCount: 1, windowed: false, modelId: "m", modelVersion: "1" }));
      },
    };
    const texts = Array.from({ length: 70 }, (_, i) => `t${i}`);
    const results = await classifyInSlices(classifier, texts, 32, new SliceGate(2));
    expect(calls).toEqual([32, 32, 6]);
    expect(most).toBe(2);
    expect(results.map((r) => r.label)).toEqual(texts);
  });

  it("share one gate across chunks: never more slices in flight than its size", async () => {
    let inFlight = 0;
    let most = 0;
    const classifier = {
      async classify(texts: string[]): Promise<Classification[]> {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return texts.map((t) => ({ label: t, confidence: 1, probabilities: {}, tokenCount: 1, windowed: false, modelId: "m", modelVersion: "1" }));
      },
    };
    const gate = new SliceGate(2);
    const texts = Array.from({ length: 200 }, (_, i) => `t${i}`);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => classifyInSlices(classifier, texts, 16, gate)));
    expect(most).toBe(2);
    for (const results of [a, b, c]) expect(results!.map((r) => r.label)).toEqual(texts);
  });
});

describe("the batch status machine", () => {
  const ALL: BatchStatus[] = ["uploading", "queued", "running", "completed", "failed", "cancelled"];

  it("moves forward only, and never out of an end state", () => {
    expect(canMove("uploading", "queued")).toBe(true);
    expect(canMove("queued", "running")).toBe(true);
    expect(canMove("running", "completed")).toBe(true);
    expect(canMove("running", "cancelled")).toBe(true);
    expect(canMove("running", "queued")).toBe(false);
    expect(canMove("uploading", "running")).toBe(false);
    for (const end of ["completed", "failed", "cancelled"] as const) for (const to of ALL) expect(canMove(end, to)).toBe(false);
  });

  it("gives the statuses a conditional update may start from", () => {
    expect(statusesBefore("cancelled").sort()).toEqual(["queued", "running", "uploading"]);
    expect(statusesBefore("completed").sort()).toEqual(["queued", "running"]);
    expect(statusesBefore("queued")).toEqual(["uploading"]);
  });
});
