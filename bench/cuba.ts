/**
 * CUBA benchmark: engram at several network sizes, and Brian2 (the peer) at N = 4000 in the
 * same run when python3-brian is installed (../shared/peers/ holds its scripts).
 *
 *   npm run bench                       all sizes, peer if available
 *   npm run bench -- --sizes 4000 --peer none
 *
 * Prints, per size: build time, wall seconds per simulated second, delivered synaptic events
 * per wall second, mean rate; then the peer's figures and the ratios.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { openScenario } from '../index.js';
import { option, repo } from './options.js';

const sizes = option('sizes', '1000,2000,4000,8000,16000').split(',').map(Number);
const duration = Number(option('duration', '1000'));
const peerMode = option('peer', 'auto');
const peerN = Number(option('peer-n', '4000'));

interface Row { N: number; synapses: number; build_s: number; wall_s: number; events: number; rate_hz: number; mem_mb: number }

/** STDP on the excitatory projections (ee, ei), bounded at twice the CUBA weight. */
const PLASTIC = ['0', '1'].map((i) => `projections.${i}.plasticity={rule: stdp, params: {A_plus: 0.01, A_minus: 0.0105, tau_plus_ms: 16.8, tau_minus_ms: 33.7, w_min: 0, w_max: 3.24}}`);

async function runEngram(N: number, plastic = false): Promise<Row> {
  const ne = Math.round(N * 0.8);
  const sim = await openScenario(path.join(repo, 'scenarios/cuba.yaml'), {
    set: [`populations.exc.size=${ne}`, `populations.inh.size=${N - ne}`, `duration_ms=${duration}`, 'recorders=[]', ...(plastic ? PLASTIC : [])],
  });
  sim.run();
  const s = sim.summary();
  const spikes = s.populations.exc.spikes + s.populations.inh.spikes;
  return { N, synapses: s.synapses, build_s: s.build_s, wall_s: s.wall_s, events: s.events_delivered, rate_hz: spikes / N / (duration / 1000), mem_mb: (process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers) / 2 ** 20 };
}

function peerAvailable(): boolean {
  if (peerMode === 'none') return false;
  const r = spawnSync('/usr/bin/python3', ['-c', 'import brian2'], { encoding: 'utf8' });
  return r.status === 0;
}

function runPeer(script: string, argv: string[]): Record<string, string> | undefined {
  const file = path.join(repo, '..', 'shared', 'peers', script);
  if (!existsSync(file)) return undefined;
  const out = execFileSync('/usr/bin/python3', [file, ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 600_000 });
  const line = out.trim().split('\n').pop() ?? '';
  return Object.fromEntries(line.split(/\s+/).filter((w) => w.includes('=')).map((w) => w.split('=') as [string, string]));
}

const fmt = (x: number, d = 3) => x.toFixed(d);
console.log(`engram CUBA benchmark: ${duration} ms of biological time, connection probability 0.02, node ${process.version}`);
console.log('     N   synapses  build_s  wall_s  wall_s/sim_s  events/s   rate_hz  mem_MB');
const rows: Row[] = [];
for (const N of sizes) {
  const r = await runEngram(N);
  rows.push(r);
  console.log(
    `${String(N).padStart(6)} ${String(r.synapses).padStart(10)} ${fmt(r.build_s).padStart(8)} ${fmt(r.wall_s).padStart(7)} ${fmt(r.wall_s / (duration / 1000)).padStart(13)} ${(r.events / r.wall_s / 1e6).toFixed(2).padStart(7)}M ${fmt(r.rate_hz, 2).padStart(9)} ${fmt(r.mem_mb, 0).padStart(7)}`,
  );
}

{
  // Plastic CUBA: the same network with stdp on the excitatory projections.
  const N = peerN;
  const base = rows.find((r) => r.N === N) ?? (await runEngram(N));
  const plastic = await runEngram(N, true);
  console.log(
    `plastic CUBA (stdp on ee and ei), N = ${N}: ${fmt(plastic.wall_s)} s, rate ${fmt(plastic.rate_hz, 2)} Hz; static ${fmt(base.wall_s)} s; slowdown ${fmt(plastic.wall_s / base.wall_s, 2)}x (target < 2x)`,
  );
}
console.log(`peak RSS ${fmt(process.resourceUsage().maxRSS / 1024, 0)} MB (mem_MB: JS heap + typed arrays after each run)`);

if (!peerAvailable()) {
  console.log('peer: Brian2 not found (apt-get install -y python3-brian cython3, see ../shared/peers/README.md); engram figures only');
} else {
  const ours = rows.find((r) => r.N === peerN) ?? (await runEngram(peerN));
  runPeer('brian2_cuba.py', ['cython', String(duration), String(peerN)]); // first run compiles and caches
  const cython = runPeer('brian2_cuba.py', ['cython', String(duration), String(peerN)]);
  const standalone = runPeer('brian2_cuba_standalone.py', [String(duration), String(peerN)]);
  console.log(`peer (Brian2, N = ${peerN}, same machine, this run):`);
  if (cython) {
    const t = Number(cython.sim_wall_s);
    console.log(`  cython runtime      ${fmt(t)} s   rate ${cython.rate_hz} Hz   engram is ${fmt(t / ours.wall_s, 1)}x faster`);
  }
  if (standalone) {
    const t = Number(standalone.run_time_s);
    console.log(`  cpp_standalone      ${fmt(t)} s   rate ${standalone.rate_hz} Hz   engram takes ${fmt(ours.wall_s / t, 1)}x its run time`);
  }
  console.log(`  engram              ${fmt(ours.wall_s)} s   rate ${fmt(ours.rate_hz, 2)} Hz`);
}
