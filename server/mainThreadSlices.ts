// Long CPU loops on the main thread (tokenising a batch chunk, counting a batch's words) give the event loop a
// turn every few milliseconds, so a person's request arriving meanwhile waits at most one slice, not the loop.
import { setImmediate as yieldToEventLoop } from "node:timers/promises";

/** How long such a loop holds the thread before it yields (measured: docs/performance.md, 2026-12-05). */
export const MAIN_THREAD_SLICE_MS = 3;

export class MainThreadSlices {
  private started = performance.now();

  constructor(private readonly sliceMs = MAIN_THREAD_SLICE_MS) {}

  /** The loop has held the thread for a whole slice: it should `yield()` before the next item. */
  get due(): boolean {
    return performance.now() - this.started >= this.sliceMs;
  }

  async yield(): Promise<void> {
    await yieldToEventLoop();
    this.started = performance.now();
  }
}
