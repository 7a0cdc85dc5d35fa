// Every test file's setup: a test that writes console.error fails, unless it calls expectConsoleError() first.
// The server logs through its own logger, so a console.error is something nobody planned for (a React warning
// while rendering, an error Remix caught, a stray fallback) and would otherwise scroll by unnoticed.
import { format } from "node:util";
import { afterEach, beforeEach, vi } from "vitest";

let written: string[] = [];
let expected = false;

/** The running test means to write console.error (what it writes is still shown). */
export function expectConsoleError(): void {
  expected = true;
}

beforeEach(() => {
  written = [];
  expected = false;
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    const line = format(...args);
    written.push(line);
    process.stderr.write(`${line}\n`);
  });
});

afterEach(() => {
  vi.mocked(console.error).mockRestore();
  if (written.length && !expected) {
    throw new Error(`console.error was called ${written.length} time(s) during the test (call expectConsoleError() if that is intended):\n${written.join("\n")}`);
  }
});
