import { describe, expect, it } from "vitest";
import { MainThreadSlices } from "../../server/mainThreadSlices.ts";

const busyFor = (ms: number) => {
  for (const until = performance.now() + ms; performance.now() < until; );
};

describe("MainThreadSlices", () => {
  it("is due once the loop has held the thread for a slice, and yielding gives the event loop a turn and starts a new slice", async () => {
    const slices = new MainThreadSlices(20);
    expect(slices.due).toBe(false);
    busyFor(25);
    expect(slices.due).toBe(true);
    let ranMeanwhile = false;
    setImmediate(() => (ranMeanwhile = true));
    await slices.yield();
    expect(ranMeanwhile).toBe(true);
    expect(slices.due).toBe(false);
  });
});
