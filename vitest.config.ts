import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/support/failOnConsoleError.ts"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // One file more than there are cores (each file starts its own server and database): a file spends part of its
    // time waiting on its servers, PostgreSQL and the browser, and the extra one fills that. On 2 cores, 3 files at a
    // time ran the suite in 295 s against 346 s with 2. Capped so a large machine does not start dozens of servers.
    maxWorkers: Math.min(8, availableParallelism() + 1),
    pool: "forks",
  },
});
