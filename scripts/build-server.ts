// Compiles the server (server/main.ts and everything it imports from this repo) into one ES module,
// build/server/main.js, that production runs with plain `node`, and the inference worker thread's entry beside it,
// build/server/onnxWorker.js (server/inference/workerPool.server.ts starts it); packages in node_modules stay external.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { REPO_ROOT } from "../server/repoPaths.ts";

const OUT_DIR = path.join(REPO_ROOT, "build", "server");
export const SERVER_BUNDLE = path.join(OUT_DIR, "main.js");

/** Builds the bundle; tests call it too, so the compiled server they start is the code they test. */
export async function buildServer(): Promise<void> {
  await build({
    entryPoints: { main: path.join(REPO_ROOT, "server", "main.ts"), onnxWorker: path.join(REPO_ROOT, "server", "inference", "onnxWorker.ts") },
    outdir: OUT_DIR,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const started = performance.now();
  await buildServer();
  console.log(`server compiled to ${path.relative(REPO_ROOT, SERVER_BUNDLE)} in ${Math.round(performance.now() - started)} ms`);
}
