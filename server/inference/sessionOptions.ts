// ONNX Runtime session options for every model, chosen by measurement on 2 cores (docs/performance.md). Without the
// CPU memory arena each worker returns its buffers after a run: with two models in two workers the arenas held ~120 MB
// more at peak, for no measurable speed (same table).
import type { InferenceSession } from "onnxruntime-node";

export function inferenceSessionOptions(threads: number): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    enableCpuMemArena: false,
  };
}
