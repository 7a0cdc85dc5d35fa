// One server per DATA_DIR: the embedded database is a folder of files that two processes would both write
// (each keeping its own view, so one's commits are lost). A lock file with the holder's pid guards the folder.
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod/v4";

export const LOCK_FILE_NAME = "server.lock";

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
 * A lock left by a process that is gone (killed, crashed) is taken over. Returns the function that releases it.
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
    const live = holder && (heldHere.has(file) || !sameHost || (holder.pid !== process.pid && isAlive(holder.pid)));
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
  return () => {
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
