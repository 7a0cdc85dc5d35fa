// Which inference run goes next: interactive work (single predictions, explanations) before background work
// (batch jobs), at most `concurrency` runs at a time (one per inference worker). A person's request waits for at
// most a run in progress, however many batch rows are queued, and batch jobs still hand the classifier whole
// chunks, which it can sort and pack well.

export type Lane = "interactive" | "background";

type Run<T, R> = { lane: Lane; task: T; resolve: (result: R) => void; reject: (error: unknown) => void };

export class PriorityRuns<T, R> {
  private readonly lanes: Record<Lane, Run<T, R>[]> = { interactive: [], background: [] };
  private readonly active = new Set<Promise<void>>();
  private scheduled = false;
  private closed: Error | null = null;

  /** Interactive runs taken in a row while background work waited (for the floor below). */
  private interactiveStreak = 0;

  /**
   * `execute` runs one task (told its lane); `beforePick` is called before each choice, so work that is being collected for the
   * interactive lane (the classifier's batching wait) can be added first.
   * `backgroundEvery`: after this many interactive runs in a row while background work waits, one background
   * run goes next, so batch jobs keep a floor (1 in backgroundEvery + 1 runs) under steady interactive load.
   */
  constructor(
    private readonly execute: (task: T, lane: Lane) => Promise<R>,
    private readonly beforePick: () => void = () => undefined,
    private readonly concurrency = 1,
    private readonly backgroundEvery = Number.POSITIVE_INFINITY,
  ) {}

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

  private next(): Run<T, R> | undefined {
    if (this.closed) return undefined;
    this.beforePick();
    const waiting = this.lanes.background.length > 0;
    if (waiting && this.interactiveStreak >= this.backgroundEvery) {
      this.interactiveStreak = 0;
      return this.lanes.background.shift();
    }
    const interactive = this.lanes.interactive.shift();
    if (interactive) {
      if (waiting) this.interactiveStreak++;
      return interactive;
    }
    this.interactiveStreak = 0;
    return this.lanes.background.shift();
  }

  private pump(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // picked in a microtask, so runs added in the same tick are all seen before the choice, and `beforePick`
    // may add work (and pump) re-entrantly
    queueMicrotask(() => {
      this.scheduled = false;
      while (this.active.size < this.concurrency) {
        const run = this.next();
        if (!run) return;
        this.start(run);
      }
    });
  }

  private start(run: Run<T, R>): void {
    const done: Promise<void> = (async () => {
      try {
        run.resolve(await this.execute(run.task, run.lane));
      } catch (error) {
        run.reject(error);
      }
    })().finally(() => {
      this.active.delete(done);
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
