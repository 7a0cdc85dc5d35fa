import { describe, expect, it } from "vitest";
import { occlusionEffects, occlusionRows } from "../../server/inference/occlusion.ts";
import { wordSpans } from "../../server/text/wordSpans.ts";

describe("occlusion", () => {
  it("scores the whole text, then the text without each word in turn", () => {
    expect(occlusionRows(["a", "b", "c"])).toEqual([["a", "b", "c"], ["b", "c"], ["a", "c"], ["a", "b"]]);
    expect(occlusionRows([])).toEqual([[]]);
  });

  it("gives one effect per word: the drop of the whole text's top class", () => {
    const probabilities = [
      [0.1, 0.2, 0.7],
      [0.3, 0.3, 0.4],
      [0.05, 0.15, 0.8],
    ];
    const explanation = occlusionEffects(["ngon", "nhưng"], [[0, 4], [5, 10]], probabilities, ["negative", "neutral", "positive"]);
    expect(explanation.label).toBe("positive");
    expect(explanation.method).toBe("occlusion");
    expect(explanation.words).toHaveLength(2);
    expect(explanation.words[0]).toMatchObject({ word: "ngon", start: 0, end: 4 });
    expect(explanation.words[0]!.effect).toBeCloseTo(0.3, 10);
    expect(explanation.words[1]!.effect).toBeCloseTo(-0.1, 10);
  });

  it("refuses probability rows that do not match the words", () => {
    expect(() => occlusionEffects(["a"], [[0, 1]], [[1, 0, 0]], ["negative", "neutral", "positive"])).toThrow(/expected words \+ 1/);
  });
});

describe("wordSpans (segmented words back onto the text as typed)", () => {
  const slices = (text: string, words: string[]) => wordSpans(text, words).map(([s, e]) => text.slice(s, e));
  it("joins syllables across the spaces they had, whatever their number", () => {
    expect(slices("Nhân   viên phục vụ tốt", ["Nhân_viên", "phục_vụ", "tốt"])).toEqual(["Nhân   viên", "phục vụ", "tốt"]);
  });
  it("matches the old tone placement, decomposed letters and invisible characters as typed", () => {
    expect(slices("hòa\u200b nhã, ho\u0300a", ["hoà_nhã", ",", "hoà"])).toEqual(["hòa\u200b nhã", ",", "ho\u0300a"]);
  });
  it("gives an emoji the normaliser turned into an emoticon its own span", () => {
    expect(slices("tốt 😀, rẻ xD", ["tốt", ":)", ",", "rẻ", ":d"])).toEqual(["tốt", "😀", ",", "rẻ", "xD"]);
  });
  it("keeps spans in order and inside the text", () => {
    const text = "Giá 500k/con, giao 8/3 :)";
    const spans = wordSpans(text, ["Giá", "500k/con", ",", "giao", "8/3", ":)"]);
    spans.forEach(([s, e], i) => {
      expect(s).toBeLessThan(e);
      expect(e).toBeLessThanOrEqual(text.length);
      if (i > 0) expect(s).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    });
    expect(spans.map(([s, e]) => text.slice(s, e))).toEqual(["Giá", "500k/con", ",", "giao", "8/3", ":)"]);
  });
});
