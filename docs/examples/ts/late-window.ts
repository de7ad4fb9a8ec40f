// A custom memory circuit in TypeScript (docs/plugins.md, "Writing a memory circuit"): the
// late-window example with types. An ideal window of the last `window` samples whose signal
// xi reaches the layer `lag` samples late; with lag 0 it is the built-in ideal-window.
import { ContainerModule, definePlugin, ibSignal, type MemoryCircuit, MemoryCircuitToken, type MemorySample, type ParamsOf, param, SignalEmitter } from 'engram';

const specs = [
  param.integer('window', 8, 'capacity N: samples held, the current one included', { min: 2 }),
  param.integer('lag', 1, 'how many samples late xi arrives', { min: 0 }),
  param.number('sigma_x', 0.5, 'kernel width for x', { gt: 0 }),
  param.number('sigma_y', 0.25, 'kernel width for y', { gt: 0 }),
  param.number('sigma_z', 1, 'kernel width for z', { gt: 0 }),
  param.number('gamma', 2, 'weight of HSIC(Y, Z)', { min: 0 }),
] as const;
type Params = ParamsOf<typeof specs>;

class LateWindow implements MemoryCircuit {
  private readonly x: Float64Array[] = [];
  private readonly y: Float64Array[] = [];
  private readonly z: Float64Array[] = [];
  private readonly pending: Float64Array[] = [];

  constructor(
    private readonly p: Params,
    private readonly emitter: SignalEmitter,
    private readonly width: number,
  ) {}

  present(sample: MemorySample, t: number): void {
    // Copies: the caller reuses its arrays.
    this.x.push(Float64Array.from(sample.x));
    this.y.push(Float64Array.from(sample.y));
    this.z.push(Float64Array.from(sample.z));
    if (this.x.length > this.p.window) {
      this.x.shift();
      this.y.shift();
      this.z.shift();
    }
    this.pending.push(ibSignal(this.x, this.y, this.z, this.p));
    const xi = this.pending.length > this.p.lag ? this.pending.shift()! : new Float64Array(this.width);
    this.emitter.emit(t, xi);
  }
}

const LateWindowMemory = definePlugin.memoryCircuit({
  name: 'late-window',
  description: 'ideal window whose xi arrives lag samples late (docs example)',
  params: specs,
  create: (ctx) => new LateWindow(ctx.params, new SignalEmitter(ctx.channel, ctx.scheduler), ctx.dims.z),
});

export default new ContainerModule(({ bind }) => {
  bind(MemoryCircuitToken).toConstantValue(LateWindowMemory);
});
