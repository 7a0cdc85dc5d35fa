// "Why this label" by occlusion: the text is scored again with each word left out, all in one batch, and a
// word's effect is how much the predicted class's (calibrated) probability falls without it.

export type WordEffect = {
  word: string;
  /** [start, end) in the original text, in UTF-16 code units (JavaScript string indices). */
  start: number;
  end: number;
  /** p(label | text) − p(label | text without this word): > 0 pushed towards the label, < 0 against it. */
  effect: number;
};

export type Explanation = { label: string; method: "occlusion"; words: WordEffect[] };

/** The rows to score: the whole text first, then the text without word i, for each i. */
export function occlusionRows<T>(words: readonly T[]): T[][] {
  return [words.slice(), ...words.map((_, i) => [...words.slice(0, i), ...words.slice(i + 1)])];
}

/** Effects from the probabilities of occlusionRows(words), in the same order; the label is the whole text's argmax. */
export function occlusionEffects(
  words: readonly string[],
  spans: readonly [number, number][],
  probabilities: readonly (readonly number[])[],
  labels: readonly string[],
): Explanation {
  if (probabilities.length !== words.length + 1 || spans.length !== words.length) {
    throw new Error(`occlusion: ${words.length} words, ${spans.length} spans and ${probabilities.length} probability rows (expected words + 1)`);
  }
  const whole = probabilities[0]!;
  const best = whole.reduce((b, p, i) => (p > whole[b]! ? i : b), 0);
  return {
    label: labels[best]!,
    method: "occlusion",
    words: words.map((word, i) => ({ word, start: spans[i]![0], end: spans[i]![1], effect: whole[best]! - probabilities[i + 1]![best]! })),
  };
}
