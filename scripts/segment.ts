// Reads raw text lines on stdin and writes each one normalised and word-segmented, exactly as the model sees it;
// with --score FILE, scores the segmenter against a hand-segmented sample ("raw<TAB>gold" lines) instead.
// Usage: echo "Tôi là sinh viên" | npm run -s segment
//        npm run -s segment -- --score tests/fixtures/segmentation-sample.tsv [--segmentation vncorenlp|legacy-0.6]
// (the rules default to vncorenlp, PhoBERT's; a model folder's config.json says which rules its model was trained with)
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { normalizeText } from "../server/text/normalize.ts";
import { loadWordDictionary, SEGMENTATION_RULES, segmentWords, type SegmentationRules } from "../server/text/segment.ts";
import { parseSegmentationSample, scoreSegmentation } from "#tooling/segmentationScore.ts";
import { SEGMENTER_WORDS_PATH } from "../server/repoPaths.ts";

const { values } = parseArgs({ options: { score: { type: "string" }, segmentation: { type: "string" } } });
const rules = (values.segmentation ?? "vncorenlp") as SegmentationRules;
if (!SEGMENTATION_RULES.includes(rules)) throw new Error(`--segmentation: one of ${SEGMENTATION_RULES.join(", ")}`);
const dictionary = loadWordDictionary(SEGMENTER_WORDS_PATH);
const segment = (line: string) => segmentWords(normalizeText(line), dictionary, rules);

if (values.score) {
  const sample = parseSegmentationSample(readFileSync(values.score, "utf8"));
  const pairs = sample.map(({ raw, gold }) => ({ predicted: segment(raw), gold }));
  for (const { predicted, gold } of pairs) {
    if (predicted.join(" ") !== gold.join(" ")) console.error(`differs: ${predicted.join(" ")}\n   gold: ${gold.join(" ")}`);
  }
  process.stdout.write(`${JSON.stringify(scoreSegmentation(pairs))}\n`);
} else {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) process.stdout.write(`${segment(line).join(" ")}\n`);
}
