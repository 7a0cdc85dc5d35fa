import { describe, expect, it } from "vitest";
import { PriorityRuns } from "../../server/inference/priorityRuns.ts";

/** A runner that records the order of runs and how many overlap; each run takes a few milliseconds. */
function recordingRunner() {
  const order: number[] = [];
  let inFlight = 0;
  let most = 0;
  const execute = async (rows: number[][]) => {
    most = Math.max(most, ++inFlight);
    order.push(rows[0]![0]!);
    await new Promise((r) => setTimeout(r, 3));
    inFlight--;
    return rows.map((row) => row[0]! * 10);
  };
  return { execute, order, most: () => most };
}

describe("PriorityRuns", () => {
  it("runs one batch at a time and answers each row of each run", async () => {
    const runner = recordingRunner();
    const runs = new PriorityRuns(runner.execute);
    const answers = await Promise.all([runs.add("background", [[1], [2]]), runs.add("interactive", [[3]]), runs.add("background", [[4]])]);
    expect(answers).toEqual([[10, 20], [30], [40]]);
    expect(runner.most()).toBe(1);
  });

  it("puts interactive runs before every queued background run, not behind them", async () => {
    const runner = recordingRunner();
    const runs = new PriorityRuns(runner.execute);
    const background = Array.from({ length: 20 }, (_, i) => runs.add("background", [[100 + i]]));
    // arrives while the first background run is in progress
    await new Promise((r) => setTimeout(r, 1));
    const single = runs.add("interactive", [[1]]);
    await Promise.all([single, ...background]);
    // the run in progress finishes, then the interactive one goes, then the rest of the background lane in order
    expect(runner.order.slice(0, 2)).toEqual([100, 1]);
    expect(runner.order.slice(2)).toEqual(Array.from({ length: 19 }, (_, i) => 101 + i));
  });

  it("asks for collected interactive work before each choice", async () => {
    const runner = recordingRunner();
    let collected: number[][] | null = null;
    const runs: PriorityRuns<number[][], number[]> = new PriorityRuns(runner.execute, {
      beforePick: () => {
        if (collected) void runs.add("interactive", collected);
        collected = null;
      },
    });
    // collected during a batching wait that has not ended yet
    collected = [[7]];
    await Promise.all([runs.add("background", [[100]]), runs.add("background", [[101]])]);
    expect(runner.order).toEqual([7, 100, 101]);
    expect(runner.most()).toBe(1);
  });

  it("fails a run whose execution throws and goes on with the next", async () => {
    const runs = new PriorityRuns(async (rows: number[][]) => {
      if (rows[0]![0] === 2) throw new Error("bad batch");
      return rows.map(() => 1);
    });
    const [a, b, c] = await Promise.allSettled([runs.add("background", [[1]]), runs.add("background", [[2]]), runs.add("interactive", [[3]])]);
    expect(a.status).toBe("fulfilled");
    expect(b).toMatchObject({ status: "rejected", reason: { message: "bad batch" } });
    expect(c.status).toBe("fulfilled");
  });

  it("on close, fails what is queued, lets the run in progress finish, and refuses new work", async () => {
    const runner = recordingRunner();
    const runs = new PriorityRuns(runner.execute);
    const first = runs.add("background", [[1]]);
    const queued = expect(runs.add("background", [[2]])).rejects.toThrow("closed");
    await new Promise((r) => setTimeout(r, 1));
    await runs.close(new Error("closed"));
    await expect(first).resolves.toEqual([10]);
    await queued;
    await expect(runs.add("interactive", [[3]])).rejects.toThrow("closed");
    expect(runner.order).toEqual([1]);
  });

  it("with concurrency 2 runs two at a time, and a free slot takes interactive work before queued background runs", async () => {
    const runner = recordingRunner();
    const runs = new PriorityRuns(runner.execute, { concurrency: 2 });
    const background = Array.from({ length: 6 }, (_, i) => runs.add("background", [[100 + i]]));
    await new Promise((r) => setTimeout(r, 1));
    const single = runs.add("interactive", [[1]]);
    await Promise.all([single, ...background]);
    expect(runner.most()).toBe(2);
    expect(runner.order.slice(0, 2)).toEqual([100, 101]);
    expect(runner.order[2]).toBe(1);
  });

  it("per lane in front of a shared pool: a model's interactive run goes to the pool at once, not after that model's background runs queued there behind another model's", async () => {
    // the inference pool (one worker) and two models in front of it, as the server stacks them
    const runner = recordingRunner();
    const pool = new PriorityRuns(runner.execute, { concurrency: 1 });
    const model = () => new PriorityRuns((rows: number[][], lane) => pool.add(lane, rows), { laneLimits: { interactive: 1, background: 1 } });
    const [sentence, aspects] = [model(), model()];
    const background = [aspects.add("background", [[200]]), sentence.add("background", [[100]]), aspects.add("background", [[201]]), sentence.add("background", [[101]])];
    await new Promise((r) => setTimeout(r, 1));
    // 200 is running; the sentence model's 100 waits at the pool, holding that model's background slot
    const single = sentence.add("interactive", [[1]]);
    await Promise.all([single, ...background]);
    expect(runner.order.slice(0, 2)).toEqual([200, 1]);
  });

  it("keeps room for interactive work: background runs take at most their lane's limit, however many are queued", async () => {
    // the server's pool: two workers that take batch runs and one kept for people's requests
    const runner = recordingRunner();
    const runs = new PriorityRuns(runner.execute, { concurrency: 3, laneLimits: { background: 2 } });
    const background = Array.from({ length: 6 }, (_, i) => runs.add("background", [[100 + i]]));
    await new Promise((r) => setTimeout(r, 1));
    expect(runs.hasRoom("background")).toBe(false);
    expect(runs.hasRoom("interactive")).toBe(true);
    // starts at once beside the two background runs in progress, not after one of them
    const single = runs.add("interactive", [[1]]);
    await Promise.all([single, ...background]);
    expect(runner.most()).toBe(3);
    expect(runner.order.slice(0, 3)).toEqual([100, 101, 1]);
  });

  it("refuses to be built without any limit", () => {
    expect(() => new PriorityRuns(async () => 0, { laneLimits: { background: 2 } })).toThrow(/needs a limit/);
  });
});
