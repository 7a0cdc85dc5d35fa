// Trims an `npm prune --omit=dev` node_modules for the Docker image: removes packages reached only through peer
// dependencies on what package.json calls dev-only (npm keeps the prisma CLI and typescript because @prisma/client
// and @trpc/* name them as peers, which they never import at run time) and onnxruntime-node's binaries for other
// platforms and Prisma's query compilers for other databases; then files nothing loads at run time (type
// declarations, source maps, markdown) and links in .bin left dangling. Prints what it removed and how much.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";

type LockedPackage = {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
};

const root = path.resolve(process.argv[2] ?? ".");
const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as { packages: Record<string, LockedPackage & { devDependencies?: Record<string, string> }> };
const devOnly = new Set(Object.keys(lock.packages[""]?.devDependencies ?? {}));

/** Node's resolution over the lockfile's locations: the nearest node_modules/<name> from `from` upwards. */
function resolve(from: string, name: string): string | null {
  for (let dir = from; ; ) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return null;
    const cut = dir.lastIndexOf("/node_modules/");
    dir = cut === -1 ? "" : dir.slice(0, cut);
  }
}

const needed = new Set<string>();
const visit = (location: string) => {
  if (needed.has(location)) return;
  needed.add(location);
  const pkg = lock.packages[location]!;
  const names = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}).filter((n) => !pkg.peerDependenciesMeta?.[n]?.optional && !devOnly.has(n)),
  ];
  for (const name of names) {
    const target = resolve(location, name);
    if (target) visit(target);
  }
};
visit("");

const sizeOf = (p: string): number =>
  statSync(p).isDirectory() ? readdirSync(p).reduce((sum, entry) => sum + sizeOf(path.join(p, entry)), 0) : statSync(p).size;

let freed = 0;
let removed = 0;
const remove = (relative: string) => {
  const full = path.join(root, relative);
  if (!existsSync(full)) return;
  removed++;
  freed += sizeOf(full);
  rmSync(full, { recursive: true, force: true });
};
const unneeded = Object.keys(lock.packages).filter((location) => location && !needed.has(location));
for (const location of unneeded) remove(location);
const packagesRemoved = removed;

const ortBinaries = path.join("node_modules", "onnxruntime-node", "bin", "napi-v6");
for (const platform of existsSync(path.join(root, ortBinaries)) ? readdirSync(path.join(root, ortBinaries)) : []) {
  for (const arch of readdirSync(path.join(root, ortBinaries, platform))) {
    if (`${platform}/${arch}` !== `${process.platform}/${process.arch}`) remove(path.join(ortBinaries, platform, arch));
  }
}
// The generated client loads only the PostgreSQL query compiler (PGlite speaks PostgreSQL too).
const prismaRuntime = path.join("node_modules", "@prisma", "client", "runtime");
for (const file of existsSync(path.join(root, prismaRuntime)) ? readdirSync(path.join(root, prismaRuntime)) : []) {
  if (file.startsWith("query_compiler_") && !file.includes(".postgresql.")) remove(path.join(prismaRuntime, file));
}

const NOT_LOADED = /\.(d\.ts|d\.mts|d\.cts|map|md|markdown)$/i;
const sweep = (relative: string) => {
  for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory()) sweep(child);
    else if (entry.isSymbolicLink()) {
      if (!existsSync(path.join(root, child))) rmSync(path.join(root, child));
    } else if (NOT_LOADED.test(entry.name)) remove(child);
  }
};
if (existsSync(path.join(root, "node_modules"))) sweep("node_modules");

console.log(`pruned ${packagesRemoved} packages no production code path reaches, other platforms' and databases' binaries, and files nothing loads: ${(freed / 1e6).toFixed(0)} MB`);
