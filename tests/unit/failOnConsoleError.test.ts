// The suite's guard against unplanned console.error (tests/support/failOnConsoleError.ts).
import { describe, expect, it } from "vitest";
import { expectConsoleError } from "../support/failOnConsoleError.ts";

describe("console.error in a test", () => {
  it("is allowed when the test says it expects it", () => {
    expectConsoleError();
    console.error("an expected error line (this test writes it on purpose)");
    expect(true).toBe(true);
  });

  it.fails("fails the test otherwise", () => {
    console.error("an unexpected error line (this test writes it on purpose, and its failure is expected)");
  });
});
