import { readJsonFile } from '../core/json.js';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Snapshot } from '../core/checkpoint.js';
import { EngramError, RunInterrupted } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/output.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { Simulation } from '../core/simulation.js';
import type { Trainer } from '../training/protocol.js';

/**
 * Checkpoints of a training (docs/reliability.md): the whole network state (core/checkpoint.ts)
 * with the training's position, saved atomically to <out>/checkpoint.json every K epochs, every
 * M minutes and when a signal stops the run, at a sample boundary; restored by --resume.
 */
/**
 * The checkpoint format. Version 3: objects with explicit state (core/checkpoint.ts
 * ExplicitState, e.g. the lif and leaky-rate populations) are saved by their saveState under
 * a named format. Version 2: the training protocol is saved as an extension of the
 * simulation (Simulation.extensions), no longer as its `trainer` field.
 */
export const CHECKPOINT_VERSION = 3;
const VERSION_CHANGES: Record<number, string> = {
  1: 'version 1 saved the training as a field of the simulation',
  2: 'version 2 saved every plugin object by reflection, before populations had explicit state',
};

export class TrainingCheckpoint {
  private lastSave = performance.now();
  private epochsAtSave: number;
  private readonly fingerprint: string;

  constructor(
    private readonly sim: Simulation,
    private readonly trainer: Trainer,
    private readonly loaded: LoadedScenario,
    private readonly outDir: string,
    private readonly options: { checkpointEveryEpochs?: number; checkpointEveryMinutes?: number },
  ) {
    this.epochsAtSave = trainer.epochsDone;
    // The resolved scenario (overrides and seed applied): a checkpoint only fits the same one.
    this.fingerprint = createHash('sha256').update(JSON.stringify(loaded.scenario)).digest('hex');
  }

  get file(): string {
    return `${this.outDir}/checkpoint.json`;
  }

  /** Called after every sample: saves when due, or when a signal asks the run to stop. */
  step(savable: boolean, signal: AbortSignal | undefined): void {
    const trainer = this.trainer;
    if (signal?.aborted) {
      if (savable) this.save();
      const saved = savable ? `; a checkpoint is in ${this.file}` : `; the last checkpoint (if any) is in ${this.file}`;
      throw new RunInterrupted(
        String(signal.reason ?? 'abort'),
        this.sim.t_ms,
        `${saved}, continue with: engram run ${this.loaded.file} --resume ${this.outDir}`,
      );
    }
    if (!savable) return;
    const everyEpochs = this.options.checkpointEveryEpochs ?? 1;
    const everyMinutes = this.options.checkpointEveryMinutes ?? 10;
    const byEpochs = everyEpochs > 0 && trainer.epochsDone - this.epochsAtSave >= everyEpochs;
    const byTime = everyMinutes > 0 && performance.now() - this.lastSave >= everyMinutes * 60_000;
    if (byEpochs || byTime) this.save();
  }

  save(): void {
    const data = {
      format: 'engram-checkpoint',
      version: CHECKPOINT_VERSION,
      scenario: this.loaded.file,
      fingerprint: this.fingerprint,
      epochs_done: this.trainer.epochsDone,
      t_ms: this.sim.t_ms,
      state: this.sim.saveState(),
    };
    mkdirSync(this.outDir, { recursive: true });
    writeFileAtomicSync(this.file, JSON.stringify(data));
    this.lastSave = performance.now();
    this.epochsAtSave = this.trainer.epochsDone;
  }

  restore(dir: string): void {
    const file = `${dir}/checkpoint.json`;
    let data: { format?: string; version?: number; fingerprint?: string; state?: Snapshot };
    try {
      data = readJsonFile(file, 'an engram checkpoint') as typeof data;
    } catch (err) {
      throw new EngramError(`--resume ${dir}: ${(err as Error).message}`);
    }
    if (data.format !== 'engram-checkpoint' || typeof data.version !== 'number' || !data.state)
      throw new EngramError(`--resume ${dir}: ${file} is not an engram checkpoint (format engram-checkpoint, version ${CHECKPOINT_VERSION})`);
    if (data.version !== CHECKPOINT_VERSION)
      throw new EngramError(
        `--resume ${dir}: ${file} has checkpoint format version ${data.version}, and this engram reads version ${CHECKPOINT_VERSION} only (${VERSION_CHANGES[data.version] ?? 'written by another engram'}); run the training again without --resume`,
      );
    if (data.fingerprint !== this.fingerprint)
      throw new EngramError(
        `--resume ${dir}: the checkpoint was written for another scenario, seed or --set overrides than ${this.loaded.file} with these options`,
      );
    try {
      this.sim.restoreState(data.state);
    } catch (err) {
      throw new EngramError(`--resume ${dir}: the checkpoint does not fit the network of ${this.loaded.file}: ${(err as Error).message}`);
    }
    this.epochsAtSave = this.trainer.epochsDone;
  }
}
