// Which words set one label's texts apart from the others': weighted log-odds ratios with an informative
// Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words", eq. 22), where the prior is the pooled
// counts of all labels. Raw counts put "máy", "mua" and "sản phẩm" at the top of every label; this does not.

export type LabelCounts = { counts: Map<string, number>; texts: number };
export type DistinctiveTerm = { term: string; count: number; score: number };

/**
 * For each label, the `limit` words with the highest z-score of the log-odds ratio (label vs. every other label),
 * positive scores only, highest first; `count` is the number of the label's texts holding the word.
 * `priorScale` scales the pooled counts into the prior (1: the pooled counts themselves).
 */
export function distinctiveTerms(byLabel: Record<string, LabelCounts>, limit: number, priorScale = 1): Record<string, DistinctiveTerm[]> {
  const pooled = new Map<string, number>();
  for (const { counts } of Object.values(byLabel)) for (const [term, n] of counts) pooled.set(term, (pooled.get(term) ?? 0) + n);
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
  const alpha0 = total(pooled) * priorScale;
  const out: Record<string, DistinctiveTerm[]> = {};
  for (const [label, { counts }] of Object.entries(byLabel)) {
    const nI = total(counts);
    const nJ = total(pooled) - nI;
    const scored: DistinctiveTerm[] = [];
    for (const [term, yI] of counts) {
      const alpha = (pooled.get(term) ?? 0) * priorScale;
      const yJ = (pooled.get(term) ?? 0) - yI;
      const delta = Math.log((yI + alpha) / (nI + alpha0 - yI - alpha)) - Math.log((yJ + alpha) / (nJ + alpha0 - yJ - alpha));
      const score = delta / Math.sqrt(1 / (yI + alpha) + 1 / (yJ + alpha));
      if (score > 0) scored.push({ term, count: yI, score: Math.round(score * 1000) / 1000 });
    }
    out[label] = scored.sort((a, b) => b.score - a.score || b.count - a.count || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0)).slice(0, limit);
  }
  return out;
}
