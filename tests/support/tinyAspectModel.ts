// Writes a tiny aspect model folder for tests of the loading and decoding code: a bag of token embeddings
// summed over the unmasked positions, whose chosen words push chosen aspects and domains (the real model is
// tested with the bundled folder in tests/integration).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DataType, encodeModel, floatTensor, intAttribute, node, onnx } from "#tooling/quantize/onnxProto.ts";
import { TextEncoder } from "../../server/inference/textEncoder.ts";
import { loadWordDictionary } from "../../server/text/segment.ts";
import { DEFAULT_MODEL_DIR, SEGMENTER_WORDS_PATH } from "../../server/repoPaths.ts";

export const TINY_ASPECT_CONFIG = {
  model_type: "camxuc-aspects",
  version: "0.0.1-test",
  segmentation: "vncorenlp",
  max_length: 256,
  classes: ["absent", "positive", "negative", "neutral"],
  domains: [
    { id: "phones", name_vi: "Điện thoại", name_en: "Phones", aspects: [
      { id: "BATTERY", name_vi: "Pin", name_en: "Battery", index: 0 },
      { id: "CAMERA", name_vi: "Camera", name_en: "Camera", index: 1 },
    ] },
    { id: "hotels", name_vi: "Khách sạn", name_en: "Hotels", aspects: [{ id: "ROOMS_CLEANLINESS", name_vi: "Phòng sạch sẽ", name_en: "Room cleanliness", index: 2 }] },
    { id: "general", name_vi: "Chung", name_en: "General", aspects: [
      { id: "PRICE", name_vi: "Giá", name_en: "Price", index: 3 },
      { id: "GENERAL", name_vi: "Tổng thể", name_en: "Overall", index: 4 },
    ] },
  ],
  domain_head: ["phones", "hotels"],
  calibration: { temperature: 1.0 },
};

const CLASSES = 4;
/** word -> [aspect index, class (1 positive, 2 negative, 3 neutral)] */
const ASPECT_WORDS: Record<string, [number, number]> = { pin: [0, 1], camera: [1, 2], phòng: [2, 1], giá: [3, 3], tuyệt: [4, 1] };
/** word -> domain-head index */
const DOMAIN_WORDS: Record<string, number> = { pin: 0, camera: 0, "điện thoại": 0, "khách sạn": 1, phòng: 1 };

function int64Tensor(name: string, values: number[]) {
  return onnx.TensorProto.create({ name, dims: [values.length], dataType: DataType.INT64, int64Data: values });
}

export function writeTinyAspectModel(dir: string, config: object = TINY_ASPECT_CONFIG, options: { outputs?: [string, string] } = {}): string {
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(DEFAULT_MODEL_DIR, "tokenizer.json"), path.join(dir, "tokenizer.json"));
  writeFileSync(path.join(dir, "config.json"), JSON.stringify(config, null, 1));
  writeFileSync(path.join(dir, "MODEL_CARD.md"), "# Tiny aspect model (tests only)\n");
  const aspects = 5;
  const domains = 2;
  const width = aspects * CLASSES + domains;
  const encoder = new TextEncoder(JSON.parse(readTokenizer()), loadWordDictionary(SEGMENTER_WORDS_PATH));
  const vocab = 64_001;
  const embedding = new Float32Array(vocab * width);
  // PhoBERT's vocabulary is cased: the word and its capitalised form both count
  const add = (word: string, column: number, value: number) => {
    const ids = new Set([word, word[0]!.toUpperCase() + word.slice(1)].flatMap((w) => encoder.encode(w).ids));
    for (const id of ids) embedding[id * width + column] = embedding[id * width + column]! + value;
  };
  for (const [word, [aspect, polarity]] of Object.entries(ASPECT_WORDS)) add(word, aspect * CLASSES + polarity, 6);
  for (const [word, domain] of Object.entries(DOMAIN_WORDS)) add(word, aspects * CLASSES + domain, 4);
  const bias = new Float32Array(width);
  for (let a = 0; a < aspects; a++) bias[a * CLASSES] = 2; // absent unless a word says otherwise
  const valueInfo = (name: string, elemType: number, dims: (string | number)[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } } });
  const [aspectOut, domainOut] = options.outputs ?? ["aspect_logits", "domain_logits"];
  const graph = onnx.GraphProto.create({
    name: "tiny_aspects",
    input: [valueInfo("input_ids", DataType.INT64, ["batch", "sequence"]), valueInfo("attention_mask", DataType.INT64, ["batch", "sequence"])],
    output: [valueInfo(aspectOut, DataType.FLOAT, ["batch", aspects, CLASSES]), valueInfo(domainOut, DataType.FLOAT, ["batch", domains])],
    initializer: [
      floatTensor("embedding", [vocab, width], embedding),
      floatTensor("bias", [width], bias),
      int64Tensor("axis1", [1]),
      int64Tensor("axis2", [2]),
      int64Tensor("sizes", [aspects * CLASSES, domains]),
      int64Tensor("aspect_shape", [0, aspects, CLASSES]),
    ],
    node: [
      node("Gather", ["embedding", "input_ids"], ["x"], "embed"),
      node("Cast", ["attention_mask"], ["mf"], "mask/Cast", [intAttribute("to", DataType.FLOAT)]),
      node("Unsqueeze", ["mf", "axis2"], ["m3"], "mask/Unsqueeze"),
      node("Mul", ["x", "m3"], ["xm"], "mask/Mul"),
      node("ReduceSum", ["xm", "axis1"], ["summed"], "sum", [intAttribute("keepdims", 0)]),
      node("Add", ["summed", "bias"], ["scores"], "bias"),
      onnx.NodeProto.create({ opType: "Split", input: ["scores", "sizes"], output: ["flat_aspects", domainOut], name: "split", attribute: [intAttribute("axis", 1)] }),
      node("Reshape", ["flat_aspects", "aspect_shape"], [aspectOut], "aspects"),
    ],
  });
  const model = onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: "", version: 14 }], producerName: "camxuc-test", graph });
  writeFileSync(path.join(dir, "model.onnx"), encodeModel(model));
  return dir;
}

function readTokenizer(): string {
  return readFileSync(path.join(DEFAULT_MODEL_DIR, "tokenizer.json"), "utf8");
}
