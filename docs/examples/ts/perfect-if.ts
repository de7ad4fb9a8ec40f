// A custom neuron model in TypeScript (docs/plugins.md): the perfect-if example with types.
//
// Perfect (non-leaky) integrate-and-fire neuron with instantaneous synapses:
//   C dv/dt = I_ext            a spike of weight w (mV) makes v += w at once
//   v >= v_th: spike, v -= (v_th - v_reset)   (reset by subtraction keeps the excess)
// Between events v is linear in time, so the threshold crossing time is exact.
import { ContainerModule, definePlugin, NeuronModelToken, type NeuronPopulation, type ParamsOf, param, type SpikeSink } from 'engram';

const specs = [
  param.number('C_nF', 0.25, 'membrane capacitance', { gt: 0 }),
  param.number('v_th_mV', -50, 'threshold'),
  param.number('v_reset_mV', -60, 'reset (by subtraction of v_th - v_reset)'),
  param.number('I_e_nA', 0, 'constant input current'),
] as const;
type Params = ParamsOf<typeof specs>;

class PerfectIfPopulation implements NeuronPopulation {
  readonly v: Float64Array;
  readonly iext: Float64Array;
  readonly tLast: Float64Array;

  constructor(
    readonly size: number,
    private readonly p: Params,
    init: ReadonlyMap<string, Float64Array>,
    private readonly sink: SpikeSink,
  ) {
    this.v = init.get('v_mV')?.slice() ?? new Float64Array(size).fill(p.v_reset_mV);
    this.iext = new Float64Array(size).fill(p.I_e_nA);
    this.tLast = new Float64Array(size);
  }

  /** Brings neuron j to time t, emitting every threshold crossing on the way. */
  private advance(j: number, t: number): void {
    const { v_th_mV: th, v_reset_mV: reset, C_nF: C } = this.p;
    const slope = this.iext[j] / C; // mV per ms (nA / nF)
    let t0 = this.tLast[j];
    while (slope > 0 && this.v[j] + slope * (t - t0) >= th) {
      const tc = t0 + (th - this.v[j]) / slope;
      this.v[j] = reset;
      t0 = tc;
      this.tLast[j] = tc;
      this.sink.spike(j, tc);
    }
    this.v[j] += slope * (t - t0);
    this.tLast[j] = t;
  }

  step(t: number): void {
    for (let j = 0; j < this.size; j++) this.advance(j, t);
  }

  receive(t: number, targets: Int32Array, weights: Float64Array, start: number, end: number): void {
    for (let k = start; k < end; k++) {
      const j = targets[k];
      this.advance(j, t);
      this.v[j] += weights[k];
      if (this.v[j] >= this.p.v_th_mV) {
        this.v[j] -= this.p.v_th_mV - this.p.v_reset_mV;
        this.sink.spike(j, t);
      }
    }
  }

  update(j: number, t: number): void {
    if (this.tLast[j] < t) this.advance(j, t);
  }

  addCurrent(j: number, t: number, delta: number): void {
    this.advance(j, t);
    this.iext[j] += delta;
  }

  read(_variable: number, j: number, t: number): number {
    return this.v[j] + (this.iext[j] / this.p.C_nF) * (t - this.tLast[j]);
  }
}

const PerfectIf = definePlugin.neuronModel({
  name: 'perfect-if',
  description: 'perfect integrate-and-fire, instantaneous synapses (docs example)',
  params: specs,
  receptors: ['syn'],
  state: [{ name: 'v_mV', description: 'membrane potential' }],
  check: (p) => (p.v_reset_mV < p.v_th_mV ? [] : [{ param: 'v_reset_mV', expected: 'a reset below v_th_mV', found: String(p.v_reset_mV) }]),
  create: (ctx) => new PerfectIfPopulation(ctx.size, ctx.params, ctx.init, ctx.sink),
});

export default new ContainerModule(({ bind }) => {
  bind(NeuronModelToken).toConstantValue(PerfectIf);
});
