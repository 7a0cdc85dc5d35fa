import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/support/failOnConsoleError.ts"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Two cores: files run two at a time; each starts its own server and database.
    maxWorkers: 2,
    pool: "forks",
  },
});
