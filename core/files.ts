import { existsSync, readFileSync, type Stats, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

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

/**
 * engram's own package folder (the nearest package.json named engram above this module):
 * what ships with it (dist, docs/examples, scenarios) is found from there, in the compiled
 * package as in the TypeScript sources under test.
 */
export function engramPackageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'engram') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`engram's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
