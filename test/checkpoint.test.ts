import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_VERSION, EngramError, RunInterrupted, runScenario } from '../index.js';
import { tempDir } from './helpers.js';

/** Every output file of a run folder, with history.csv's wall-clock column removed. */
function outputs(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const read = (sub: string) => {
    for (const e of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, e.name);
      if (e.isDirectory()) read(rel);
      else if (rel.endsWith('.csv')) files[rel] = readFileSync(path.join(dir, rel), 'utf8');
    }
  };
  read('.');
  files['history.csv'] = files['history.csv']
    .split('\n')
    .map((l) => l.split(',').slice(0, -1).join(','))
    .join('\n');
  return files;
}

describe('checkpoints', () => {
  for (const [scenario, epochs, when, extra] of [
    ['scenarios/xor.yaml', 3, 'mid-epoch', []],
    ['scenarios/xor-rate.yaml', 4, 'after epoch 2', []],
    // Graded layers read as means (a clock of the training's own) and a decaying step (the rule's pulse count).
    ['scenarios/xor-rate.yaml', 4, 'after epoch 2', ['training.graded_read=mean', 'projections.0.plasticity.params.eta_decay_pulses=100']],
  ] as const) {
    it(`a training interrupted ${when} and resumed from its checkpoint ends exactly as an uninterrupted one (${path.basename(scenario)}${extra.length ? `, ${extra.join(', ')}` : ''})`, async () => {
      const tmp = tempDir();
      const set = [`training.epochs=${epochs}`, 'recorders=[{type: weights}]', ...extra];
      const whole = path.join(tmp.dir, 'whole');
      await runScenario(scenario, { set, out: whole });

      const split = path.join(tmp.dir, 'split');
      const stop = new AbortController();
      const interrupted = await runScenario(scenario, {
        set,
        out: split,
        signal: stop.signal,
        onProgress: (fraction) => {
          if (when === 'mid-epoch' && fraction > 0.45) stop.abort('SIGINT');
        },
        onEpoch: (r) => {
          if (when === 'after epoch 2' && r.epoch === 2) stop.abort('SIGTERM');
        },
      }).catch((e) => e);
      expect(interrupted).toBeInstanceOf(RunInterrupted);
      expect((interrupted as Error).message).toMatch(/a checkpoint is in .*checkpoint.json, continue with: engram run .* --resume /);
      const done = JSON.parse(readFileSync(path.join(split, 'checkpoint.json'), 'utf8')).epochs_done;
      expect(done).toBe(when === 'mid-epoch' ? 1 : 2);

      const resumed = await runScenario(scenario, { set, resume: split });
      expect(resumed.outDir).toBe(split);
      expect(outputs(split)).toEqual(outputs(whole));
      const summary = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));
      expect(summary(split).status).toBe('complete');
      expect(summary(split).t_stop_ms).toBe(summary(whole).t_stop_ms);
      expect(summary(split).populations).toEqual(summary(whole).populations);
      expect(summary(split).training.history.map((h: { test_accuracy: number }) => h.test_accuracy)).toEqual(
        summary(whole).training.history.map((h: { test_accuracy: number }) => h.test_accuracy),
      );
      tmp.done();
    }, 60_000);
  }

  // SIGTERM asks for a clean stop: the training saves a checkpoint at the next sample. SIGINT
  // (Ctrl-C) interrupts at once, wherever the run is (so that a plugin stuck in a loop cannot
  // keep it going, app/interruptible.ts), and the last checkpoint saved stays the one to resume.
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`engram run: ${signal} stops a training (exit ${code}), engram run --resume finishes it as if never stopped`, async () => {
      const tmp = tempDir();
      const cli = path.resolve('dist/cli/engram.js');
      const args = ['run', 'scenarios/xor-rate.yaml', '--set', 'training.epochs=40', '--quiet'];
      const whole = path.join(tmp.dir, 'whole');
      expect(spawnSync(process.execPath, [cli, ...args, '--out', whole]).status).toBe(0);
      const split = path.join(tmp.dir, 'split');
      const child = spawn(process.execPath, [cli, ...args, '--out', split]);
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      // Interrupt after the first epochs are on disk.
      for (let k = 0; k < 400 && !existsSync(path.join(split, 'checkpoint.json')); k++) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 100));
      child.kill(signal);
      expect(await new Promise((r) => child.on('close', r))).toBe(code);
      expect(stderr).toMatch(/continue with: engram run scenarios\/xor-rate.yaml --resume /);
      const saved = JSON.parse(readFileSync(path.join(split, 'checkpoint.json'), 'utf8'));
      const stoppedAt = JSON.parse(readFileSync(path.join(split, 'summary.json'), 'utf8')).t_stop_ms;
      // SIGTERM is a clean stop, never an interruption: between training samples the checkpoint
      // is where the run stopped; inside a test evaluation (which a resumed run cannot re-enter)
      // the run stops without one and the last stays (docs/reliability.md). SIGINT: an earlier one.
      if (signal === 'SIGTERM') {
        expect(stderr).not.toMatch(/had not returned/);
        if (/a checkpoint is in/.test(stderr)) expect(saved.t_ms).toBe(stoppedAt);
        else {
          expect(stderr).toMatch(/the last checkpoint \(if any\) is in/);
          expect(saved.t_ms).toBeLessThan(stoppedAt);
        }
      } else expect(saved.t_ms).toBeLessThanOrEqual(stoppedAt);
      const resumed = spawnSync(process.execPath, [cli, ...args, '--resume', split], { encoding: 'utf8' });
      expect(resumed.status).toBe(0);
      expect(outputs(split)).toEqual(outputs(whole));
      tmp.done();
    }, 60_000);
  }

  it('refuses a checkpoint written for another seed, or a folder without one', async () => {
    const tmp = tempDir();
    const out = path.join(tmp.dir, 'a');
    await runScenario('scenarios/xor-rate.yaml', { set: ['training.epochs=1'], out });
    await expect(runScenario('scenarios/xor-rate.yaml', { set: ['training.epochs=1'], seed: 9, resume: out })).rejects.toThrow(
      /written for another scenario, seed or --set overrides/,
    );
    await expect(runScenario('scenarios/xor-rate.yaml', { set: ['training.epochs=1'], resume: path.join(tmp.dir, 'none') })).rejects.toThrow(EngramError);
    tmp.done();
  });

  it('refuses a checkpoint of an older format version by name, never misreads it', async () => {
    const tmp = tempDir();
    const out = path.join(tmp.dir, 'a');
    await runScenario('scenarios/xor-rate.yaml', { set: ['training.epochs=2'], out, checkpointEveryEpochs: 1 });
    const file = path.join(out, 'checkpoint.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.version).toBe(CHECKPOINT_VERSION);
    writeFileSync(file, JSON.stringify({ ...saved, version: 1 }));
    await expect(runScenario('scenarios/xor-rate.yaml', { set: ['training.epochs=2'], resume: out })).rejects.toThrow(
      /checkpoint format version 1.*run the training again without --resume/s,
    );
    tmp.done();
  });
});
