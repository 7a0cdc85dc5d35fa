// Where the CLI keeps its server URL and token between runs (a JSON file readable by its owner only), and
// which of flags, environment and that file wins.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export type SavedSettings = { url?: string; token?: string };
export const DEFAULT_URL = "http://localhost:7860";

export function settingsFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CAMXUC_CONFIG) return path.resolve(env.CAMXUC_CONFIG);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  return path.join(base, "camxuc", "cli.json");
}

export function readSettings(file: string): SavedSettings {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as SavedSettings;
    return { url: typeof parsed.url === "string" ? parsed.url : undefined, token: typeof parsed.token === "string" ? parsed.token : undefined };
  } catch {
    throw new Error(`${file} is not valid JSON: fix or delete it, then log in again`);
  }
}

export function writeSettings(file: string, settings: SavedSettings): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function forgetSettings(file: string): void {
  rmSync(file, { force: true });
}

/** Flags first, then the environment (CAMXUC_URL, CAMXUC_TOKEN), then the saved file; an empty value counts as unset. */
export function resolveSettings(flags: { url?: string; token?: string }, env: NodeJS.ProcessEnv, saved: SavedSettings): { url: string; token: string | null } {
  return {
    url: flags.url || env.CAMXUC_URL || saved.url || DEFAULT_URL,
    token: flags.token || env.CAMXUC_TOKEN || saved.token || null,
  };
}
