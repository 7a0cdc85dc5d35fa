// Which inference run goes next: interactive work (single predictions, explanations) before background work
// (batch jobs), at most `concurrency` runs at a time in all and `laneLimits` in each lane. The inference pool limits
// runs to its workers, and background runs to the workers that take them, with a floor for background work; each
// model in front of it limits each lane on its own, so a model's interactive run never waits for that model's
// background runs, which may themselves be queued at the pool behind another model's. A person's request waits
// for at most a run in progress, however many batch rows are queued,
// and batch jobs still hand the classifier whole chunks, which it can sort and pack well.

export type Lane = "interactive" | "background";

type Run<T, R> = { lane: Lane; task: T; resolve: (result: R) => void; reject: (error: unknown) => void };

export type PriorityRunsOptions = {
  /** Called before each choice, so work being collected for the interactive lane (the classifier's batching wait) can be added first. */
  beforePick?: () => void;
  /** Runs in progress at most, in all lanes together (unset: 1, or no limit but the lanes' when `laneLimits` is set). */
  concurrency?: number;
  /** Runs in progress at most in a lane (unset: no limit but `concurrency`). */
  laneLimits?: Partial<Record<Lane, number>>;
  /**
   * After this many interactive runs in a row while background work waits, one background run goes next, so batch
   * jobs keep a floor (1 in backgroundEvery + 1 runs) under steady interactive load. Unset: interactive always first.
   */
  backgroundEvery?: number;
};

export class PriorityRuns<T, R> {
  private readonly lanes: Record<Lane, Run<T, R>[]> = { interactive: [], background: [] };
  private readonly active = new Set<Promise<void>>();
  private readonly activeIn: Record<Lane, number> = { interactive: 0, background: 0 };
  private scheduled = false;
  private closed: Error | null = null;
  private readonly beforePick: () => void;
  private readonly concurrency: number;
  private readonly laneLimits: Record<Lane, number>;
  private readonly backgroundEvery: number;

  /** Interactive runs taken in a row while background work waited (for the floor). */
  private interactiveStreak = 0;

  /** `execute` runs one task (told its lane). */
  constructor(
    private readonly execute: (task: T, lane: Lane) => Promise<R>,
    options: PriorityRunsOptions = {},
  ) {
    this.beforePick = options.beforePick ?? (() => undefined);
    this.concurrency = options.concurrency ?? (options.laneLimits ? Number.POSITIVE_INFINITY : 1);
    this.laneLimits = { interactive: Number.POSITIVE_INFINITY, background: Number.POSITIVE_INFINITY, ...options.laneLimits };
    if (this.concurrency === Number.POSITIVE_INFINITY && Object.values(this.laneLimits).includes(Number.POSITIVE_INFINITY)) {
      throw new Error("PriorityRuns needs a limit: concurrency, or one in each lane");
    }
    this.backgroundEvery = options.backgroundEvery ?? Number.POSITIVE_INFINITY;
  }

  /** Queues one run; resolves with its result. */
  add(lane: Lane, task: T): Promise<R> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => {
      this.lanes[lane].push({ lane, task, resolve, reject });
      this.pump();
    });
  }

  get queued(): Record<Lane, number> {
    return { interactive: this.lanes.interactive.length, background: this.lanes.background.length };
  }

  /** True when a run added to `lane` now would start at once (if nothing waits before it). */
  hasRoom(lane: Lane): boolean {
    return this.active.size < this.concurrency && this.activeIn[lane] < this.laneLimits[lane];
  }

  private next(): Run<T, R> | undefined {
    if (this.closed) return undefined;
    if (!this.hasRoom("interactive") && !this.hasRoom("background")) return undefined;
    this.beforePick();
    const waiting = this.lanes.background.length > 0;
    const interactive = this.lanes.interactive.length > 0 && this.hasRoom("interactive");
    const background = waiting && this.hasRoom("background");
    if (background && (!interactive || this.interactiveStreak >= this.backgroundEvery)) {
      this.interactiveStreak = 0;
      return this.lanes.background.shift();
    }
    if (!interactive) return undefined;
    this.interactiveStreak = waiting ? this.interactiveStreak + 1 : 0;
    return this.lanes.interactive.shift();
  }

  private pump(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // picked in a microtask, so runs added in the same tick are all seen before the choice, and `beforePick`
    // may add work (and pump) re-entrantly
    queueMicrotask(() => {
      this.scheduled = false;
      for (let run = this.next(); run; run = this.next()) this.start(run);
    });
  }

  private start(run: Run<T, R>): void {
    this.activeIn[run.lane]++;
    const done: Promise<void> = (async () => {
      try {
        run.resolve(await this.execute(run.task, run.lane));
      } catch (error) {
        run.reject(error);
      }
    })().finally(() => {
      this.active.delete(done);
      this.activeIn[run.lane]--;
      this.pump();
    });
    this.active.add(done);
  }

  /** Refuses new work, fails what is queued with `reason`, and waits for the runs in progress. */
  async close(reason: Error): Promise<void> {
    this.closed = reason;
    for (const lane of Object.values(this.lanes)) for (const run of lane.splice(0)) run.reject(reason);
    await Promise.all([...this.active]);
  }
}
