// One inference worker thread: loads ONNX models by file path and runs named input tensors to named outputs.
// Runs as plain TypeScript under Node's type stripping (tsx, vitest) and as build/server/onnxWorker.js.
// Erasable syntax only and type-only imports from this repository, so it loads without a TypeScript loader.
import os from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import ort from "onnxruntime-node";
import type { WorkerReply, WorkerRequest, WorkerStart, WireTensor } from "./workerProtocol.ts";

if (!parentPort) throw new Error("onnxWorker.ts runs only as a worker thread");
const port = parentPort;

// Before any session exists, so the threads ONNX Runtime starts inherit it. On Linux the nice value belongs to
// the thread (pid 0 = this thread); raising it needs no privilege. Where the system refuses, the thread keeps
// normal priority: slower answers during batches, nothing wrong.
const { nice } = workerData as WorkerStart;
// never below what the thread inherited (PROCESS_NICE): lowering a nice value needs a privilege the server lacks
if (nice > os.getPriority(0)) {
  try {
    os.setPriority(0, nice);
  } catch {
    // not permitted here (some sandboxes): run at the inherited priority
  }
}
const sessions = new Map<string, ort.InferenceSession>();

function send(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

async function handle(request: WorkerRequest): Promise<void> {
  if (request.kind === "load") {
    try {
      const session = await ort.InferenceSession.create(request.modelPath, request.sessionOptions);
      sessions.set(request.key, session);
      send({ kind: "loaded", key: request.key, inputNames: [...session.inputNames], outputNames: [...session.outputNames] });
    } catch (error) {
      send({ kind: "loadFailed", key: request.key, message: String((error as Error).message ?? error) });
    }
    return;
  }
  if (request.kind === "unload") {
    await sessions.get(request.key)?.release();
    sessions.delete(request.key);
    send({ kind: "unloaded", key: request.key });
    return;
  }
  if (request.crash) throw new Error("inference worker: crash requested by a test");
  const session = sessions.get(request.key);
  try {
    if (!session) throw new Error(`model ${request.key} is not loaded in this worker`);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(request.feeds)) feeds[name] = new ort.Tensor(t.type as "int64", t.data as BigInt64Array, t.dims);
    const started = performance.now();
    const output = await session.run(feeds);
    const seconds = (performance.now() - started) / 1000;
    const outputs: Record<string, WireTensor> = {};
    const transfer: ArrayBuffer[] = [];
    for (const name of request.outputs ?? Object.keys(output)) {
      const tensor = output[name];
      if (!tensor) throw new Error(`the model has no output "${name}"`);
      // a copy: ONNX Runtime's output may live in memory it owns, which cannot be transferred
      const data = (tensor.data as Float32Array).slice();
      outputs[name] = { type: tensor.type, data, dims: [...tensor.dims] };
      transfer.push(data.buffer as ArrayBuffer);
    }
    send({ kind: "result", id: request.id, outputs, seconds }, transfer);
  } catch (error) {
    send({ kind: "failed", id: request.id, message: String((error as Error).message ?? error) });
  }
}

port.on("message", (request: WorkerRequest) => {
  // an uncaught error ends this thread; the pool replaces it and retries the run it held
  handle(request).catch((error: unknown) => setImmediate(() => {
    throw error;
  }));
});
