// The attention-fusion rewrite on a one-layer model this test writes itself in the shape our PyTorch exports take
// (packed Q/K/V projection -> Reshape -> Transpose -> Split -> Squeeze x3 -> scores / √d + mask -> Softmax -> ·V),
// run before and after through onnxruntime-node on a padded batch.
import ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { fuseAttention } from "#tooling/quantize/fuseAttention.ts";
import { DataType, decodeModel, encodeModel, floatTensor, intAttribute, node, onnx, type ModelProto } from "#tooling/quantize/onnxProto.ts";

const VOCAB = 50;
const HIDDEN = 16;
const HEADS = 4;
const HEAD = HIDDEN / HEADS;

function seededRandom(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 2 ** 32;
    return s / 2 ** 32 - 0.5;
  };
}

function int64Tensor(name: string, values: number[]) {
  return onnx.TensorProto.create({ name, dims: [values.length], dataType: DataType.INT64, int64Data: values });
}

function attentionModel(scale = Math.sqrt(HEAD)): ModelProto {
  const random = seededRandom(11);
  const matrix = (rows: number, cols: number) => Float32Array.from({ length: rows * cols }, () => random());
  const valueInfo = (name: string, elemType: number, dims: (string | number)[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } } });
  const ints = (name: string, values: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
  const graph = onnx.GraphProto.create({
    name: "attention",
    input: [valueInfo("input_ids", DataType.INT64, ["batch", "sequence"]), valueInfo("attention_mask", DataType.INT64, ["batch", "sequence"])],
    output: [valueInfo("logits", DataType.FLOAT, ["batch", "sequence", HIDDEN])],
    initializer: [
      floatTensor("embedding", [VOCAB, HIDDEN], matrix(VOCAB, HIDDEN)),
      floatTensor("w_qkv", [HIDDEN, 3 * HIDDEN], matrix(HIDDEN, 3 * HIDDEN)),
      floatTensor("b_qkv", [3 * HIDDEN], matrix(1, 3 * HIDDEN)),
      int64Tensor("unpack_shape", [0, 0, 3, HEADS, HEAD]),
      int64Tensor("merge_shape", [0, 0, HIDDEN]),
      int64Tensor("ones", [1, 1, 1]),
      int64Tensor("axis0", [0]),
      int64Tensor("axes12", [1, 2]),
      floatTensor("scale", [], Float32Array.of(scale)),
      floatTensor("one", [], Float32Array.of(1)),
      floatTensor("minus", [], Float32Array.of(-10000)),
    ],
    node: [
      node("Gather", ["embedding", "input_ids"], ["x"], "embed"),
      node("MatMul", ["x", "w_qkv"], ["p0"], "qkv/MatMul"),
      node("Add", ["b_qkv", "p0"], ["p"], "qkv/Add"),
      node("Reshape", ["p", "unpack_shape"], ["r"], "unpack"),
      onnx.NodeProto.create({ opType: "Transpose", input: ["r"], output: ["t"], name: "heads", attribute: [ints("perm", [2, 0, 3, 1, 4])] }),
      onnx.NodeProto.create({ opType: "Split", input: ["t", "ones"], output: ["s0", "s1", "s2"], name: "split", attribute: [intAttribute("axis", 0)] }),
      node("Squeeze", ["s0", "axis0"], ["q"], "q"),
      node("Squeeze", ["s1", "axis0"], ["k"], "k"),
      node("Squeeze", ["s2", "axis0"], ["v"], "v"),
      onnx.NodeProto.create({ opType: "Transpose", input: ["k"], output: ["kt"], name: "kt", attribute: [ints("perm", [0, 1, 3, 2])] }),
      node("MatMul", ["q", "kt"], ["scores"], "scores"),
      node("Div", ["scores", "scale"], ["scaled"], "scale"),
      node("Unsqueeze", ["attention_mask", "axes12"], ["m4"], "mask/Unsqueeze"),
      node("Cast", ["m4"], ["mf"], "mask/Cast", [intAttribute("to", DataType.FLOAT)]),
      node("Sub", ["one", "mf"], ["inverse"], "mask/Sub"),
      node("Mul", ["inverse", "minus"], ["bias"], "mask/Mul"),
      node("Add", ["scaled", "bias"], ["masked"], "mask/Add"),
      node("Softmax", ["masked"], ["weights"], "softmax", [intAttribute("axis", -1)]),
      node("MatMul", ["weights", "v"], ["context"], "context"),
      onnx.NodeProto.create({ opType: "Transpose", input: ["context"], output: ["back"], name: "back", attribute: [ints("perm", [0, 2, 1, 3])] }),
      node("Reshape", ["back", "merge_shape"], ["logits"], "merge"),
    ],
  });
  return onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: "", version: 14 }], producerName: "camxuc-test", graph });
}

async function run(model: ModelProto): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  // two rows, the second padded after three tokens (ids past the padding must not matter)
  const ids = new ort.Tensor("int64", BigInt64Array.from([0, 5, 9, 12, 7, 2, 0, 3, 8, 1, 1, 1].map(BigInt)), [2, 6]);
  const mask = new ort.Tensor("int64", BigInt64Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0].map(BigInt)), [2, 6]);
  const output = await session.run({ input_ids: ids, attention_mask: mask });
  await session.release();
  return output.logits!.data as Float32Array;
}

describe("fuseAttention", () => {
  it("replaces the spelled-out attention with one MultiHeadAttention and keeps the outputs", async () => {
    const original = attentionModel();
    const fused = decodeModel(encodeModel(original));
    expect(fuseAttention(fused)).toEqual({ fused: 1, skipped: [] });
    const ops = fused.graph!.node!.map((n) => n.opType);
    expect(ops.filter((op) => op === "MultiHeadAttention")).toHaveLength(1);
    expect(ops).not.toContain("Softmax");
    expect(ops).not.toContain("Transpose");
    expect(fused.opsetImport!.some((o) => o.domain === "com.microsoft")).toBe(true);
    const [before, after] = [await run(original), await run(fused)];
    expect(after.length).toBe(before.length);
    let worst = 0;
    before.forEach((value, i) => (worst = Math.max(worst, Math.abs(value - after[i]!))));
    expect(worst).toBeLessThan(1e-4);
  });

  it("leaves an attention it cannot prove equivalent alone and says why", () => {
    // a scale that is not √(head size): MultiHeadAttention's default scale would change the result
    const model = attentionModel(3);
    const summary = fuseAttention(model);
    expect(summary.fused).toBe(0);
    expect(summary.skipped[0]!.reason).toMatch(/head size/);
    expect(model.graph!.node!.map((n) => n.opType)).toContain("Softmax");
  });
});
