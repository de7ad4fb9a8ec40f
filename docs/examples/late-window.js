// A custom memory circuit, loaded by path (docs/plugins.md, "Writing a memory circuit").
//
// late-window: an ideal window of the last `window` samples whose signal xi reaches the layer
// `lag` samples late: after sample n it delivers the xi computed after sample n - lag (zeros
// for the first `lag` samples). A study of how stale a working memory may be. With lag 0 it is
// the built-in ideal-window (exact xi, no normalisation, no delay), bit for bit.
//
// Parameters: window (N, >= 2), lag (samples, >= 0), sigma_x, sigma_y, sigma_z, gamma (as the
// built-in memories: the kernel widths and the weight of HSIC(Y, Z)).
import { ContainerModule, MemoryCircuitToken, SignalEmitter, ibSignal, param } from 'engram';

class LateWindow {
  constructor(params, emitter, width) {
    this.p = params;
    this.emitter = emitter;
    this.width = width;
    // The window (as it was when each sample was presented) and the signals on their way.
    this.x = [];
    this.y = [];
    this.z = [];
    this.pending = [];
  }

  present(sample, t) {
    // sample.x: the input features, sample.y: the one-hot label, sample.z: the layer's rates
    // over the presentation (Hz). Copy them: the caller reuses its arrays.
    this.x.push(Float64Array.from(sample.x));
    this.y.push(Float64Array.from(sample.y));
    this.z.push(Float64Array.from(sample.z));
    if (this.x.length > this.p.window) {
      this.x.shift();
      this.y.shift();
      this.z.shift();
    }
    // xi = dL/dz for the newest sample: one value per unit of the layer (width dims.z).
    this.pending.push(ibSignal(this.x, this.y, this.z, this.p));
    const xi = this.pending.length > this.p.lag ? this.pending.shift() : new Float64Array(this.width);
    // Now (t is the end of the presentation); a later time would model a slower memory.
    this.emitter.emit(t, xi);
  }
}

const LateWindowMemory = {
  name: 'late-window',
  description: 'ideal window whose xi arrives lag samples late (docs example)',
  params: [
    param.integer('window', 8, 'capacity N: samples held, the current one included', { min: 2 }),
    param.integer('lag', 1, 'how many samples late xi arrives', { min: 0 }),
    param.number('sigma_x', 0.5, 'kernel width for x', { gt: 0 }),
    param.number('sigma_y', 0.25, 'kernel width for y', { gt: 0 }),
    param.number('sigma_z', 1, 'kernel width for z', { gt: 0 }),
    param.number('gamma', 2, 'weight of HSIC(Y, Z)', { min: 0 }),
  ],
  create: (ctx) => new LateWindow(ctx.params, new SignalEmitter(ctx.channel, ctx.scheduler), ctx.dims.z),
};

export default new ContainerModule(({ bind }) => {
  bind(MemoryCircuitToken).toConstantValue(LateWindowMemory);
});
