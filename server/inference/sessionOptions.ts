// ONNX Runtime session options for the classifier, chosen by measurement on 2 cores (docs/performance.md).
import type { InferenceSession } from "onnxruntime-node";

export function inferenceSessionOptions(threads: number): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  };
}
