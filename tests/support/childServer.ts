// Starts a server as a child process and waits for its URL: the test entry (tests/support/serverProcess.ts),
// the real entry point (server/main.ts, through tsx) or the compiled bundle (build/server/main.js). The child is
// node itself with tsx as a loader (not tsx's CLI, which runs the server as a grandchild): a signal must reach
// the server. Ready is the first JSON line on stdout with a "url" (serverProcess's line, or the start-up summary).
import { spawn, type ChildProcess } from "node:child_process";
import { SERVER_BUNDLE } from "../../scripts/build-server.ts";
import { REPO_ROOT } from "../../server/repoPaths.ts";

export type ChildServerEntry = "testProcess" | "main" | "bundle";

const ENTRY_ARGS: Record<ChildServerEntry, string[]> = {
  testProcess: ["--import", "tsx", "tests/support/serverProcess.ts"],
  main: ["--import", "tsx", "server/main.ts"],
  bundle: [SERVER_BUNDLE],
};

export type ChildServer = {
  url: string;
  child: ChildProcess;
  /** stdout and stderr as they arrived, interleaved. */
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
};

export function startChildServer(env: Record<string, string>, options: { entry?: ChildServerEntry; timeoutMs?: number } = {}): Promise<ChildServer> {
  const { entry = "testProcess", timeoutMs = 240_000 } = options;
  const child = spawn(process.execPath, ENTRY_ARGS[entry], { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: "test", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const urlOf = (line: string): string | null => {
    if (!line.startsWith("{")) return null;
    try {
      const url = (JSON.parse(line) as { url?: unknown }).url;
      return typeof url === "string" ? url : null;
    } catch {
      return null;
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server process did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.stderr!.on("data", (d) => {
      output += d;
      stderr += d;
    });
    child.stdout!.on("data", (d: Buffer) => {
      output += d;
      stdout += d;
      const url = stdout.split("\n").map(urlOf).find((u) => u !== null);
      if (url) {
        clearTimeout(timer);
        resolve({ url, child, output: () => output, stdout: () => stdout, stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server process exited (${code}) before listening:\n${output}`));
    });
  });
}
