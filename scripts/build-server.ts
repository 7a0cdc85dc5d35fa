// Compiles the server (server/main.ts and everything it imports from this repo) into one ES module,
// build/server/main.js, that production runs with plain `node`; packages in node_modules stay external.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { REPO_ROOT } from "../server/repoPaths.ts";

export const SERVER_BUNDLE = path.join(REPO_ROOT, "build", "server", "main.js");

/** Builds the bundle; tests call it too, so the compiled server they start is the code they test. */
export async function buildServer(): Promise<void> {
  await build({
    entryPoints: [path.join(REPO_ROOT, "server", "main.ts")],
    outfile: SERVER_BUNDLE,
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
