// Symmetric int8 quantization of weight matrices: one scale per output column (MatMul weights, [K, N]) or per
// row (embedding tables, [V, D]); zero points are 0, so a weight w is stored as round(w / scale) in [-127, 127].

export type QuantizedMatrix = { values: Int8Array; scales: Float32Array };

function quantizeValue(value: number, scale: number): number {
  const q = Math.round(value / scale);
  return q > 127 ? 127 : q < -127 ? -127 : q;
}

const scaleFor = (maxAbs: number) => (maxAbs > 0 ? maxAbs / 127 : 1);

/** `weights` is row-major [rows, cols]; `transpose` reads it as [cols, rows] (a Gemm with transB=1) and returns [K, N]. */
export function quantizePerColumn(weights: Float32Array, rows: number, cols: number, transpose = false): QuantizedMatrix {
  const k = transpose ? cols : rows;
  const n = transpose ? rows : cols;
  const at = transpose ? (i: number, j: number) => weights[j * cols + i]! : (i: number, j: number) => weights[i * cols + j]!;
  const maxAbs = new Float32Array(n);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < n; j++) {
      const a = Math.abs(at(i, j));
      if (a > maxAbs[j]!) maxAbs[j] = a;
    }
  }
  const scales = maxAbs.map(scaleFor);
  const values = new Int8Array(k * n);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) values[i * n + j] = quantizeValue(at(i, j), scales[j]!);
  return { values, scales };
}

export function quantizePerRow(weights: Float32Array, rows: number, cols: number): QuantizedMatrix {
  const scales = new Float32Array(rows);
  const values = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let maxAbs = 0;
    for (let c = 0; c < cols; c++) maxAbs = Math.max(maxAbs, Math.abs(weights[r * cols + c]!));
    const scale = scaleFor(maxAbs);
    scales[r] = scale;
    for (let c = 0; c < cols; c++) values[r * cols + c] = quantizeValue(weights[r * cols + c]!, scale);
  }
  return { values, scales };
}
