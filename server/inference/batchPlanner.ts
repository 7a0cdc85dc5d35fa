// Splits length-sorted windows into micro-batches capped by padded tokens (rows x widest row) as well as rows, and
// cut where padding would waste more than a set share of the work, so one long review does not pad thirty-one
// short ones and lengths fall into buckets of similar size.

/**
 * A large call's windows go to the workers in groups of about this many full runs (max padded tokens each), sorted
 * within the group and sent as soon as the group is tokenised: the workers start while the main thread tokenises
 * the rest. One sort over the whole call padded a little less but left the workers idle until its end.
 */
export const SEND_GROUP_RUNS = 2;

/** Padded tokens may exceed real tokens by at most this factor within one batch. */
export const MAX_PADDING_RATIO = 1.3;

/**
 * `lengths` must be sorted ascending (content ids per window, without <s> and </s>). Returns [start, end) ranges.
 * A window longer than the cap on its own still gets a batch of one.
 */
export function planBatches(lengths: number[], maxRows: number, maxPaddedTokens: number, specialTokens = 2): [number, number][] {
  const batches: [number, number][] = [];
  let start = 0;
  while (start < lengths.length) {
    let end = start + 1;
    let real = lengths[start]! + specialTokens;
    while (end < lengths.length && end - start < maxRows) {
      const width = lengths[end]! + specialTokens;
      const padded = (end - start + 1) * width;
      if (padded > maxPaddedTokens || padded > MAX_PADDING_RATIO * (real + width)) break;
      real += width;
      end++;
    }
    batches.push([start, end]);
    start = end;
  }
  return batches;
}
