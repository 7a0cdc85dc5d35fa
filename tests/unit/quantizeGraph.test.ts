// The int8 graph rewrite on a tiny model this test writes itself (embedding Gather -> MatMul + Add -> Relu ->
// mean -> Gemm), run in fp32 and int8 through onnxruntime-node.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ort from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";
import { quantizePerColumn, quantizePerRow } from "#tooling/quantize/int8Weights.ts";
import { DataType, decodeModel, encodeModel, floatTensor, intAttribute, node, onnx, type ModelProto } from "#tooling/quantize/onnxProto.ts";
import { QuantizeError, quantizeModel } from "#tooling/quantize/quantizeGraph.ts";

function seededRandom(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 2 ** 32;
    return s / 2 ** 32 - 0.5;
  };
}

function randomMatrix(rows: number, cols: number, random: () => number, scale = 1) {
  return Float32Array.from({ length: rows * cols }, () => random() * scale);
}

const VOCAB = 2048;
const DIM = 32;
const HIDDEN = 64;
const OUT = 16;

function tinyModel(opset = 14): ModelProto {
  const random = seededRandom(7);
  const valueInfo = (name: string, elemType: number, dims: (string | number)[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } },
    });
  const axes = onnx.AttributeProto.create({ name: "axes", type: onnx.AttributeProto.AttributeType.INTS, ints: [1] });
  const graph = onnx.GraphProto.create({
    name: "tiny",
    input: [valueInfo("ids", DataType.INT64, ["batch", "sequence"])],
    output: [valueInfo("logits", DataType.FLOAT, ["batch", OUT])],
    initializer: [
      floatTensor("embedding", [VOCAB, DIM], randomMatrix(VOCAB, DIM, random)),
      floatTensor("w1", [DIM, HIDDEN], randomMatrix(DIM, HIDDEN, random, 0.4)),
      floatTensor("b1", [HIDDEN], randomMatrix(1, HIDDEN, random, 0.1)),
      floatTensor("w2", [OUT, HIDDEN], randomMatrix(OUT, HIDDEN, random, 0.4)),
      floatTensor("b2", [OUT], randomMatrix(1, OUT, random, 0.1)),
    ],
    node: [
      node("Gather", ["embedding", "ids"], ["e"], "embed"),
      node("MatMul", ["e", "w1"], ["h"], "dense"),
      node("Add", ["h", "b1"], ["h2"], "dense_bias"),
      node("Relu", ["h2"], ["r"], "relu"),
      onnx.NodeProto.create({ opType: "ReduceMean", input: ["r"], output: ["pooled"], name: "pool", attribute: [axes, intAttribute("keepdims", 0)] }),
      onnx.NodeProto.create({ opType: "Gemm", input: ["pooled", "w2", "b2"], output: ["logits"], name: "head", attribute: [intAttribute("transB", 1)] }),
    ],
  });
  return onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: "", version: opset }], producerName: "camxuc-test", graph });
}

describe("quantizeModel", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-quantize-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(model: ModelProto, name: string, ids: BigInt64Array, dims: number[]) {
    const file = path.join(dir, name);
    writeFileSync(file, encodeModel(model));
    const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: "all", intraOpNumThreads: 1 });
    const output = await session.run({ ids: new ort.Tensor("int64", ids, dims) });
    await session.release();
    return output.logits!.data as Float32Array;
  }

  it("rewrites MatMul, Gemm and the embedding table to int8, and agrees with fp32 within 3% of the output range", async () => {
    const fp32 = tinyModel();
    const int8 = decodeModel(encodeModel(fp32));
    const summary = quantizeModel(int8, { minEmbeddingRows: 1024, minEmbeddingColumns: 16, minWeightElements: 256 });
    expect([summary.matmuls, summary.gemms, summary.embeddings]).toEqual([1, 1, 1]);
    const ops = int8.graph!.node!.map((n) => n.opType);
    expect(ops).toContain("MatMulInteger");
    expect(ops).toContain("DynamicQuantizeLinear");
    expect(ops).not.toContain("MatMul");
    expect(ops).not.toContain("Gemm");
    const initializers = new Map(int8.graph!.initializer!.map((t) => [t.name, t]));
    for (const gone of ["embedding", "w1", "w2"]) expect(initializers.has(gone)).toBe(false);
    expect(initializers.get("embedding_int8")!.dataType).toBe(DataType.INT8);
    expect(encodeModel(int8).length).toBeLessThan(encodeModel(fp32).length / 3);

    const random = seededRandom(11);
    const batch = 4;
    const sequence = 9;
    const ids = BigInt64Array.from({ length: batch * sequence }, () => BigInt(Math.floor((random() + 0.5) * VOCAB)));
    const a = await run(fp32, "fp32.onnx", ids, [batch, sequence]);
    const b = await run(int8, "int8.onnx", ids, [batch, sequence]);
    expect(b.length).toBe(batch * OUT);
    const range = Math.max(...a) - Math.min(...a);
    const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    expect(range).toBeGreaterThan(0.1);
    expect(worst).toBeLessThan(0.03 * range);
  });

  it("leaves small weights and tables in fp32", () => {
    const model = tinyModel();
    const summary = quantizeModel(model, { minEmbeddingRows: 4096, minEmbeddingColumns: 16, minWeightElements: 4096 });
    expect([summary.matmuls, summary.gemms, summary.embeddings]).toEqual([0, 0, 0]);
    expect(summary.skipped.map((s) => s.node)).toEqual(["dense", "head"]);
    expect(model.graph!.node!.map((n) => n.opType)).toContain("MatMul");
  });

  it("refuses an opset without MatMulInteger, saying what to do", () => {
    expect(() => quantizeModel(tinyModel(10))).toThrow(QuantizeError);
    expect(() => quantizeModel(tinyModel(10))).toThrow(/opset is 10.*re-export it with opset 14/);
  });
});

describe("int8 weights", () => {
  it("quantizes per column (transposed or not) and per row within half a step", () => {
    const random = seededRandom(3);
    const rows = 5;
    const cols = 7;
    const w = randomMatrix(rows, cols, random);
    w[3] = 0; // a column with a zero stays exact
    const { values, scales } = quantizePerColumn(w, rows, cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(Math.abs(values[i * cols + j]! * scales[j]! - w[i * cols + j]!)).toBeLessThanOrEqual(scales[j]! / 2 + 1e-7);
    const transposed = Float32Array.from({ length: rows * cols }, (_, k) => w[(k % rows) * cols + Math.floor(k / rows)]!);
    const again = quantizePerColumn(transposed, cols, rows, true);
    expect(Array.from(again.values)).toEqual(Array.from(values));
    const perRow = quantizePerRow(w, rows, cols);
    for (let r = 0; r < rows; r++) {
      expect(Math.max(...Array.from(perRow.values.subarray(r * cols, (r + 1) * cols), Math.abs))).toBe(127);
    }
    expect(Array.from(quantizePerRow(new Float32Array(4), 2, 2).scales)).toEqual([1, 1]);
  });
});
