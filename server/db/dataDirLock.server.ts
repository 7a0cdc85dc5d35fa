// One server per DATA_DIR: the embedded database is a folder of files that two processes would both write
// (each keeping its own view, so one's commits are lost). A lock file with the holder's pid guards the folder; the
// holder touches it every few seconds, so a lock whose file went stale is taken over even when its pid cannot be
// checked (another host: a new container after a crash on the same volume) or names another process now (pid reuse).
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod/v4";

export const LOCK_FILE_NAME = "server.lock";
/** How often the holder touches its lock file, and how old an untouched one must be to count as left behind. */
export const LOCK_HEARTBEAT_MS = 10_000;
export const LOCK_STALE_MS = 60_000;

const LockContents = z.object({ pid: z.number().int().positive(), hostname: z.string(), startedAt: z.string() });
type LockContents = z.infer<typeof LockContents>;

export class DataDirLockedError extends Error {}

/** Locks held by this process (a second server started in the same process is refused too). */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function touchedWithin(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < ms;
  } catch {
    return false;
  }
}

function readLock(file: string): LockContents | null {
  try {
    const parsed = LockContents.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock on `dataDir` or throws a DataDirLockedError naming the folder and the process that holds it.
 * A lock left by a process that is gone (killed, crashed) is taken over: on this host when its pid is not running,
 * anywhere when its file has not been touched for LOCK_STALE_MS. Returns the function that releases it.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE_NAME);
  const mine: LockContents = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 2) throw error;
    }
    const holder = readLock(file);
    const sameHost = holder?.hostname === mine.hostname;
    const fresh = touchedWithin(file, LOCK_STALE_MS);
    const live = holder && (heldHere.has(file) || (fresh && (!sameHost || (holder.pid !== process.pid && isAlive(holder.pid)))));
    if (live) {
      const who = `process ${holder.pid}${sameHost ? "" : ` on ${holder.hostname}`}, started ${holder.startedAt}`;
      throw new DataDirLockedError(
        `DATA_DIR ${dataDir} is in use by another server (${who}): two servers on one embedded database would lose data. ` +
          `Stop that server, or give this one its own DATA_DIR (or a DATABASE_URL). If no such server runs, delete ${file}.`,
      );
    }
    // Stale (its process is gone) or unreadable: replace it in one step, then check we won a race for it.
    const temporary = `${file}.${process.pid}`;
    writeFileSync(temporary, JSON.stringify(mine));
    renameSync(temporary, file);
    if (readLock(file)?.pid === process.pid) break;
  }
  heldHere.add(file);
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(file, now, now);
    } catch {
      // the folder went away: nothing left to guard
    }
  }, LOCK_HEARTBEAT_MS);
  heartbeat.unref();
  return () => {
    clearInterval(heartbeat);
    heldHere.delete(file);
    if (readLock(file)?.pid === process.pid) {
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    }
  };
}
