import { describe, expect, it } from "vitest";
import { inputTensors } from "../../server/inference/inputTensors.ts";

describe("inputTensors", () => {
  it("wraps each row in <s> ... </s>, pads to the longest row and masks the padding, as int64", () => {
    const { ids, mask, dims } = inputTensors([[10, 64_000, 7], [5], []], { bos: 0, eos: 2, pad: 1 });
    expect(dims).toEqual([3, 5]);
    expect([...ids]).toEqual([0n, 10n, 64_000n, 7n, 2n, 0n, 5n, 2n, 1n, 1n, 0n, 2n, 1n, 1n, 1n]);
    expect([...mask]).toEqual([1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n, 1n, 1n, 0n, 0n, 0n]);
  });

  it("gives the same tensors as one BigInt per token, for rows of the lengths a batch has", () => {
    const rows = Array.from({ length: 32 }, (_, r) => Array.from({ length: (r * 37) % 254 }, (_, c) => (r * 7919 + c * 104_729) % 64_001));
    const special = { bos: 0, eos: 2, pad: 1 };
    const width = Math.max(...rows.map((r) => r.length)) + 2;
    const expectedIds = new BigInt64Array(rows.length * width).fill(1n);
    const expectedMask = new BigInt64Array(rows.length * width);
    rows.forEach((content, row) => [0, ...content, 2].forEach((id, col) => {
      expectedIds[row * width + col] = BigInt(id);
      expectedMask[row * width + col] = 1n;
    }));
    const { ids, mask } = inputTensors(rows, special);
    expect(ids).toEqual(expectedIds);
    expect(mask).toEqual(expectedMask);
  });
});
