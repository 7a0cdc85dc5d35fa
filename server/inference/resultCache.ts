// A least-recently-used cache of classifications keyed by model version and normalised text, so a review seen
// again costs nothing; it counts hits and misses for whoever observes the classifier (metrics live elsewhere).

import { MainThreadSlices } from "../mainThreadSlices.ts";

export class ResultCache<T> {
  private readonly entries = new Map<string, T>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): T | undefined {
    const value = this.entries.get(key);
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-inserting moves the key to the newest end of the Map's insertion order.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: T): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Answers `texts` from the cache where it can and computes the rest once each (duplicates within one call
 * included), in the caller's order.
 */
export async function classifyThroughCache<T>(
  cache: ResultCache<T>,
  texts: string[],
  keyOf: (text: string) => string,
  compute: (texts: string[]) => Promise<T[]>,
  copy: (value: T) => T,
): Promise<T[]> {
  const results: (T | undefined)[] = new Array(texts.length);
  const missing = new Map<string, { text: string; positions: number[] }>();
  // keys of a batch chunk's texts are CPU work on the main thread: other requests get a turn now and then
  const slices = new MainThreadSlices();
  for (const [i, text] of texts.entries()) {
    if (slices.due) await slices.yield();
    const key = keyOf(text);
    const pending = missing.get(key);
    if (pending) {
      pending.positions.push(i);
      cache.hits++;
      continue;
    }
    const cached = cache.get(key);
    if (cached !== undefined) results[i] = copy(cached);
    else missing.set(key, { text, positions: [i] });
  }
  if (missing.size > 0) {
    const entries = [...missing];
    const computed = await compute(entries.map(([, m]) => m.text));
    entries.forEach(([key, { positions }], j) => {
      cache.set(key, computed[j]!);
      for (const i of positions) results[i] = copy(computed[j]!);
    });
  }
  return results as T[];
}
