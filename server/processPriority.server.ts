// PROCESS_NICE: a batch-only instance beside web instances on one machine gives people's requests the cores first.
import { readdirSync } from "node:fs";
import os from "node:os";

/**
 * Raises the nice value of every thread of this process to at least `nice`. Linux keeps one per thread: the threads
 * Node and V8 started before this call are set one by one (/proc/self/task), and every thread started later (inference
 * workers, ONNX Runtime's, libuv's) takes it from the thread that starts it. Raising needs no privilege; where the
 * system refuses, the thread keeps its priority.
 */
export function lowerProcessPriority(nice: number): void {
  let threads: number[];
  try {
    threads = readdirSync("/proc/self/task").map(Number);
  } catch {
    threads = [0]; // no /proc: this thread, and the threads it starts
  }
  for (const thread of threads) {
    try {
      if (os.getPriority(thread) < nice) os.setPriority(thread, nice);
    } catch {
      // the thread ended meanwhile, or the system does not allow it
    }
  }
}
