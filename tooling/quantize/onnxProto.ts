// The ONNX protobuf classes (onnx-proto, a CommonJS protobufjs bundle) and small helpers to read and build tensors,
// nodes and attributes without copying initializer bytes.
import onnxProto from "onnx-proto";

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;

export const DataType = onnx.TensorProto.DataType;

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export function tensorDims(tensor: TensorProto): number[] {
  return (tensor.dims ?? []).map((d) => Number(d));
}

/** A float tensor's values: a view on its raw bytes when they are aligned, otherwise one copy. */
export function floatValues(tensor: TensorProto): Float32Array | null {
  if (tensor.dataType !== DataType.FLOAT || tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return null;
  const raw = tensor.rawData;
  if (raw && raw.length > 0) {
    if (raw.byteOffset % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
    return new Float32Array(new Uint8Array(raw).buffer); // a Buffer.slice() would be a view, not a copy
  }
  if (tensor.floatData && tensor.floatData.length > 0) return Float32Array.from(tensor.floatData);
  return null;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export function int8Tensor(name: string, dims: number[], values: Int8Array): TensorProto {
  return onnx.TensorProto.create({ name, dims, dataType: DataType.INT8, rawData: bytesOf(values) });
}

export function floatTensor(name: string, dims: number[], values: Float32Array): TensorProto {
  return onnx.TensorProto.create({ name, dims, dataType: DataType.FLOAT, rawData: bytesOf(values) });
}

export function intAttribute(name: string, value: number) {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
}

export function node(opType: string, inputs: string[], outputs: string[], name: string, attributes: ReturnType<typeof intAttribute>[] = [], domain = ""): NodeProto {
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, name, attribute: attributes, domain });
}

export function attributeNumber(n: NodeProto, name: string, fallback: number): number {
  const attribute = (n.attribute ?? []).find((a) => a.name === name);
  if (!attribute) return fallback;
  if (attribute.type === onnx.AttributeProto.AttributeType.FLOAT) return attribute.f ?? fallback;
  return Number(attribute.i ?? fallback);
}

/** Every tensor name a graph's nodes read, including the nodes of subgraphs (If/Loop bodies). */
export function namesReadByNodes(graph: GraphProto, into = new Set<string>()): Set<string> {
  for (const n of graph.node ?? []) {
    for (const input of n.input ?? []) if (input) into.add(input);
    for (const attribute of n.attribute ?? []) {
      if (attribute.g) namesReadByNodes(attribute.g, into);
      for (const g of attribute.graphs ?? []) namesReadByNodes(g, into);
    }
  }
  return into;
}
