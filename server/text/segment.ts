// Vietnamese word segmentation in PhoBERT's input style: punctuation split off, the syllables of a
// dictionary word joined by "_", by longest match over RDRsegmenter's word list.
import { readFileSync } from "node:fs";

// VnCoreNLP's tokenizer conventions (PhoBERT's own preprocessing), in order of precedence:
// - URLs and e-mail addresses stay whole (sentence punctuation after a URL is split off);
// - a word is a run of letters and digits, with inner joiners kept: . / - _ ' & + between any two of them
//   (e.Thử, PC/laptop, S-pen, 25k/con, TP.HCM, v1.2.3), , and : only between digits (3,5 / 10:30 / 8/3/2019);
//   so numbers with units or suffixes (6s, 16GB, 0.5s, 7tr, 950XL) and percentages (88%) are one token;
// - the emoticons normalizeText produces, "..." and c# stay whole;
// - anything else (sentence punctuation, quotes, brackets) is one character per token.
const TOKEN_PATTERN = new RegExp(
  [
    String.raw`(?:https?:\/\/|www\.)\S+?(?=[.,!?;:)\]}"'”’»]*(?:\s|$))`,
    String.raw`[\p{L}\p{M}\d._%+-]+@[\p{L}\p{M}\d-]+(?:\.[\p{L}\p{M}\d-]+)*\.\p{L}+`,
    String.raw`c#(?![\p{L}\p{M}\d])`,
    String.raw`[\p{L}\p{M}\d]+(?:(?:[./_'&+-]|(?<=\d)[,:](?=\d))[\p{L}\p{M}\d]+)*(?:(?<=\d)%)?`,
    String.raw`:'\(|:[()dvop3_@]|<3|>>|\.\.\.`,
    String.raw`\S`,
  ].join("|"),
  "gu",
);
// The rules models up to 0.6.0 were trained with (numbers, URLs and e-mails whole; letters and digits split
// apart; any other character alone). A model folder names them with "segmentation": "legacy-0.6" so a model
// is always served the tokens it was trained on.
const LEGACY_TOKEN_PATTERN =
  /https?:\/\/\S+|www\.\S+|[\p{L}\p{M}\d._%+-]+@[\p{L}\d.-]+\.\p{L}+|\d+(?:[.,:/-]\d+)*%?|[\p{L}\p{M}\d]+(?:[_'][\p{L}\p{M}\d]+)*|:'\(|:[()dvop3_@]|<3|>>|\.\.\.|v\.v|c#|\S/gu;

export const SEGMENTATION_RULES = ["vncorenlp", "legacy-0.6"] as const;
export type SegmentationRules = (typeof SEGMENTATION_RULES)[number];

const SYLLABLE = /^[\p{L}\p{M}]+$/u;

export type WordDictionary = {
  /** Lower-cased words, syllables joined by a single space. */
  words: ReadonlySet<string>;
  /** Every proper prefix (in syllables) of a word, so the search can stop early. */
  prefixes: ReadonlySet<string>;
  maxSyllables: number;
};

export function buildWordDictionary(entries: Iterable<string>): WordDictionary {
  const words = new Set<string>();
  const prefixes = new Set<string>();
  let maxSyllables = 1;
  for (const entry of entries) {
    const syllables = entry.normalize("NFC").trim().toLowerCase().split(/\s+/).filter(Boolean);
    if (syllables.length < 2) continue;
    words.add(syllables.join(" "));
    for (let n = 1; n < syllables.length; n++) prefixes.add(syllables.slice(0, n).join(" "));
    maxSyllables = Math.max(maxSyllables, syllables.length);
  }
  return { words, prefixes, maxSyllables };
}

const loaded = new Map<string, WordDictionary>();

/** Reads a word list once per process: the classifier and the word clouds share it (it is never modified). */
export function loadWordDictionary(path: string): WordDictionary {
  let dictionary = loaded.get(path);
  if (!dictionary) {
    dictionary = buildWordDictionary(readFileSync(path, "utf8").split("\n"));
    loaded.set(path, dictionary);
  }
  return dictionary;
}

export function splitTokens(text: string, rules: SegmentationRules = "vncorenlp"): string[] {
  return text.match(rules === "vncorenlp" ? TOKEN_PATTERN : LEGACY_TOKEN_PATTERN) ?? [];
}

/** Segments already-normalised text; returns the tokens PhoBERT's BPE is applied to. */
export function segmentWords(text: string, dictionary: WordDictionary, rules: SegmentationRules = "vncorenlp"): string[] {
  const tokens = splitTokens(text, rules);
  const lower = tokens.map((t) => t.toLowerCase());
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    let matched = 1;
    if (SYLLABLE.test(tokens[i]!)) {
      let candidate = lower[i]!;
      for (let n = 2; n <= dictionary.maxSyllables && i + n <= tokens.length; n++) {
        const next = tokens[i + n - 1]!;
        if (!SYLLABLE.test(next)) break;
        const prefixOk = dictionary.prefixes.has(candidate);
        candidate = `${candidate} ${lower[i + n - 1]}`;
        if (dictionary.words.has(candidate)) matched = n;
        if (!prefixOk && !dictionary.prefixes.has(candidate)) break;
      }
    }
    out.push(matched === 1 ? tokens[i]! : tokens.slice(i, i + matched).join("_"));
    i += matched;
  }
  return out;
}
