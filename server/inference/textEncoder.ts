// Turns raw text into PhoBERT token ids: normalise -> word-segment -> fastBPE. Training export and serving
// both call this, so the ids a model was trained on are the ids it is served.
import { createHash } from "node:crypto";
import { Tokenizer } from "@huggingface/tokenizers";
import { normalizeText } from "../text/normalize.ts";
import { segmentWords, type SegmentationRules, type WordDictionary } from "../text/segment.ts";

export type EncodedText = { ids: number[]; segmented: string };

/** What an encoder remembers at most, in characters of text (with its ids, about 10 MB): long texts cannot make it large. */
const RECENT_CHARS = 1_000_000;

export class TextEncoder {
  private readonly tokenizer: Tokenizer;
  /** The last `recentEncodings` texts encoded (insertion order, oldest dropped first), at most RECENT_CHARS in all. */
  private readonly recent = new Map<string, EncodedText>();
  private recentChars = 0;

  constructor(
    tokenizerJson: object,
    private readonly dictionary: WordDictionary | null,
    private readonly rules: SegmentationRules = "vncorenlp",
    private readonly recentEncodings = 0,
  ) {
    this.tokenizer = new Tokenizer(tokenizerJson as never, {} as never);
  }

  /** The text as the model's BPE sees it (segmented when the model wants segmented input). */
  preprocess(text: string): string {
    return this.words(text).join(" ");
  }

  /** The words the model sees, in order: word-segmented, or the normalised text's whitespace-separated parts. */
  words(text: string): string[] {
    const normalized = normalizeText(text);
    return this.dictionary ? segmentWords(normalized, this.dictionary, this.rules) : normalized.split(" ").filter(Boolean);
  }

  /** Token ids of words already segmented (e.g. a text with some of its words left out). */
  encodeWords(words: readonly string[]): number[] {
    return this.tokenizer.encode(words.join(" "), { add_special_tokens: false }).ids;
  }

  /** Token ids without <s> and </s>; windowing adds them per window. */
  encode(text: string): EncodedText {
    const known = this.recent.get(text);
    if (known) return known;
    const segmented = this.preprocess(text);
    const encoded = { ids: this.tokenizer.encode(segmented, { add_special_tokens: false }).ids, segmented };
    if (this.recentEncodings > 0) {
      this.recent.set(text, encoded);
      this.recentChars += text.length;
      while (this.recent.size > this.recentEncodings || this.recentChars > RECENT_CHARS) {
        const oldest = this.recent.keys().next().value!;
        this.recent.delete(oldest);
        this.recentChars -= oldest.length;
      }
    }
    return encoded;
  }
}

/** Texts a served encoder remembers: two batch chunks in flight, with room to spare. */
const SERVED_RECENT_ENCODINGS = 2_048;
const servedEncoders = new Map<string, TextEncoder>();
const dictionaryIds = new WeakMap<WordDictionary, number>();
let nextDictionaryId = 1;

/**
 * The encoder the served models share when their tokenizer and segmentation are the same (the sentence model and
 * the aspect model are): each text is normalised, segmented and tokenised once for both, remembered for the
 * second, and the tokenizer is held in memory once. Encoding was the main thread's largest cost in a batch.
 */
export function servedTextEncoder(tokenizerJson: object, dictionary: WordDictionary | null, rules: SegmentationRules = "vncorenlp"): TextEncoder {
  if (dictionary && !dictionaryIds.has(dictionary)) dictionaryIds.set(dictionary, nextDictionaryId++);
  const key = `${createHash("sha256").update(JSON.stringify(tokenizerJson)).digest("hex")}|${rules}|${dictionary ? dictionaryIds.get(dictionary) : "none"}`;
  let encoder = servedEncoders.get(key);
  if (!encoder) servedEncoders.set(key, (encoder = new TextEncoder(tokenizerJson, dictionary, rules, SERVED_RECENT_ENCODINGS)));
  return encoder;
}
