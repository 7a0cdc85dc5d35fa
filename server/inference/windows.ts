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

export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / sum);
}
