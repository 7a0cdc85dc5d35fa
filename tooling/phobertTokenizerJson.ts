// Builds a tokenizer.json (Hugging Face format) that reproduces PhoBERT's fastBPE from dict.txt + bpe.codes.

export const SPECIAL_TOKENS = { bos: "<s>", pad: "<pad>", eos: "</s>", unk: "<unk>", mask: "<mask>" } as const;

export function buildPhobertTokenizerJson(dictText: string, bpeCodesText: string): object {
  const vocab: Record<string, number> = { "<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3 };
  let nextId = 4;
  for (const line of dictText.split("\n")) {
    if (!line) continue;
    // fairseq dict lines are "<token> <count>"; the token itself may contain U+00A0 but not a space.
    const token = line.slice(0, line.lastIndexOf(" "));
    const key = token.endsWith("@@") ? token : `${token}</w>`;
    if (!(key in vocab)) vocab[key] = nextId;
    nextId++;
  }
  vocab["<mask>"] = nextId;
  const merges: string[] = [];
  for (const line of bpeCodesText.split("\n")) {
    if (!line) continue;
    const parts = line.split(" ");
    if (parts.length < 2) continue;
    merges.push(`${parts[0]} ${parts[1]}`);
  }
  const added = (id: number, content: string) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [added(0, "<s>"), added(1, "<pad>"), added(2, "</s>"), added(3, "<unk>"), added(nextId, "<mask>")],
    normalizer: null,
    pre_tokenizer: { type: "WhitespaceSplit" },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }],
      pair: [
        { SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } },
        { SpecialToken: { id: "</s>", type_id: 0 } }, { Sequence: { id: "B", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } },
      ],
      special_tokens: {
        "<s>": { id: "<s>", ids: [0], tokens: ["<s>"] },
        "</s>": { id: "</s>", ids: [2], tokens: ["</s>"] },
      },
    },
    decoder: null,
    model: {
      type: "BPE",
      dropout: null,
      unk_token: "<unk>",
      continuing_subword_prefix: null,
      continuing_subword_suffix: "@@",
      end_of_word_suffix: "</w>",
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}
