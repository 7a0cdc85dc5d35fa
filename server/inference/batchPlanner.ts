// Splits length-sorted windows into micro-batches capped by padded tokens (rows x widest row) as well as rows,
// so one long review does not pad thirty-one short ones to its length.

/**
 * `lengths` must be sorted ascending (content ids per window, without <s> and </s>). Returns [start, end) ranges.
 * A window longer than the cap on its own still gets a batch of one.
 */
export function planBatches(lengths: number[], maxRows: number, maxPaddedTokens: number, specialTokens = 2): [number, number][] {
  const batches: [number, number][] = [];
  let start = 0;
  while (start < lengths.length) {
    let end = start + 1;
    while (end < lengths.length && end - start < maxRows && (end - start + 1) * (lengths[end]! + specialTokens) <= maxPaddedTokens) end++;
    batches.push([start, end]);
    start = end;
  }
  return batches;
}
