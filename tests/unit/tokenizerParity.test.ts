// tokenizer.json (run by the transformers.js tokenizer) must give PhoBERT's fastBPE ids exactly.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { buildPhobertTokenizerJson } from "#tooling/phobertTokenizerJson.ts";
import { DEFAULT_MODEL_DIR, PHOBERT_VOCAB_DIR, SEGMENTER_WORDS_PATH, SHARED_DATA_DIR } from "../../server/repoPaths.ts";
import { normalizeText } from "../../server/text/normalize.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";
import { loadWordDictionary, segmentWords } from "../../server/text/segment.ts";
import { FastBpeReference } from "../fastbpeReference.ts";
import { itWithDatasets } from "../support/datasets.ts";

const dictText = readFileSync(path.join(PHOBERT_VOCAB_DIR, "dict.txt"), "utf8");
const codesText = readFileSync(path.join(PHOBERT_VOCAB_DIR, "bpe.codes"), "utf8");

function sentences(): string[] {
  return labelledSplitFiles(SHARED_DATA_DIR, "dev").flatMap(({ file }) => readLabelledCsv(file).slice(0, 800).map((r) => r.text));
}

describe("PhoBERT tokenizer parity", () => {
  const reference = new FastBpeReference(dictText, codesText);
  const dictionary = loadWordDictionary(SEGMENTER_WORDS_PATH);

  it("the bundled model's tokenizer.json is exactly what the converter builds", () => {
    const shipped = JSON.parse(readFileSync(path.join(DEFAULT_MODEL_DIR, "tokenizer.json"), "utf8"));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(buildPhobertTokenizerJson(dictText, codesText))));
  });

  it("matches PhoBERT's published example", () => {
    const tokenizer = new Tokenizer(buildPhobertTokenizerJson(dictText, codesText) as never, {} as never);
    expect(tokenizer.encode("Tôi là sinh_viên trường đại_học công_nghệ .").ids).toEqual([0, 218, 8, 649, 212, 956, 461, 5, 2]);
  });

  itWithDatasets("gives the same ids as an independent fastBPE on thousands of real sentences", () => {
    const tokenizer = new Tokenizer(buildPhobertTokenizerJson(dictText, codesText) as never, {} as never);
    const texts = sentences();
    expect(texts.length).toBeGreaterThan(3000);
    let checked = 0;
    for (const text of texts) {
      const words = segmentWords(normalizeText(text), dictionary);
      expect(tokenizer.encode(words.join(" ")).ids, text).toEqual(reference.encode(words));
      checked++;
    }
    expect(checked).toBe(texts.length);
  });
});
