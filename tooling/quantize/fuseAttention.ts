// Fused attention as a pure rewrite of an ONNX model: the self-attention our PyTorch exports spell out operator by
// operator (packed Q/K/V projection -> Reshape -> Transpose -> Split -> Squeeze x3 -> Q·Kᵀ / √d + mask -> Softmax
// -> ·V -> Transpose -> Reshape) becomes one Split of the projection into Q, K and V plus one ONNX Runtime
// `com.microsoft:MultiHeadAttention` node, which also skips the padded keys (key_padding_mask). ONNX Runtime's own
// optimiser fuses only Hugging Face BERT's separate Q/K/V pattern, not this one (docs/performance.md). The Q/K/V
// projection stays a MatMul, so the int8 rewrite (quantizeGraph.ts) still applies after this one.
import { floatValues, intAttribute, namesReadByNodes, node, onnx, tensorDims, type ModelProto, type NodeProto, type TensorProto } from "./onnxProto.ts";

export type FuseAttentionSummary = { fused: number; skipped: { node: string; reason: string }[] };

const MICROSOFT = "com.microsoft";

/** Rewrites `model` in place; a Softmax whose surroundings do not match is left as it is (and said why). */
export function fuseAttention(model: ModelProto): FuseAttentionSummary {
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const producer = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const n of nodes) {
    for (const o of n.output ?? []) producer.set(o, n);
    for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  const initializers = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) if (t.name) initializers.set(t.name, t);
  const constantValues = (name: string): number[] | null => {
    const tensor = initializers.get(name) ?? producer.get(name)?.attribute?.find((a) => a.name === "value")?.t;
    if (!tensor) return null;
    const floats = floatValues(tensor);
    if (floats) return [...floats];
    if (tensor.rawData && tensor.dataType === onnx.TensorProto.DataType.INT64) {
      const raw = new Uint8Array(tensor.rawData);
      return [...new BigInt64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))].map(Number);
    }
    return (tensor.int64Data ?? []).map(Number);
  };
  const only = (name: string, opType: string): NodeProto | null => {
    const found = consumers.get(name) ?? [];
    return found.length === 1 && found[0]!.opType === opType ? found[0]! : null;
  };
  const from = (name: string | undefined, opType: string): NodeProto | null => {
    const n = name ? producer.get(name) : undefined;
    return n && n.opType === opType ? n : null;
  };
  const perm = (n: NodeProto) => (n.attribute ?? []).find((a) => a.name === "perm")?.ints?.map(Number).join(",") ?? "";

  const summary: FuseAttentionSummary = { fused: 0, skipped: [] };
  const replacements = new Map<NodeProto, NodeProto[]>();
  let maskInt32: string | null = null;
  const prepended: NodeProto[] = [];

  for (const softmax of nodes.filter((n) => n.opType === "Softmax")) {
    const skip = (reason: string) => void summary.skipped.push({ node: softmax.name ?? "Softmax", reason });
    // scores = Q·Kᵀ / √d + mask
    const addMask = from(softmax.input?.[0], "Add");
    const div = addMask && (from(addMask.input?.[0], "Div") ?? from(addMask.input?.[1], "Div"));
    const scores = div && from(div.input?.[0], "MatMul");
    if (!addMask || !div || !scores) { skip("no Q·Kᵀ / √d + mask before it"); continue; }
    const scale = constantValues(div.input![1]!);
    const kTranspose = from(scores.input?.[1], "Transpose");
    const qSqueeze = from(scores.input?.[0], "Squeeze");
    const kSqueeze = kTranspose && perm(kTranspose) === "0,1,3,2" ? from(kTranspose.input?.[0], "Squeeze") : null;
    // context = softmax·V -> (b, t, heads, d) -> (b, t, hidden)
    const context = only(softmax.output![0]!, "MatMul");
    const vSqueeze = context && from(context.input?.[1], "Squeeze");
    const back = context && only(context.output![0]!, "Transpose");
    const merge = back && perm(back) === "0,2,1,3" ? only(back.output![0]!, "Reshape") : null;
    if (!qSqueeze || !kSqueeze || !vSqueeze || !merge || !scale || scale.length !== 1) { skip("not the packed Q/K/V attention pattern"); continue; }
    const split = from(qSqueeze.input?.[0], "Split");
    if (!split || from(kSqueeze.input?.[0], "Split") !== split || from(vSqueeze.input?.[0], "Split") !== split) { skip("Q, K and V do not come from one Split"); continue; }
    const [qIndex, kIndex, vIndex] = [qSqueeze, kSqueeze, vSqueeze].map((s) => split.output!.indexOf(s.input![0]!));
    const heads = from(split.input?.[0], "Transpose");
    const unpack = heads && perm(heads) === "2,0,3,1,4" ? from(heads.input?.[0], "Reshape") : null;
    if (!unpack || qIndex !== 0 || kIndex !== 1 || vIndex !== 2) { skip("Q/K/V are not split from one (b, t, 3, heads, d) projection"); continue; }
    // the projection is Add(bias, MatMul(x, W)) with W [hidden, 3 * hidden]
    const projection = unpack.input![0]!;
    const bias = from(projection, "Add");
    const matmul = bias && (from(bias.input?.[0], "MatMul") ?? from(bias.input?.[1], "MatMul"));
    const weight = matmul ? initializers.get(matmul.input![1]!) : undefined;
    const [hidden, packed] = weight ? tensorDims(weight) : [];
    const headSize = Math.round(scale[0]! ** 2);
    if (!hidden || packed !== 3 * hidden || !headSize || hidden % headSize !== 0 || Math.abs(Math.sqrt(headSize) - scale[0]!) > 1e-4) {
      skip("cannot read the hidden size and head size from the projection and the scale");
      continue;
    }
    // the added mask must be computed from the graph's attention_mask (1 = token, 0 = padding) alone
    const maskBias = addMask.input![addMask.input![0] === div.output![0] ? 1 : 0]!;
    if (!computedFrom(maskBias, "attention_mask", producer, initializers)) { skip("the added mask is not computed from attention_mask"); continue; }
    if (!maskInt32) {
      maskInt32 = "attention_mask_int32";
      prepended.push(node("Cast", ["attention_mask"], [maskInt32], "FusedAttention/CastMask", [intAttribute("to", onnx.TensorProto.DataType.INT32)]));
    }
    const base = softmax.name ?? `attention_${summary.fused}`;
    const parts = [`${base}/q`, `${base}/k`, `${base}/v`];
    const sizes = `${base}/split_sizes`;
    graph.initializer!.push(onnx.TensorProto.create({ name: sizes, dims: [3], dataType: onnx.TensorProto.DataType.INT64, int64Data: [hidden, hidden, hidden] }));
    replacements.set(merge, [
      node("Split", [projection, sizes], parts, `${base}/Split`, [intAttribute("axis", -1)]),
      node("MultiHeadAttention", [...parts, "", maskInt32], [merge.output![0]!], `${base}/MultiHeadAttention`, [intAttribute("num_heads", hidden / headSize)], MICROSOFT),
    ]);
    summary.fused++;
  }
  if (summary.fused === 0) return summary;

  const rewritten = [...prepended, ...nodes.flatMap((n) => replacements.get(n) ?? [n])];
  graph.node = withoutDeadNodes(rewritten, new Set((graph.output ?? []).map((o) => o.name!)));
  const stillRead = namesReadByNodes(graph);
  graph.initializer = (graph.initializer ?? []).filter((t) => t.name && stillRead.has(t.name));
  if (!(model.opsetImport ?? []).some((o) => o.domain === MICROSOFT)) model.opsetImport = [...(model.opsetImport ?? []), onnx.OperatorSetIdProto.create({ domain: MICROSOFT, version: 1 })];
  return summary;
}

/** True when `name` is computed from the graph input `input` and constants only (no other input, no activations). */
function computedFrom(name: string, input: string, producer: Map<string, NodeProto>, initializers: Map<string, TensorProto>): boolean {
  const kind = (n: string, depth: number): "input" | "constant" | "other" => {
    if (n === input) return "input";
    const p = producer.get(n);
    if (!p) return initializers.has(n) ? "constant" : "other";
    if (depth === 0) return "other";
    const kinds = (p.input ?? []).filter(Boolean).map((i) => kind(i, depth - 1));
    if (kinds.includes("other")) return "other";
    return kinds.includes("input") ? "input" : "constant";
  };
  return kind(name, 12) === "input";
}

/** Keeps only the nodes that (transitively) produce a graph output; nodes are in topological order. */
function withoutDeadNodes(nodes: NodeProto[], outputs: Set<string>): NodeProto[] {
  const needed = new Set(outputs);
  const kept: NodeProto[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!(n.output ?? []).some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const input of n.input ?? []) if (input) needed.add(input);
    for (const a of n.attribute ?? []) if (a.g) for (const name of namesReadByNodes(a.g)) needed.add(name);
  }
  return kept.reverse();
}
