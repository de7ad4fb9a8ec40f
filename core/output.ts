import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { restoreFields, saveFields, type ExplicitState } from './checkpoint.js';

/**
 * Writes a file so that readers never see a partial one: the data goes to a temporary file
 * beside the target, which is then renamed over it (rename is atomic within a file system).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now().toString(36)}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** writeFileAtomic for synchronous callers (progress written from inside a long computation). */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now().toString(36)}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Builds large CSV text in chunks, so a million rows do not make a million-element array. */
export class CsvBuilder implements ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'csv-builder/1';

  private readonly chunks: string[] = [];
  private current = '';

  constructor(header: string) {
    this.current = `${header}\n`;
  }

  row(line: string): void {
    this.current += `${line}\n`;
    if (this.current.length > 1 << 20) {
      this.chunks.push(this.current);
      this.current = '';
    }
  }

  toString(): string {
    return this.chunks.join('') + this.current;
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, CsvBuilder.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, CsvBuilder.stateFields, 'CsvBuilder');
  }

  private static readonly stateFields = ['chunks', 'current'];
}
