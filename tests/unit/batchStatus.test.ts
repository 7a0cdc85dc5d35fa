import { describe, expect, it } from "vitest";
import { canMove, chunkRanges, statusesBefore, type BatchStatus } from "../../server/batches/batchStore.server.ts";

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
