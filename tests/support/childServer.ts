// Starts tests/support/serverProcess.ts as a child process and waits for its URL. The child is node itself with
// tsx as a loader (not tsx's CLI, which runs the server as a grandchild): a SIGKILL must reach the server.
import { spawn, type ChildProcess } from "node:child_process";
import { REPO_ROOT } from "../../server/repoPaths.ts";

export type ChildServer = { url: string; child: ChildProcess; output: () => string; exited: Promise<number | null> };

export function startChildServer(env: Record<string, string>, timeoutMs = 240_000): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/support/serverProcess.ts"], { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: "test", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server process did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.stderr!.on("data", (d) => (output += d));
    child.stdout!.on("data", (d: Buffer) => {
      output += d;
      const line = output.split("\n").find((l) => l.startsWith('{"url"'));
      if (line) {
        clearTimeout(timer);
        resolve({ url: JSON.parse(line).url, child, output: () => output, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server process exited (${code}) before listening:\n${output}`));
    });
  });
}
