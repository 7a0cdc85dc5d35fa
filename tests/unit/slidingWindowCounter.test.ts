import { describe, expect, it } from "vitest";
import { SlidingWindowCounter } from "../../server/rateLimit/slidingWindowCounter.server.ts";

describe("SlidingWindowCounter", () => {
  it("blocks after the limit inside the window and frees the key when the window passes", () => {
    let now = 0;
    const counter = new SlidingWindowCounter(2, 60_000, () => now);
    counter.record("k");
    expect(counter.blockedForSeconds("k")).toBe(0);
    now = 10_000;
    counter.record("k");
    expect(counter.blockedForSeconds("k")).toBe(50);
    now = 60_001; // the first failure has left the window
    expect(counter.blockedForSeconds("k")).toBe(0);
    counter.record("k");
    expect(counter.blockedForSeconds("k")).toBe(10);
    counter.reset("k");
    expect(counter.blockedForSeconds("k")).toBe(0);
  });
});
