// An independent re-implementation of fastBPE's "apply" (as PhoBERT's Python tokenizer runs it), used only
// to check our tokenizer.json id for id. Deliberately written from the algorithm, not from the JSON.
export class FastBpeReference {
  private ranks = new Map<string, number>();
  private ids = new Map<string, number>();
  private cache = new Map<string, string[]>();

  constructor(dictText: string, codesText: string) {
    let id = 4;
    for (const line of dictText.split("\n")) {
      if (!line) continue;
      this.ids.set(line.slice(0, line.lastIndexOf(" ")), id++);
    }
    codesText.split("\n").forEach((line, rank) => {
      const [a, b] = line.split(" ");
      if (a !== undefined && b !== undefined) this.ranks.set(`${a} ${b}`, rank);
    });
  }

  private bpe(word: string): string[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const chars = Array.from(word);
    let symbols = [...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`];
    while (symbols.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < symbols.length - 1; i++) {
        const rank = this.ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) { bestRank = rank; best = i; }
      }
      if (best < 0) break;
      const a = symbols[best]!, b = symbols[best + 1]!;
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; ) {
        if (i < symbols.length - 1 && symbols[i] === a && symbols[i + 1] === b) { merged.push(a + b); i += 2; }
        else { merged.push(symbols[i]!); i += 1; }
      }
      symbols = merged;
    }
    const out = symbols.map((s, i) => (i === symbols.length - 1 ? s.slice(0, -4) : `${s}@@`));
    this.cache.set(word, out);
    return out;
  }

  encode(segmentedWords: string[]): number[] {
    const ids = [0];
    for (const word of segmentedWords) for (const piece of this.bpe(word)) ids.push(this.ids.get(piece) ?? 3);
    ids.push(2);
    return ids;
  }
}
