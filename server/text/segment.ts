// Vietnamese word segmentation in PhoBERT's input style: punctuation split off, the syllables of a
// dictionary word joined by "_", by longest match over RDRsegmenter's word list.
import { readFileSync } from "node:fs";

// Order matters: URLs, e-mails and numbers stay whole; a word is letters (with marks) and digits;
// emoticons produced by normalizeText stay whole; anything else is one character per token.
const TOKEN_PATTERN =
  /https?:\/\/\S+|www\.\S+|[\p{L}\p{M}\d._%+-]+@[\p{L}\d.-]+\.\p{L}+|\d+(?:[.,:/-]\d+)*%?|[\p{L}\p{M}\d]+(?:[_'][\p{L}\p{M}\d]+)*|:'\(|:[()dvop3_@]|<3|>>|\.\.\.|v\.v|c#|\S/gu;
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

export function splitTokens(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}

/** Segments already-normalised text; returns the tokens PhoBERT's BPE is applied to. */
export function segmentWords(text: string, dictionary: WordDictionary): string[] {
  const tokens = splitTokens(text);
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
