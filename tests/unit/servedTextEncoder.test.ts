// The served models share one encoder when their tokenizer and segmentation agree (the bundled sentence and aspect
// models do), so a batch row is normalised, segmented and tokenised once for both.
import { describe, expect, it } from "vitest";
import { readAspectModelFolder } from "#server/inference/aspectModel.server.ts";
import { readModelFolder } from "#server/inference/modelFolder.server.ts";
import { servedTextEncoder, TextEncoder } from "#server/inference/textEncoder.ts";
import { DEFAULT_ASPECT_MODEL_DIR, DEFAULT_MODEL_DIR, SEGMENTER_WORDS_PATH } from "#server/repoPaths.ts";
import { loadWordDictionary } from "#server/text/segment.ts";

describe("servedTextEncoder", () => {
  const sentence = readModelFolder(DEFAULT_MODEL_DIR);
  const aspects = readAspectModelFolder(DEFAULT_ASPECT_MODEL_DIR);
  const dictionary = loadWordDictionary(SEGMENTER_WORDS_PATH);

  it("is one encoder for the bundled sentence and aspect models, another for other segmentation", () => {
    const a = servedTextEncoder(sentence.tokenizerJson, sentence.wordSegmented ? dictionary : null, sentence.segmentation);
    const b = servedTextEncoder(aspects.tokenizerJson, dictionary, aspects.config.segmentation);
    expect(b).toBe(a);
    expect(servedTextEncoder(sentence.tokenizerJson, null, sentence.segmentation)).not.toBe(a);
  });

  it("answers a text it remembers as it encoded it, and what it has forgotten the same way", () => {
    const served = servedTextEncoder(sentence.tokenizerJson, dictionary, sentence.segmentation);
    const fresh = new TextEncoder(sentence.tokenizerJson, dictionary, sentence.segmentation);
    const text = "Pin trâu, giao hàng nhanh nhưng đóng gói hơi ẩu";
    expect(served.encode(text)).toEqual(fresh.encode(text));
    expect(served.encode(text)).toBe(served.encode(text));
    // past the 2,048 it remembers, the first is encoded again: equal, no longer the same object
    const first = served.encode("văn bản số 0");
    for (let i = 1; i <= 2_100; i++) served.encode(`văn bản số ${i}`);
    const again = served.encode("văn bản số 0");
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });

  it("remembers at most a million characters, however few the texts", () => {
    const served = servedTextEncoder(sentence.tokenizerJson, dictionary, sentence.segmentation);
    const long = (i: number) => `${"hàng tốt ".repeat(555)}${i}`; // 5,000 characters
    const first = served.encode(long(0));
    expect(served.encode(long(0))).toBe(first);
    for (let i = 1; i <= 200; i++) served.encode(long(i));
    expect(served.encode(long(0))).not.toBe(first);
  });
});
