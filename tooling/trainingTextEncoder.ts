// The text encoder the training exports use: PhoBERT's fastBPE built from the bundled vocabulary, the bundled
// word list, and the given segmentation rules (the same TextEncoder the server runs, so ids cannot drift).
import { readFileSync } from "node:fs";
import path from "node:path";
import { TextEncoder } from "../server/inference/textEncoder.ts";
import { loadWordDictionary, type SegmentationRules } from "../server/text/segment.ts";
import { PHOBERT_VOCAB_DIR, SEGMENTER_WORDS_PATH } from "../server/repoPaths.ts";
import { buildPhobertTokenizerJson } from "./phobertTokenizerJson.ts";

export function trainingTextEncoder(rules: SegmentationRules): TextEncoder {
  return new TextEncoder(
    buildPhobertTokenizerJson(readFileSync(path.join(PHOBERT_VOCAB_DIR, "dict.txt"), "utf8"), readFileSync(path.join(PHOBERT_VOCAB_DIR, "bpe.codes"), "utf8")),
    loadWordDictionary(SEGMENTER_WORDS_PATH),
    rules,
  );
}
