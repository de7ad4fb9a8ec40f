/**
 * MNIST training throughput (issue 6): samples per second of the IB rule on the 784-128-64-10
 * network with leaky-rate layers (scenarios/mnist-rate.yaml), training and testing measured
 * separately, and the time of one full epoch (60000 training + 10000 test samples) projected
 * from them. Target: a rate-mode epoch in under 2 minutes on a 2-core machine. `npm run bench`
 * also runs it on scenarios/mnist-lif.yaml (spiking layers, 100 ms per sample; no target).
 *
 *   node dist/bench/mnist.js [--train 3000] [--test 1000] [--scenario scenarios/mnist-rate.yaml]
 */
import * as path from 'node:path';
import { openScenario, trainerOf } from '../index.js';
import { benchOptions, repo } from './options.js';

const options = benchOptions('MNIST training throughput\n  node dist/bench/mnist.js [options]', {
  train: { default: '3000', describe: 'training samples timed' },
  test: { default: '1000', describe: 'test samples timed' },
  scenario: { default: 'scenarios/mnist-rate.yaml', describe: 'the scenario, relative to the repository' },
});
const nTrain = Number(options.train);
const nTest = Number(options.test);
const scenario = path.resolve(repo, options.scenario);

/** Wall seconds of one epoch of n_train training and n_test test samples (data loading and build excluded). */
async function epoch(train: number, test: number): Promise<{ wall: number; graded: boolean }> {
  const sim = await openScenario(scenario, {
    set: [`training.dataset.params.n_train=${train}`, `training.dataset.params.n_test=${test}`, 'training.epochs=1'],
  });
  const t0 = performance.now();
  trainerOf(sim)!.run();
  // Rate layers (every population has a graded output) have the 2-minute target; spiking ones none.
  const graded = [...sim.populations.values()].every((p) => !p.population || p.population.output !== undefined); // inputs have no population
  return { wall: (performance.now() - t0) / 1000, graded };
}

// The smallest epoch (1 + 1 samples) measures the fixed cost, subtracted from both runs.
const { wall: fixed, graded } = await epoch(1, 1);
const trainWall = (await epoch(nTrain, 1)).wall - fixed;
const testWall = (await epoch(1, nTest)).wall - fixed;
const trainRate = nTrain / trainWall;
const testRate = nTest / testWall;
const projected = 60000 / trainRate + 10000 / testRate;
console.log(`engram MNIST throughput: ${path.relative(repo, scenario)}, node ${process.version}`);
console.log(`  training  ${trainRate.toFixed(0).padStart(6)} samples/s  (${nTrain} samples, ${trainWall.toFixed(2)} s)`);
console.log(`  testing   ${testRate.toFixed(0).padStart(6)} samples/s  (${nTest} samples, ${testWall.toFixed(2)} s)`);
console.log(
  `  one epoch (60000 train + 10000 test): ${projected.toFixed(0)} s projected${graded ? ' (target < 120 s for rate layers)' : ' (spiking layers: no target)'}`,
);
