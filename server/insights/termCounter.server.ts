// Word frequencies for word clouds. Texts go through the model's own normalisation and word segmentation,
// so "giao hàng" counts as one word; stopwords are dropped, except entries of the list that carry
// sentiment, which are what a reader of a sentiment word cloud wants to see.
import { readFileSync } from "node:fs";
import { MainThreadSlices } from "../mainThreadSlices.ts";
import { normalizeText } from "../text/normalize.ts";
import { segmentWords, type WordDictionary } from "../text/segment.ts";
import { normalizeSlang } from "../text/slang.ts";
import { distinctiveTerms, type LabelCounts } from "./distinctiveTerms.ts";

/** Stopword-list entries that say something about sentiment; kept in word clouds. */
const SENTIMENT_STOPWORDS = [
  "tốt", "hay", "thích", "nhanh", "ngọt", "dễ", "khó", "mạnh", "nặng", "thiếu", "đáng", "đúng", "lâu", "sớm",
  "khá", "tanh", "khá_tốt", "tốt_hơn", "thật_tốt", "không_được", "nhanh_tay",
];

const HAS_LETTER = /\p{L}/u;
/** normalizeText turns emoji and typed smileys into these; they read well in a cloud. */
const EMOTICONS = new Set([":)", ":(", ":'(", ":d", "<3", ":v"]);
const LINK_OR_EMAIL = /^(?:https?:\/\/|www\.)|@/u;

/** `score`: the weighted log-odds z-score when the term was chosen as distinctive (absent for raw counts). */
export type TermCount = { term: string; count: number; score?: number };

export function loadStopwords(path: string): Set<string> {
  const words = readFileSync(path, "utf8").split("\n").map((w) => w.normalize("NFC").trim().toLowerCase()).filter(Boolean);
  const keep = new Set(SENTIMENT_STOPWORDS);
  return new Set(words.filter((w) => !keep.has(w)));
}

export class TermCounter {
  constructor(
    private readonly dictionary: WordDictionary,
    private readonly stopwords: Set<string>,
  ) {}

  /** The words of one text worth showing, lower-cased, syllables joined by "_", each once. */
  terms(text: string): Set<string> {
    const out = new Set<string>();
    // slang first ("ko đc" -> "không được"), so abbreviations count as the words they stand for
    for (const token of segmentWords(normalizeText(normalizeSlang(text)), this.dictionary)) {
      const word = token.toLowerCase();
      if (EMOTICONS.has(word)) out.add(word);
      else if (word.length >= 2 && HAS_LETTER.test(word) && !LINK_OR_EMAIL.test(word) && !this.stopwords.has(word)) out.add(word);
    }
    return out;
  }

  /**
   * The `limit` words found in the most texts (a word counts once per text, so one long review cannot fill
   * the cloud), most frequent first, ties alphabetical; syllables shown with spaces ("giao hàng").
   * Segmenting thousands of texts takes a while: it yields between chunks so other requests keep flowing.
   */
  async top(texts: string[], limit: number): Promise<TermCount[]> {
    const { counts } = await this.count(texts);
    return [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, limit)
      .map(([term, count]) => ({ term: term.replace(/_/g, " "), count }));
  }

  /** In how many texts each word occurs. */
  async count(texts: string[]): Promise<LabelCounts> {
    const counts = new Map<string, number>();
    const slices = new MainThreadSlices();
    for (const text of texts) {
      if (slices.due) await slices.yield();
      for (const term of this.terms(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
    }
    return { counts, texts: texts.length };
  }

  /**
   * Per label, the words that set its texts apart from the other labels' (server/insights/distinctiveTerms.ts),
   * with the number of the label's texts holding each. With a single label there is nothing to contrast:
   * its most frequent words.
   */
  async distinctive(textsByLabel: Record<string, string[]>, limit: number): Promise<Record<string, TermCount[]>> {
    const labels = Object.keys(textsByLabel).filter((l) => textsByLabel[l]!.length > 0);
    if (labels.length === 1) return { [labels[0]!]: await this.top(textsByLabel[labels[0]!]!, limit) };
    const counted: Record<string, LabelCounts> = {};
    for (const label of labels) counted[label] = await this.count(textsByLabel[label]!);
    const chosen = distinctiveTerms(counted, limit);
    return Object.fromEntries(Object.entries(chosen).map(([label, terms]) => [label, terms.map((t) => ({ term: t.term.replace(/_/g, " "), count: t.count, score: t.score }))]));
  }
}
