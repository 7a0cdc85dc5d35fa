// The messages between the inference pool (main thread) and its worker threads: types only.

/** A tensor as it crosses threads: its element type, flat data and shape. */
export type WireTensor = { type: string; data: ArrayBufferView; dims: number[] };

/** What a worker thread is told when it starts (its workerData). */
export type WorkerStart = {
  /** The thread's nice value (0-19): ONNX Runtime's threads, created by it, take the same. */
  nice: number;
};

export type WorkerRequest =
  | { kind: "load"; key: string; modelPath: string; sessionOptions: Record<string, unknown> }
  /** `crash` (tests only): the thread throws instead of running, as a fault in its JavaScript would. */
  | { kind: "run"; id: number; key: string; feeds: Record<string, WireTensor>; outputs?: string[]; crash?: boolean }
  | { kind: "unload"; key: string };

export type WorkerReply =
  | { kind: "loaded"; key: string; inputNames: string[]; outputNames: string[] }
  | { kind: "loadFailed"; key: string; message: string }
  | { kind: "unloaded"; key: string }
  | { kind: "result"; id: number; outputs: Record<string, WireTensor>; seconds: number }
  | { kind: "failed"; id: number; message: string };
