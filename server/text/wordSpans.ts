// Where each segmented word of a text lies in the ORIGINAL text (before normalisation), as [start, end) UTF-16
// offsets (JavaScript string indices), so an explanation can be drawn over exactly what the person typed.

/** A character without its marks, lower-cased: "ồ" → "o", so "hòa" (typed) matches "hoà" (normalised). */
function fold(char: string): string {
  return char.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

const SKIPPED = /[\s\p{M}\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const SEARCH_AHEAD = 24;

/** The end of `chars` matched from `start` in `text` (spaces and marks in between skipped), or -1. */
function matchAt(text: string, start: number, chars: string[]): number {
  let i = start;
  for (let j = 0; j < chars.length; j++) {
    while (j > 0 && i < text.length && SKIPPED.test(text[i]!)) i++;
    const code = text.codePointAt(i);
    if (code === undefined) return -1;
    const char = String.fromCodePoint(code);
    if (fold(char) !== chars[j]) return -1;
    i += char.length;
  }
  while (i < text.length && /\p{M}/u.test(text[i]!)) i++;
  return i;
}

/**
 * Spans of `words` (as the segmenter wrote them: syllables joined by "_", normalised) in `original`, in order.
 * A word the normaliser produced rather than found (an emoji mapped to ":)") gets the span of what stood there.
 */
export function wordSpans(original: string, words: readonly string[]): [number, number][] {
  const spans: [number, number][] = [];
  let cursor = 0;
  words.forEach((word, k) => {
    while (cursor < original.length && SKIPPED.test(original[cursor]!)) cursor++;
    let found = findWord(original, cursor, word);
    if (!found) {
      // not in the text as typed (an emoji the normaliser mapped): what stands before the next word, or a run of symbols
      const next = k + 1 < words.length ? findWord(original, cursor, words[k + 1]!) : null;
      let end = next && next[0] > cursor ? next[0] : cursor;
      if (end === cursor) {
        const wordRun = cursor < original.length && WORD_CHAR.test(original[cursor]!);
        while (end < original.length && !SKIPPED.test(original[end]!) && WORD_CHAR.test(original[end]!) === wordRun) end++;
      }
      while (end > cursor && /\s/u.test(original[end - 1]!)) end--;
      found = [cursor, end];
    }
    spans.push(found);
    cursor = found[1];
  });
  return spans;
}

function findWord(original: string, from: number, word: string): [number, number] | null {
  const chars = Array.from(word.replace(/_/g, "")).map(fold).filter(Boolean);
  if (!chars.length) return null;
  for (let start = from; start <= Math.min(original.length - 1, from + SEARCH_AHEAD); start++) {
    const end = matchAt(original, start, chars);
    if (end > 0) return [start, end];
  }
  return null;
}
