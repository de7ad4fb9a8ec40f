import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { EngramError } from '../core/errors.js';

/**
 * Makes the output folder (and its parents), or stops with exit 2 naming the option, the path
 * and what is in the way: a file where the folder should be, a file among its parents, or no
 * permission. Called before any work, so a run never computes what it cannot write.
 */
export function ensureOutputFolder(dir: string, option = '--out'): void {
  try {
    const existing = statSync(dir, { throwIfNoEntry: false });
    if (existing && !existing.isDirectory()) throw new EngramError(`${option} ${dir}: expected a folder, found a file`);
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    if (err instanceof EngramError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOTDIR' || code === 'EEXIST'
        ? 'a file stands where one of its parent folders should be'
        : code === 'EACCES' || code === 'EPERM'
          ? 'no permission to create it'
          : code === 'EROFS'
            ? 'the file system is read-only'
            : (err as Error).message;
    throw new EngramError(`${option} ${dir}: expected a folder that can be created, but ${why}`);
  }
}

/** The lock file of an output folder: who writes there now (docs/reliability.md, "One writer per output folder"). */
export const LOCK_FILE = '.engram-lock.json';

interface LockHolder {
  pid: number;
  host: string;
  started: string;
  command: string;
}

/** True unless the process `pid` on this host is known to have ended. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the output folder `dir` for this process: a second run on the same folder fails at
 * once (exit 2) naming the holder, instead of mixing its files with the first run's. A lock
 * left by a process of this host that has ended (killed, say) is taken over, and `onNotice`
 * is told. The lock is created with O_EXCL, so two runs starting at once cannot both get it.
 * Returns the function that releases it.
 */
export function lockOutputFolder(dir: string, command: string, onNotice?: (message: string) => void, option = '--out'): () => void {
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        const why =
          code === 'EACCES' || code === 'EPERM' ? 'no permission to write in it' : code === 'EROFS' ? 'the file system is read-only' : (err as Error).message;
        throw new EngramError(`${option} ${dir}: expected a folder this run can write, but ${why}`);
      }
      if (attempt > 0) throw new EngramError(`${option} ${dir}: another engram run took this folder at the same moment; choose another --out`);
      let holder: Partial<LockHolder> = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        // An empty or torn lock: its writer died between creating and writing it.
      }
      const who = holder.pid
        ? `pid ${holder.pid} on ${holder.host ?? 'an unknown host'} since ${holder.started ?? '?'} (${holder.command ?? '?'})`
        : 'an unreadable lock';
      const here = holder.host === me.host;
      if (holder.pid && !(here && !alive(holder.pid)))
        throw new EngramError(
          `${option} ${dir}: this folder is in use by another engram run: ${who}; wait for it to end or choose another --out${here ? '' : ` (if that run is gone, delete ${file})`}`,
        );
      onNotice?.(`${option} ${dir}: took over the lock of a run that ended without releasing it: ${who}`);
      rmSync(file, { force: true });
    }
  }
  return () => {
    try {
      const now = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
      if (now.pid === me.pid && now.started === me.started) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}
