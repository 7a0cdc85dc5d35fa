// Word-segmentation F1: a predicted word counts as right when it covers exactly the characters of a gold word.

export type SegmentationScore = { sentences: number; goldWords: number; predictedWords: number; correctWords: number; precision: number; recall: number; f1: number };

/** [start, end) offsets of each word in the sentence's characters with spaces and "_" removed. */
function wordSpans(words: readonly string[]): { spans: Set<string>; characters: string } {
  const spans = new Set<string>();
  let characters = "";
  for (const word of words) {
    const chars = word.replace(/_/g, "");
    spans.add(`${characters.length}:${characters.length + chars.length}`);
    characters += chars;
  }
  return { spans, characters };
}

export function scoreSegmentation(pairs: ReadonlyArray<{ predicted: readonly string[]; gold: readonly string[] }>): SegmentationScore {
  let goldWords = 0;
  let predictedWords = 0;
  let correctWords = 0;
  pairs.forEach(({ predicted, gold }, index) => {
    const p = wordSpans(predicted);
    const g = wordSpans(gold);
    if (p.characters !== g.characters) throw new Error(`sentence ${index + 1}: the segmentations hold different characters ("${p.characters}" vs "${g.characters}")`);
    goldWords += g.spans.size;
    predictedWords += p.spans.size;
    for (const span of p.spans) if (g.spans.has(span)) correctWords++;
  });
  const precision = predictedWords ? correctWords / predictedWords : 0;
  const recall = goldWords ? correctWords / goldWords : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { sentences: pairs.length, goldWords, predictedWords, correctWords, precision, recall, f1 };
}

/** Reads "raw<TAB>gold" lines; lines starting with # and blank lines are skipped. */
export function parseSegmentationSample(tsv: string): { raw: string; gold: string[] }[] {
  return tsv
    .split("\n")
    .filter((line) => line.trim() && !line.startsWith("#"))
    .map((line, index) => {
      const [raw, gold] = line.split("\t");
      if (raw === undefined || gold === undefined) throw new Error(`line ${index + 1}: expected "raw text<TAB>gold segmentation"`);
      return { raw, gold: gold.trim().split(/\s+/) };
    });
}
