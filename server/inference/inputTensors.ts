// The int64 input tensors of one model run: rows of content ids, each wrapped in <s> ... </s>, padded to the
// longest row. Written through 32-bit views of the int64 buffers: a BigInt per token (8,000 per 4,096-token run)
// was the largest allocation on the main thread during a batch (docs/performance.md, 2026-12-05).
import os from "node:os";

export type SpecialIds = { bos: number; eos: number; pad: number };
export type InputTensors = { ids: BigInt64Array; mask: BigInt64Array; dims: [number, number] };

// Token ids are small non-negative integers: the low 32-bit word holds the id, the high word stays 0.
const LOW_WORD = os.endianness() === "LE" ? 0 : 1;

export function inputTensors(rows: readonly (readonly number[])[], special: SpecialIds): InputTensors {
  const width = Math.max(...rows.map((r) => r.length)) + 2;
  const ids = new BigInt64Array(rows.length * width);
  const mask = new BigInt64Array(rows.length * width);
  const idWords = new Int32Array(ids.buffer);
  const maskWords = new Int32Array(mask.buffer);
  for (let i = 0; i < rows.length * width; i++) idWords[2 * i + LOW_WORD] = special.pad;
  rows.forEach((content, row) => {
    const at = (col: number) => 2 * (row * width + col) + LOW_WORD;
    idWords[at(0)] = special.bos;
    for (let col = 0; col < content.length; col++) idWords[at(col + 1)] = content[col]!;
    idWords[at(content.length + 1)] = special.eos;
    for (let col = 0; col < content.length + 2; col++) maskWords[at(col)] = 1;
  });
  return { ids, mask, dims: [rows.length, width] };
}
