// Reads raw text lines on stdin and writes each one normalised and word-segmented, exactly as the model sees it.
// Usage: echo "Tôi là sinh viên" | npm run -s segment
import { createInterface } from "node:readline";
import { normalizeText } from "../server/text/normalize.ts";
import { loadWordDictionary, segmentWords } from "../server/text/segment.ts";
import { SEGMENTER_WORDS_PATH } from "../server/repoPaths.ts";

const dictionary = loadWordDictionary(SEGMENTER_WORDS_PATH);
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) process.stdout.write(`${segmentWords(normalizeText(line), dictionary).join(" ")}\n`);
