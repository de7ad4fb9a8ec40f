import { mkdirSync, statSync } from 'node:fs';
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
