// Which ONNX Runtime run goes next: interactive work (single predictions, explanations) before background work
// (batch jobs), one run at a time. A person's request waits for at most the run in progress, however many
// batch rows are queued, and batch jobs still hand the classifier whole chunks, which it can sort and pack well.

export type Lane = "interactive" | "background";

type Run<R> = { rows: number[][]; resolve: (results: R[]) => void; reject: (error: unknown) => void };

export class PriorityRuns<R> {
  private readonly lanes: Record<Lane, Run<R>[]> = { interactive: [], background: [] };
  private active: Promise<void> | null = null;
  private closed: Error | null = null;

  /** Interactive runs taken in a row while background work waited (for the floor below). */
  private interactiveStreak = 0;

  /**
   * `execute` runs one batch of rows; `beforePick` is called before each choice, so work that is being
   * collected for the interactive lane (the classifier's batching wait) can be added first.
   * `backgroundEvery`: after this many interactive runs in a row while background work waits, one background
   * run goes next, so batch jobs keep a floor (1 in backgroundEvery + 1 runs) under steady interactive load.
   */
  constructor(
    private readonly execute: (rows: number[][]) => Promise<R[]>,
    private readonly beforePick: () => void = () => undefined,
    private readonly backgroundEvery = Number.POSITIVE_INFINITY,
  ) {}

  /** Queues one run; resolves with one result per row. */
  add(lane: Lane, rows: number[][]): Promise<R[]> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => {
      this.lanes[lane].push({ rows, resolve, reject });
      this.pump();
    });
  }

  get queued(): Record<Lane, number> {
    return { interactive: this.lanes.interactive.length, background: this.lanes.background.length };
  }

  private next(): Run<R> | undefined {
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
    if (this.active) return;
    // started from a microtask, so `active` is set before `next()` runs: `beforePick` may add work (and pump) re-entrantly
    this.active = Promise.resolve().then(async () => {
      for (let run = this.next(); run; run = this.next()) {
        try {
          run.resolve(await this.execute(run.rows));
        } catch (error) {
          run.reject(error);
        }
      }
    }).finally(() => {
      this.active = null;
      if (this.lanes.interactive.length + this.lanes.background.length > 0) this.pump();
    });
  }

  /** Refuses new work, fails what is queued with `reason`, and waits for the run in progress. */
  async close(reason: Error): Promise<void> {
    this.closed = reason;
    for (const lane of Object.values(this.lanes)) for (const run of lane.splice(0)) run.reject(reason);
    await this.active;
  }
}
