// engram as a library, in plain JavaScript (docs/library.md). Run from the repository:
//   node docs/examples/library.mjs
// (in a project of your own: npm install engram, then the same code.)
import { openScenario } from 'engram';

const sim = await openScenario(new URL('../../scenarios/cuba.yaml', import.meta.url).pathname, {
  seed: 7,
  set: ['duration_ms=200', 'populations.exc.size=800', 'populations.inh.size=200'],
});

// Count the spikes of the excitatory population as they happen.
let spikes = 0;
sim.population('exc').addSpikeListener({ onSpike: () => spikes++ });

// Run in two pieces: pieces of one run leave plastic synapses unsettled ({settle: false})
// and settlePlasticity() brings them up to date at the end, so the result is that of one run.
sim.run(100, { settle: false });
const halfway = spikes;
sim.run(200, { settle: false });
sim.settlePlasticity();

// Read the weights of a projection by name, in CSR order.
const ee = sim.projection('ee').weights();
const mean = ee.weight.reduce((a, b) => a + b, 0) / ee.weight.length;

const s = sim.summary();
console.log(
  JSON.stringify({
    t_ms: s.t_stop_ms,
    exc_spikes: spikes,
    exc_spikes_first_half: halfway,
    exc_rate_hz: Number(s.populations.exc.rate_hz.toFixed(2)),
    ee_synapses: ee.weight.length,
    ee_mean_weight: Number(mean.toFixed(4)),
  }),
);
