// Long texts are never cut: their token ids are split into overlapping windows that each fit the model,
// and the windows' probabilities are averaged, weighted by how many tokens each window covers.

/** Splits content ids (no specials) into windows of at most `size` ids, consecutive windows overlapping by a quarter. */
export function splitIntoWindows(ids: number[], size: number): number[][] {
  if (ids.length <= size) return [ids];
  const stride = Math.max(1, Math.floor((size * 3) / 4));
  const windows: number[][] = [];
  for (let start = 0; ; start += stride) {
    const end = Math.min(ids.length, start + size);
    windows.push(ids.slice(Math.max(0, end - size), end));
    if (end === ids.length) break;
  }
  return windows;
}

export function combineWindowProbabilities(windows: { probabilities: number[]; tokens: number }[]): number[] {
  const total = windows.reduce((sum, w) => sum + w.tokens, 0) || 1;
  const out = new Array<number>(windows[0]!.probabilities.length).fill(0);
  for (const w of windows) w.probabilities.forEach((p, i) => (out[i]! += (p * w.tokens) / total));
  return out;
}

/** softmax(logits[from..to) x scale); scale = 1 / temperature for a calibrated one. */
export function softmax(logits: ArrayLike<number>, scale = 1, from = 0, to = logits.length): number[] {
  const out = new Array<number>(to - from);
  softmaxInto(logits, scale, from, to, out, 0);
  return out;
}

/** The softmax of `logits[from, to)` times `scale`, written to `out` from `at`: no array of its own. */
export function softmaxInto(logits: ArrayLike<number>, scale: number, from: number, to: number, out: { [i: number]: number }, at: number): void {
  // no intermediates: the aspect model calls this for every aspect of every row, on the main thread
  let max = -Infinity;
  for (let i = from; i < to; i++) max = Math.max(max, logits[i]! * scale);
  let sum = 0;
  for (let i = from; i < to; i++) sum += out[at + i - from] = Math.exp(logits[i]! * scale - max);
  for (let i = at; i < at + to - from; i++) out[i] = out[i]! / sum;
}
