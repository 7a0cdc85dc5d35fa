// Issue 25 item 6: under steady interactive load, background (batch) runs still get a share of the runs.
import { describe, expect, it } from "vitest";
import { PriorityRuns } from "../../server/inference/priorityRuns.ts";

describe("PriorityRuns background floor", () => {
  it("runs one background run after every `backgroundEvery` interactive runs while interactive work never runs out", async () => {
    const order: string[] = [];
    let runs!: PriorityRuns<number[][], number[]>;
    let interactiveLeft = 40;
    const execute = async (rows: number[][]) => {
      order.push(rows[0]![0] === 1 ? "i" : "b");
      // a new interactive request arrives during every run: the interactive lane is never empty
      if (interactiveLeft-- > 0) void runs.add("interactive", [[1]]);
      await new Promise((r) => setTimeout(r, 1));
      return rows.map(() => 0);
    };
    runs = new PriorityRuns(execute, { concurrency: 1, backgroundEvery: 4 });
    const background = Array.from({ length: 5 }, () => runs.add("background", [[2]]));
    await runs.add("interactive", [[1]]);
    await Promise.all(background);
    const firstFive = order.join("").split("b").slice(0, 5).map((streak) => streak.length);
    expect(order.filter((o) => o === "b")).toHaveLength(5);
    // at most four interactive runs before each background one, while both were waiting
    expect(Math.max(...firstFive)).toBeLessThanOrEqual(4);
    expect(order.indexOf("b")).toBeLessThan(order.length - 10);
  });
});
