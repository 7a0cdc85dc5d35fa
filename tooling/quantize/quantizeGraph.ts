// Dynamic int8 quantization as a pure rewrite of an ONNX model: MatMul/Gemm with a constant weight ->
// DynamicQuantizeLinear + MatMulInteger (per-column int8 weights) + Cast + Mul by the two scales (+ the Gemm's
// bias Add), and large constant Gather tables (word embeddings) -> int8 rows + a per-row scale Gather + Mul.
// The node pattern is the one ONNX Runtime fuses at load into its MatMulIntegerToFloat / DynamicQuantizeMatMul.
import { quantizePerColumn, quantizePerRow } from "./int8Weights.ts";
import {
  attributeNumber, floatTensor, floatValues, int8Tensor, intAttribute, namesReadByNodes, node, onnx, tensorDims,
  type ModelProto, type NodeProto, type TensorProto,
} from "./onnxProto.ts";

export type QuantizeOptions = {
  /** Gather tables with at least this many rows (and `minEmbeddingColumns` columns) are stored as int8. */
  minEmbeddingRows: number;
  minEmbeddingColumns: number;
  /** MatMul weights with fewer elements stay fp32 (quantizing a tiny matrix costs more than it saves). */
  minWeightElements: number;
};

export const DEFAULT_QUANTIZE_OPTIONS: QuantizeOptions = { minEmbeddingRows: 1024, minEmbeddingColumns: 16, minWeightElements: 1024 };

export type QuantizeSummary = {
  matmuls: number;
  gemms: number;
  embeddings: number;
  skipped: { node: string; reason: string }[];
  fp32Bytes: number;
  int8Bytes: number;
};

export class QuantizeError extends Error {}

const CAST_TO_FLOAT = onnx.TensorProto.DataType.FLOAT;

/** Rewrites `model` in place and says what it changed. */
export function quantizeModel(model: ModelProto, options: QuantizeOptions = DEFAULT_QUANTIZE_OPTIONS): QuantizeSummary {
  const graph = model.graph;
  if (!graph) throw new QuantizeError("the model has no graph");
  const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx");
  if (!opset || Number(opset.version) < 11) {
    throw new QuantizeError(`the model's ONNX opset is ${opset ? Number(opset.version) : "unknown"}; DynamicQuantizeLinear and MatMulInteger need opset 11 or later (re-export it with opset 14)`);
  }
  const initializers = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) if (t.name) initializers.set(t.name, t);
  const usedNames = new Set<string>([...initializers.keys(), ...namesReadByNodes(graph)]);
  for (const n of graph.node ?? []) for (const o of n.output ?? []) usedNames.add(o);
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; usedNames.has(name); i++) name = `${base}_${i}`;
    usedNames.add(name);
    return name;
  };

  const summary: QuantizeSummary = { matmuls: 0, gemms: 0, embeddings: 0, skipped: [], fp32Bytes: 0, int8Bytes: 0 };
  const added: TensorProto[] = [];
  const weightCache = new Map<string, { values: string; scales: string; zeroPoints: string }>();
  const dynamicQuantized = new Map<string, { q: string; scale: string; zeroPoint: string }>();
  const out: NodeProto[] = [];

  const quantizedWeight = (name: string, tensor: TensorProto, transpose: boolean) => {
    const key = `${name}|${transpose}`;
    const cached = weightCache.get(key);
    if (cached) return cached;
    const [rows, cols] = tensorDims(tensor) as [number, number];
    const { values, scales } = quantizePerColumn(floatValues(tensor)!, rows, cols, transpose);
    const n = scales.length;
    const names = { values: fresh(`${name}_int8`), scales: fresh(`${name}_scale`), zeroPoints: fresh(`${name}_zero_point`) };
    added.push(
      int8Tensor(names.values, [values.length / n, n], values),
      floatTensor(names.scales, [n], scales),
      int8Tensor(names.zeroPoints, [n], new Int8Array(n)),
    );
    summary.fp32Bytes += rows * cols * 4;
    summary.int8Bytes += values.length + n * 5;
    weightCache.set(key, names);
    return names;
  };

  const dynamicQuantize = (input: string) => {
    const cached = dynamicQuantized.get(input);
    if (cached) return cached;
    const names = { q: fresh(`${input}_quantized`), scale: fresh(`${input}_scale`), zeroPoint: fresh(`${input}_zero_point`) };
    out.push(node("DynamicQuantizeLinear", [input], [names.q, names.scale, names.zeroPoint], fresh(`${input}_DynamicQuantizeLinear`)));
    dynamicQuantized.set(input, names);
    return names;
  };

  /** y = (q(a) x Wq) * (a_scale * w_scale) [+ bias], written to `output`. */
  const emitIntegerMatMul = (n: NodeProto, a: string, weight: { values: string; scales: string; zeroPoints: string }, output: string, bias: string | null) => {
    const base = n.name || output;
    const qa = dynamicQuantize(a);
    const int32 = fresh(`${output}_int32`);
    const asFloat = fresh(`${output}_float`);
    const scale = fresh(`${output}_scale`);
    const scaled = bias ? fresh(`${output}_scaled`) : output;
    out.push(
      node("MatMulInteger", [qa.q, weight.values, qa.zeroPoint, weight.zeroPoints], [int32], fresh(`${base}_MatMulInteger`)),
      node("Cast", [int32], [asFloat], fresh(`${base}_Cast`), [intAttribute("to", CAST_TO_FLOAT)]),
      node("Mul", [qa.scale, weight.scales], [scale], fresh(`${base}_ScaleMul`)),
      node("Mul", [asFloat, scale], [scaled], fresh(`${base}_Mul`)),
    );
    if (bias) out.push(node("Add", [scaled, bias], [output], fresh(`${base}_BiasAdd`)));
  };

  const constantFloat2d = (name: string | undefined) => {
    const tensor = name ? initializers.get(name) : undefined;
    if (!tensor || tensorDims(tensor).length !== 2 || !floatValues(tensor)) return null;
    return tensor;
  };

  const largeEnoughWeight = (n: NodeProto, name: string | undefined) => {
    const weight = constantFloat2d(name);
    if (!weight) return null;
    const [k, m] = tensorDims(weight) as [number, number];
    if (k * m >= options.minWeightElements) return weight;
    summary.skipped.push({ node: n.name || n.output![0]!, reason: `weight ${k}x${m} below ${options.minWeightElements} elements` });
    return null;
  };

  for (const n of graph.node ?? []) {
    const inputs = n.input ?? [];
    const output = n.output?.[0];
    if ((n.domain ?? "") !== "" || !output) {
      out.push(n);
      continue;
    }
    if (n.opType === "MatMul") {
      const weight = largeEnoughWeight(n, inputs[1]);
      if (!weight) {
        out.push(n);
        continue;
      }
      emitIntegerMatMul(n, inputs[0]!, quantizedWeight(inputs[1]!, weight, false), output, null);
      summary.matmuls++;
    } else if (n.opType === "Gemm") {
      const weight = largeEnoughWeight(n, inputs[1]);
      const alpha = attributeNumber(n, "alpha", 1);
      const beta = attributeNumber(n, "beta", 1);
      const transA = attributeNumber(n, "transA", 0);
      const bias = inputs[2] || null;
      if (!weight || transA !== 0 || alpha !== 1 || (bias && beta !== 1)) {
        if (weight) summary.skipped.push({ node: n.name ?? output, reason: "Gemm with transA, alpha or beta other than the defaults" });
        out.push(n);
        continue;
      }
      emitIntegerMatMul(n, inputs[0]!, quantizedWeight(inputs[1]!, weight, attributeNumber(n, "transB", 0) === 1), output, bias);
      summary.gemms++;
    } else if (n.opType === "Gather" && attributeNumber(n, "axis", 0) === 0) {
      const table = constantFloat2d(inputs[0]);
      const [rows, cols] = table ? (tensorDims(table) as [number, number]) : [0, 0];
      if (!table || rows < options.minEmbeddingRows || cols < options.minEmbeddingColumns) {
        out.push(n);
        continue;
      }
      const { values, scales } = quantizePerRow(floatValues(table)!, rows, cols);
      const valuesName = fresh(`${inputs[0]}_int8`);
      const scalesName = fresh(`${inputs[0]}_row_scale`);
      added.push(int8Tensor(valuesName, [rows, cols], values), floatTensor(scalesName, [rows, 1], scales));
      summary.fp32Bytes += rows * cols * 4;
      summary.int8Bytes += rows * cols + rows * 4;
      const base = n.name || output;
      const gathered = fresh(`${output}_int8`);
      const asFloat = fresh(`${output}_float`);
      const rowScale = fresh(`${output}_row_scale`);
      out.push(
        node("Gather", [valuesName, inputs[1]!], [gathered], fresh(`${base}_int8`)),
        node("Cast", [gathered], [asFloat], fresh(`${base}_Cast`), [intAttribute("to", CAST_TO_FLOAT)]),
        node("Gather", [scalesName, inputs[1]!], [rowScale], fresh(`${base}_RowScale`)),
        node("Mul", [asFloat, rowScale], [output], fresh(`${base}_Dequantize`)),
      );
      summary.embeddings++;
    } else {
      out.push(n);
    }
  }

  graph.node = out;
  // Drop the fp32 originals nothing reads any more (a weight shared with an unquantized node stays).
  const stillRead = namesReadByNodes(graph);
  for (const o of graph.output ?? []) if (o.name) stillRead.add(o.name);
  graph.initializer = [...(graph.initializer ?? []).filter((t) => t.name && stillRead.has(t.name)), ...added];
  // Graph inputs that doubled as initializers (older exporters) must go with them.
  const initializerNames = new Set(graph.initializer.map((t) => t.name));
  graph.input = (graph.input ?? []).filter((i) => !i.name || !initializers.has(i.name) || initializerNames.has(i.name));
  return summary;
}
