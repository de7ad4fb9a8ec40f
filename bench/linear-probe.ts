/**
 * Linear probe of what the hidden layers learned (issue 6): trains a scenario, then fits the
 * best softmax (multinomial logistic) readout it can, offline, on each hidden layer's rates
 * over the whole training set, and reports its test accuracy beside the trained readout's.
 * When the trained readout is close to the probe, the readout is not what limits accuracy:
 * the representation is. Not part of `npm run bench` (it takes as long as the training).
 *
 *   node dist/bench/linear-probe.js --scenario scenarios/mnist-rate.yaml --epochs 3
 *     [--set path=value ...] [--probe-epochs 30] [--lr 0.003]
 */
import * as path from 'node:path';
import { openScenario, Rng, trainerOf } from '../index.js';
import { benchOptions, repo } from './options.js';

const options = benchOptions(
  'Offline linear probes of the hidden layers after a training\n  node dist/bench/linear-probe.js [options]',
  {
    scenario: { default: 'scenarios/mnist-rate.yaml', describe: 'the scenario, relative to the repository' },
    epochs: { default: '', describe: "training epochs (default: the scenario's)" },
    'probe-epochs': { default: '30', describe: 'epochs of the offline softmax fit' },
    lr: { default: '0.003', describe: "the offline fit's Adam step" },
  },
  { set: 'override a scenario field, as engram run --set (repeatable)' },
);
const scenario = path.resolve(repo, options.scenario);
const sets = options.set;
const epochs = options.epochs;
const probeEpochs = Number(options['probe-epochs']);
const lr = Number(options.lr);

/**
 * Multinomial logistic regression on standardised features, Adam on minibatches of 64; returns
 * the train and test accuracy after the last epoch.
 */
function fitSoftmax(train: Float64Array[], yTrain: Int32Array, test: Float64Array[], yTest: Int32Array, nClasses: number): { train: number; test: number } {
  const d = train[0].length;
  const mu = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const z of train) for (let i = 0; i < d; i++) mu[i] += z[i] / train.length;
  for (const z of train) for (let i = 0; i < d; i++) sd[i] += (z[i] - mu[i]) ** 2 / train.length;
  for (let i = 0; i < d; i++) sd[i] = Math.sqrt(sd[i]) || 1;
  const norm = (z: Float64Array) => Float64Array.from(z, (v, i) => (v - mu[i]) / sd[i]);
  const Xtr = train.map(norm);
  const Xte = test.map(norm);
  const C = nClasses;
  const W = new Float64Array((d + 1) * C); // row d: biases
  const m = new Float64Array(W.length);
  const v = new Float64Array(W.length);
  const g = new Float64Array(W.length);
  const o = new Float64Array(C);
  const logits = (x: Float64Array) => {
    for (let c = 0; c < C; c++) {
      let s = W[d * C + c];
      for (let i = 0; i < d; i++) s += x[i] * W[i * C + c];
      o[c] = s;
    }
    return o;
  };
  const accuracy = (X: Float64Array[], y: Int32Array) => {
    let ok = 0;
    X.forEach((x, s) => {
      const l = logits(x);
      let best = 0;
      for (let c = 1; c < C; c++) if (l[c] > l[best]) best = c;
      if (best === y[s]) ok++;
    });
    return ok / X.length;
  };
  const rng = Rng.derive(1, 'linear-probe/shuffle');
  const order = Int32Array.from({ length: Xtr.length }, (_, i) => i);
  const batch = 64;
  let step = 0;
  for (let e = 0; e < probeEpochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let b0 = 0; b0 < order.length; b0 += batch) {
      g.fill(0);
      const b1 = Math.min(b0 + batch, order.length);
      for (let k = b0; k < b1; k++) {
        const x = Xtr[order[k]];
        const l = logits(x);
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, l[c]);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += l[c] = Math.exp(l[c] - max);
        for (let c = 0; c < C; c++) {
          const err = (l[c] / sum - (yTrain[order[k]] === c ? 1 : 0)) / (b1 - b0);
          for (let i = 0; i < d; i++) g[i * C + c] += err * x[i];
          g[d * C + c] += err;
        }
      }
      step++;
      for (let i = 0; i < W.length; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        W[i] -= (lr * (m[i] / (1 - 0.9 ** step))) / (Math.sqrt(v[i] / (1 - 0.999 ** step)) + 1e-8);
      }
    }
  }
  return { train: accuracy(Xtr, yTrain), test: accuracy(Xte, yTest) };
}

const sim = await openScenario(scenario, { set: [...sets, ...(epochs ? [`training.epochs=${epochs}`] : [])] });
const trainer = trainerOf(sim);
if (!trainer) throw new Error(`${scenario} has no training section`);
const t0 = performance.now();
const result = trainer.run((r) =>
  console.log(
    `epoch ${r.epoch}: train ${(100 * r.train_accuracy).toFixed(2)}%, test ${r.test_accuracy === null ? '-' : `${(100 * r.test_accuracy).toFixed(2)}%`} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  ),
);
const tr = trainer.layerRates('train');
const te = trainer.layerRates('test');
const nClasses = [...tr.labels, ...te.labels].reduce((a, b) => Math.max(a, b), 0) + 1;
console.log(`linear probe of ${path.relative(repo, scenario)} after ${result.epochs} epochs (${probeEpochs} probe epochs, Adam lr ${lr})`);
console.log(`  trained readout: train ${(100 * tr.accuracy).toFixed(2)}%, test ${(100 * te.accuracy).toFixed(2)}%`);
for (const name of Object.keys(tr.layers)) {
  const fit = fitSoftmax(tr.layers[name], tr.labels, te.layers[name], te.labels, nClasses);
  console.log(`  best linear readout of ${name}: train ${(100 * fit.train).toFixed(2)}%, test ${(100 * fit.test).toFixed(2)}%`);
}
