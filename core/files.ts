import { type Stats, statSync } from 'node:fs';

/**
 * Why a path cannot be read as a data file, or undefined when it is a regular file. A device
 * (/dev/zero), a FIFO or a socket would be read for ever, or block: they are refused before
 * any read, as datasets, memory files and plugin modules.
 */
export function notARegularFile(file: string): string | undefined {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'no permission to read it' : `it cannot be read (${code ?? 'error'})`;
  }
  if (st.isDirectory()) return 'a folder, not a file';
  if (!st.isFile())
    return `not a regular file (${st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'a special file'})`;
  return undefined;
}
