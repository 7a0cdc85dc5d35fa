// Converts PhoBERT's fastBPE files (dict.txt + bpe.codes) into a tokenizer.json for the transformers.js tokenizer.
// Usage: npm run tokenizer:build -- --dict dict.txt --codes bpe.codes --out model-dir/tokenizer.json
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildPhobertTokenizerJson } from "#tooling/phobertTokenizerJson.ts";

const { values } = parseArgs({ options: { dict: { type: "string" }, codes: { type: "string" }, out: { type: "string" } } });
if (!values.dict || !values.codes || !values.out) {
  console.error("usage: build-tokenizer-json --dict dict.txt --codes bpe.codes --out tokenizer.json");
  process.exit(2);
}
const json = buildPhobertTokenizerJson(readFileSync(values.dict, "utf8"), readFileSync(values.codes, "utf8"));
writeFileSync(values.out, JSON.stringify(json));
console.log(`wrote ${values.out}`);
