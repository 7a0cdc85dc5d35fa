// A pool of worker threads that run ONNX Runtime sessions, so no model run blocks the main thread's event loop.
// Generic: it loads any model file in every worker and runs named input tensors to named output tensors, in
// lanes (interactive before background), one run per worker at a time. Workers that take batch runs run at a
// lower scheduling priority, and a few more workers at normal priority are kept for interactive runs, so a
// person's request gets a core at once even while a batch keeps every other worker busy. A worker that dies is
// replaced and the run it held retried once; shutdown lets runs in progress finish, then ends the threads.
import { Worker } from "node:worker_threads";
import { AppError } from "../errors.ts";
import { PriorityRuns, type Lane } from "./priorityRuns.ts";
import type { WireTensor, WorkerReply, WorkerRequest, WorkerStart } from "./workerProtocol.ts";

export type { WireTensor };

/** A run lost its worker twice (the thread died each time): answered 503, the request may be retried. */
export class InferenceWorkerCrashed extends AppError {
  constructor(readonly exitCode: number) {
    super("SERVICE_UNAVAILABLE", "predict.inferenceWorkerCrashed", `The model's worker stopped twice while running this request (exit code ${exitCode}); try again`, undefined, 1);
    this.name = "InferenceWorkerCrashed";
  }
}

/** A model loaded in every worker of a pool. */
export type PooledModel = { readonly key: string; readonly inputNames: string[]; readonly outputNames: string[] };

export type PoolObserver = {
  /** A worker thread ended without being asked to; `retried` runs went back to the queue. */
  workerExited?(event: { exitCode: number; error: Error | null; retried: number }): void;
};

// Under tsx and vitest this module is TypeScript next to onnxWorker.ts; in the compiled server it is part of
// build/server/main.js, which scripts/build-server.ts emits beside build/server/onnxWorker.js.
const WORKER_URL = import.meta.url.endsWith(".ts") ? new URL("./onnxWorker.ts", import.meta.url) : new URL("./onnxWorker.js", import.meta.url);

class WorkerExited extends Error {
  constructor(readonly exitCode: number, override readonly cause: Error | null) {
    super(`inference worker exited with code ${exitCode}${cause ? `: ${cause.message}` : ""}`);
  }
}

const MAX_FAILED_STARTS = 3;

type Reply = { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void };

/** `shared` workers take runs of both lanes; `interactive` ones only interactive runs. */
type WorkerKind = "shared" | "interactive";

/** One worker thread and the replies it owes. */
class WorkerThread {
  readonly thread: Worker;
  private readonly waiting = new Map<string, Reply>();
  private lastError: Error | null = null;
  private readonly drainWaiters: (() => void)[] = [];
  busy = false;
  stopping = false;
  /** Loaded every model and took work at least once. */
  started = false;
  /** Each model's load in this thread, asked for once whoever asks (a replacement's start, or loadModel). */
  readonly loads = new Map<string, Promise<{ inputNames: string[]; outputNames: string[] }>>();

  constructor(
    readonly kind: WorkerKind,
    start: WorkerStart,
    onExit: (worker: WorkerThread, exitCode: number, error: Error | null, lostRuns: number) => void,
  ) {
    this.thread = new Worker(WORKER_URL, { workerData: start });
    this.thread.unref();
    this.thread.on("message", (reply: WorkerReply) => {
      const key = reply.kind === "loaded" || reply.kind === "loadFailed" ? `load:${reply.key}` : reply.kind === "unloaded" ? `unload:${reply.key}` : `run:${reply.id}`;
      const waiter = this.waiting.get(key);
      this.waiting.delete(key);
      // a worker owing nothing does not keep the process alive (a script that forgets close() still exits)
      if (this.waiting.size === 0) {
        this.thread.unref();
        for (const resolve of this.drainWaiters.splice(0)) resolve();
      }
      waiter?.resolve(reply);
    });
    this.thread.on("error", (error) => (this.lastError = error));
    this.thread.on("exit", (exitCode) => {
      const lost = [...this.waiting.keys()].filter((k) => k.startsWith("run:")).length;
      for (const waiter of this.waiting.values()) waiter.reject(new WorkerExited(exitCode, this.lastError));
      this.waiting.clear();
      for (const resolve of this.drainWaiters.splice(0)) resolve();
      onExit(this, exitCode, this.lastError, lost);
    });
  }

  /** Resolves when the thread owes no reply (ending a thread inside a native ONNX Runtime call aborts the process). */
  drained(): Promise<void> {
    return this.waiting.size === 0 ? Promise.resolve() : new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  request(waitKey: string, message: WorkerRequest): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.waiting.set(waitKey, { resolve, reject });
      this.thread.ref();
      this.thread.postMessage(message);
    });
  }
}

type Job = { model: PooledModel; feeds: Record<string, WireTensor>; outputs: string[] | undefined };
export type RunResult = { outputs: Record<string, WireTensor>; seconds: number };

export type InferencePoolOptions = {
  /** The floor for background runs under steady interactive load (PriorityRuns). */
  backgroundEvery?: number;
  /** Workers beside the `size` shared ones that take interactive runs only, at normal priority (default 0). */
  interactiveWorkers?: number;
  /** The nice value (0-19) of the shared workers' threads, which run the batch work (default 0: unchanged). */
  sharedWorkerNice?: number;
};

type WaitingRun = { resolve: (worker: WorkerThread) => void; reject: (error: Error) => void };

export class InferencePool {
  private readonly workers = new Set<WorkerThread>();
  /** Workers with every model loaded and nothing to run. */
  private readonly idle: Record<WorkerKind, WorkerThread[]> = { shared: [], interactive: [] };
  private readonly waitingForWorker: Record<Lane, WaitingRun[]> = { interactive: [], background: [] };
  readonly interactiveWorkers: number;
  private readonly sharedWorkerNice: number;
  private readonly models = new Map<string, { modelPath: string; sessionOptions: Record<string, unknown> }>();
  private readonly runs: PriorityRuns<Job, RunResult>;
  private nextRunId = 1;
  private nextModelId = 1;
  private closed = false;
  private crashesToInject = 0;
  /** Replacements in a row that died before they were ready: a thread that dies loading a model would otherwise respawn for ever. */
  private failedStarts = 0;

  /** `size` shared workers, plus `options.interactiveWorkers` kept for interactive runs. */
  constructor(readonly size: number, private readonly observer: PoolObserver = {}, options: InferencePoolOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`an inference pool needs at least one worker (got ${size})`);
    this.interactiveWorkers = options.interactiveWorkers ?? 0;
    this.sharedWorkerNice = options.sharedWorkerNice ?? 0;
    // ONNX Runtime otherwise keeps a device id under ~/.cache, files in /tmp, and uploads telemetry; workers copy the environment.
    process.env.ORT_DISABLE_TELEMETRY ??= "1";
    this.runs = new PriorityRuns((job, lane) => this.execute(job, lane), {
      concurrency: this.capacity.interactive, laneLimits: this.capacity, backgroundEvery: options.backgroundEvery,
    });
    for (let i = 0; i < size; i++) this.spawn("shared");
    for (let i = 0; i < this.interactiveWorkers; i++) this.spawn("interactive");
  }

  /** Runs a lane may have in progress at once: the workers that take it. */
  get capacity(): Record<Lane, number> {
    return { interactive: this.size + this.interactiveWorkers, background: this.size };
  }

  /** Worker threads alive now (a dead one counts again once its replacement starts). */
  get liveWorkers(): number {
    return this.workers.size;
  }

  /** Runs waiting for a worker, per lane. */
  get queued(): Record<Lane, number> {
    return this.runs.queued;
  }

  /** Workers running something now. */
  get busyWorkers(): number {
    return [...this.workers].filter((w) => w.busy).length;
  }

  /** Thread ids of the live workers (for tests and diagnostics). */
  get threadIds(): number[] {
    return [...this.workers].map((w) => w.thread.threadId);
  }

  /** Loads a model file into every worker; rejects with ONNX Runtime's message when a worker cannot load it. */
  async loadModel(modelPath: string, sessionOptions: Record<string, unknown>): Promise<PooledModel> {
    if (this.closed) throw new Error("the inference pool is closed");
    const key = `model-${this.nextModelId++}`;
    this.models.set(key, { modelPath, sessionOptions });
    try {
      // settled, not all: a worker still loading must not be ended (close) while another one's failure is reported
      const settled = await Promise.allSettled([...this.workers].map((w) => this.loadInto(w, key)));
      const failed = settled.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
      const first = (settled[0] as PromiseFulfilledResult<{ inputNames: string[]; outputNames: string[] }>).value;
      return { key, inputNames: first.inputNames, outputNames: first.outputNames };
    } catch (error) {
      await this.unloadModel(key);
      throw error;
    }
  }

  /** Releases a model's sessions in every worker. */
  async unloadModel(key: string): Promise<void> {
    this.models.delete(key);
    await Promise.allSettled(
      [...this.workers].map((w) => {
        w.loads.delete(key);
        return w.request(`unload:${key}`, { kind: "unload", key });
      }),
    );
  }

  /** One run of `model` on the next free worker, interactive runs first. */
  run(model: PooledModel, lane: Lane, feeds: Record<string, WireTensor>, outputs?: string[]): Promise<RunResult> {
    return this.runs.add(lane, { model, feeds, outputs });
  }

  /** Tests only: the next `count` runs end their worker thread (an uncaught error) instead of answering. */
  crashNextRuns(count: number): void {
    this.crashesToInject += count;
  }

  /** Refuses new runs, fails queued ones, waits for the runs in progress, then ends the worker threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.runs.close(new Error("the inference pool is closed"));
    for (const waiter of this.takeWaiting()) waiter.reject(new Error("the inference pool is closed"));
    await Promise.all(
      [...this.workers].map(async (w) => {
        w.stopping = true;
        await w.drained();
        await w.thread.terminate();
      }),
    );
    this.workers.clear();
    this.idle.shared.length = 0;
    this.idle.interactive.length = 0;
  }

  private loadInto(worker: WorkerThread, key: string): Promise<{ inputNames: string[]; outputNames: string[] }> {
    const model = this.models.get(key);
    if (!model) return Promise.reject(new Error(`model ${key} was unloaded`));
    let load = worker.loads.get(key);
    if (!load) {
      load = worker.request(`load:${key}`, { kind: "load", key, modelPath: model.modelPath, sessionOptions: model.sessionOptions }).then((reply) => {
        if (reply.kind === "loadFailed") throw new Error(reply.message);
        if (reply.kind !== "loaded") throw new Error(`unexpected reply ${reply.kind} to a load`);
        return reply;
      });
      worker.loads.set(key, load);
    }
    return load;
  }

  private spawn(kind: WorkerKind): void {
    const start: WorkerStart = { nice: kind === "shared" ? this.sharedWorkerNice : 0 };
    const worker = new WorkerThread(kind, start, (w, exitCode, error, lost) => this.exited(w, exitCode, error, lost));
    this.workers.add(worker);
    // a replacement loads every model before it takes work; a new pool's workers take work at once (loads are
    // queued in the thread ahead of any run)
    void (async () => {
      try {
        // the live map: a model registered meanwhile is loaded too
        for (const key of this.models.keys()) await this.loadInto(worker, key);
      } catch (error) {
        if (worker.stopping) return;
        // it cannot load what the others loaded: end it; the waiting runs fail rather than wait for ever
        worker.stopping = true;
        this.workers.delete(worker);
        void worker.drained().then(() => worker.thread.terminate());
        this.failStranded(error as Error);
        return;
      }
      this.release(worker);
    })();
  }

  private exited(worker: WorkerThread, exitCode: number, error: Error | null, lost: number): void {
    if (worker.stopping) return;
    worker.stopping = true;
    this.workers.delete(worker);
    const idle = this.idle[worker.kind];
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
    this.observer.workerExited?.({ exitCode, error, retried: lost });
    this.failedStarts = worker.started ? 0 : this.failedStarts + 1;
    if (this.closed) return;
    if (this.failedStarts < MAX_FAILED_STARTS) this.spawn(worker.kind);
    // no replacement now: runs no live worker can take fail; the next run (acquire) tries to start one again
    else this.failStranded(new WorkerExited(exitCode, error));
  }

  private count(kind: WorkerKind): number {
    return [...this.workers].filter((w) => w.kind === kind).length;
  }

  /** Fails the waiting runs that no live worker can take (background runs need a shared worker). */
  private failStranded(error: Error): void {
    if (this.count("shared") > 0) return;
    const lanes: Lane[] = this.workers.size === 0 ? ["interactive", "background"] : ["background"];
    for (const lane of lanes) for (const waiter of this.waitingForWorker[lane].splice(0)) waiter.reject(error);
  }

  private takeWaiting(): WaitingRun[] {
    return [...this.waitingForWorker.interactive.splice(0), ...this.waitingForWorker.background.splice(0)];
  }

  private release(worker: WorkerThread): void {
    worker.busy = false;
    worker.started = true;
    if (worker.stopping || this.closed) return;
    const waiter = this.waitingForWorker.interactive.shift() ?? (worker.kind === "shared" ? this.waitingForWorker.background.shift() : undefined);
    if (waiter) {
      worker.busy = true;
      waiter.resolve(worker);
    } else this.idle[worker.kind].push(worker);
  }

  /** A free worker for a run of `lane`: interactive runs take a kept worker first, so the shared ones stay free for batches. */
  private acquire(lane: Lane): Promise<WorkerThread> {
    const worker = lane === "interactive" ? (this.idle.interactive.shift() ?? this.idle.shared.shift()) : this.idle.shared.shift();
    if (worker) {
      worker.busy = true;
      return Promise.resolve(worker);
    }
    if (!this.closed) {
      if (this.count("shared") < this.size) this.spawn("shared");
      else if (lane === "interactive" && this.count("interactive") < this.interactiveWorkers) this.spawn("interactive");
    }
    return new Promise((resolve, reject) => this.waitingForWorker[lane].push({ resolve, reject }));
  }

  private async execute(job: Job, lane: Lane): Promise<RunResult> {
    for (let attempt = 1; ; attempt++) {
      const worker = await this.acquire(lane);
      const id = this.nextRunId++;
      try {
        const crash = this.crashesToInject > 0;
        if (crash) this.crashesToInject--;
        const reply = await worker.request(`run:${id}`, { kind: "run", id, key: job.model.key, feeds: job.feeds, outputs: job.outputs, ...(crash ? { crash } : {}) });
        this.release(worker);
        if (reply.kind === "failed") throw new Error(reply.message);
        if (reply.kind !== "result") throw new Error(`unexpected reply ${reply.kind} to a run`);
        return { outputs: reply.outputs, seconds: reply.seconds };
      } catch (error) {
        if (!(error instanceof WorkerExited)) throw error;
        if (attempt >= 2) throw new InferenceWorkerCrashed(error.exitCode);
      }
    }
  }
}
