// Runs a TypeScript entry point of this repo (a script or the server) as its own process.
import { spawn } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../../server/repoPaths.ts";

export const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");

export function runTsx(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(TSX, args, { cwd: REPO_ROOT, env: { ...process.env, ...options.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
