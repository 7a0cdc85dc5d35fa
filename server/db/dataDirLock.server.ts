// One server per DATA_DIR: the embedded database is a folder of files that two processes would both write
// (each keeping its own view, so one's commits are lost). A lock file with the holder's pid guards the folder. On
// this host the pid decides: a process with that pid that was already running when the lock was written is its
// holder (alive, even if paused), a newer one only reuses the number. The holder also touches the file every few
// seconds, so where the pid cannot be checked (another host: a new container after a crash on the same volume; no
// /proc) a lock whose file went stale is taken over.
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

/** Linux reports process start times in clock ticks of 1/100 s (USER_HZ, fixed for /proc whatever the kernel's HZ). */
const USER_HZ = 100;

/** When process `pid` started (ms since the epoch, to about a second), or null where /proc cannot say. */
function processStartedAtMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the fields after the command name, which may itself hold spaces and parentheses; starttime is field 22
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(bootSeconds) ? bootSeconds * 1000 + (ticks / USER_HZ) * 1000 : null;
  } catch {
    return null;
  }
}

/** btime is whole seconds, so a start time read back may be up to a second late. */
const START_TIME_SLACK_MS = 2_000;

/**
 * On this host: true when `holder` is alive (the process with its pid started before the lock was written, so it
 * is the writer), false when it is gone or the pid now names a newer process, null when /proc cannot tell.
 */
function holderAliveHere(holder: LockContents): boolean | null {
  if (!isAlive(holder.pid)) return false;
  const started = processStartedAtMs(holder.pid);
  const locked = Date.parse(holder.startedAt);
  if (started === null || !Number.isFinite(locked)) return null;
  return started <= locked + START_TIME_SLACK_MS;
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
 * A lock left by a process that is gone (killed, crashed) is taken over: on this host when no process that started
 * before the lock was written has its pid (where /proc cannot tell: when its pid is not running or its file has not
 * been touched for LOCK_STALE_MS), elsewhere when its file has not been touched for LOCK_STALE_MS. Returns the
 * function that releases it.
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
    // our own pid in a lock this process does not hold: a restarted container whose new server got the old number
    const aliveHere = holder && sameHost && holder.pid !== process.pid ? holderAliveHere(holder) : false;
    const live = holder && (heldHere.has(file) || (sameHost ? (aliveHere ?? fresh) : fresh));
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
