// Turns raw text into PhoBERT token ids: normalise -> word-segment -> fastBPE. Training export and serving
// both call this, so the ids a model was trained on are the ids it is served.
import { Tokenizer } from "@huggingface/tokenizers";
import { normalizeText } from "../text/normalize.ts";
import { segmentWords, type SegmentationRules, type WordDictionary } from "../text/segment.ts";

export type EncodedText = { ids: number[]; segmented: string };

export class TextEncoder {
  private readonly tokenizer: Tokenizer;

  constructor(
    tokenizerJson: object,
    private readonly dictionary: WordDictionary | null,
    private readonly rules: SegmentationRules = "vncorenlp",
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
    const segmented = this.preprocess(text);
    const ids = this.tokenizer.encode(segmented, { add_special_tokens: false }).ids;
    return { ids, segmented };
  }
}
