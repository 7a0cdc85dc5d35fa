import { describe, expect, it } from "vitest";
import { combineWindowProbabilities, softmax, splitIntoWindows } from "../../server/inference/windows.ts";

describe("windows", () => {
  it("keeps a short text whole", () => {
    expect(splitIntoWindows([1, 2, 3], 4)).toEqual([[1, 2, 3]]);
  });
  it("covers every token of a long text with overlapping windows of the model's size", () => {
    const ids = Array.from({ length: 1000 }, (_, i) => i);
    const windows = splitIntoWindows(ids, 254);
    expect(windows.every((w) => w.length === 254)).toBe(true);
    expect(new Set(windows.flat())).toEqual(new Set(ids));
    expect(windows.at(-1)!.at(-1)).toBe(999);
  });
  it("weights windows by their token counts", () => {
    const p = combineWindowProbabilities([{ probabilities: [1, 0], tokens: 3 }, { probabilities: [0, 1], tokens: 1 }]);
    expect(p[0]).toBeCloseTo(0.75);
    expect(p[1]).toBeCloseTo(0.25);
  });
  it("softmax of a slice, scaled, equals the softmax of that slice's scaled copy", () => {
    const logits = new Float32Array([9, 1, 2, 3, 4, 9]);
    const expected = softmax(Array.from(logits.subarray(1, 5), (v) => v / 2));
    softmax(logits, 0.5, 1, 5).forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 12));
    expect(softmax(logits, 0.5, 1, 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("softmax is stable for large logits", () => {
    const p = softmax([1000, 1000, 0]);
    expect(p[0]).toBeCloseTo(0.5);
    expect(p.reduce((a, b) => a + b)).toBeCloseTo(1);
  });
});
