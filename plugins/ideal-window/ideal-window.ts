/**
 * ideal-window: a perfect working memory of the last `window` samples (the capacity N). After
 * each sample it emits the exact modulatory signal xi = dL/dz_N of the layer's information
 * bottleneck over the remembered window (paper-notes section 3), or the row-centred
 * approximation, `delay_ms` after the sample. The window holds the activations as they were
 * when each sample was presented (as a real memory would), not recomputed ones.
 */
import type { MemoryCircuit, MemorySample } from '../../core/contracts.js';
import { SignalEmitter } from '../../core/modulators.js';
import { param } from '../../core/params.js';
import { ibSignal, ibSignalRowCentred } from '../../training/hsic/hsic.js';
import { KernelView } from '../../training/hsic/hsic.js';
import { ibTargetParams, type IbTargetParams } from './memory-params.js';
import { definePlugin } from '../../core/define.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

export class IdealWindow implements MemoryCircuit, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'ideal-window/1';

  private readonly x: Float64Array[] = [];
  private readonly y: Float64Array[] = [];
  private readonly z: Float64Array[] = [];
  /** The signal emitted for the last sample (for tests and diagnostics). */
  last: Float64Array = new Float64Array(0);

  constructor(
    private readonly capacity: number,
    private readonly p: IbTargetParams,
    private readonly approximation: 'exact' | 'row-centred',
    private readonly emitter: SignalEmitter,
    private readonly kernelView: KernelView,
  ) {}

  present(sample: MemorySample, t: number): void {
    // With normalize_z the window holds layer-normalised z (so sigma_z is on the scale of
    // |z_hat|^2 = d), and xi is pulled back through the normalisation to the raw rates.
    const view = this.kernelView.view(sample.z);
    this.x.push(Float64Array.from(sample.x));
    this.y.push(Float64Array.from(sample.y));
    this.z.push(view.z);
    if (this.x.length > this.capacity) {
      this.x.shift();
      this.y.shift();
      this.z.shift();
    }
    const signal = this.approximation === 'exact' ? ibSignal : ibSignalRowCentred;
    const xi = signal(this.x, this.y, this.z, this.p);
    this.last = view.back(xi);
    this.emitter.emit(t + this.p.delay_ms, this.last);
  }

  /** The window, the last signal (and where it waits to be emitted), the kernel scale and the emitter's queue. */
  saveState(): unknown {
    return { ...saveFields(this, IdealWindow.stateFields), lastQueued: this.emitter.indexOf(this.last) };
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, IdealWindow.stateFields, 'IdealWindow');
    const i = (state as { lastQueued: number }).lastQueued;
    if (i >= 0) this.emitter.requeue(i, this.last);
  }

  private static readonly stateFields = ['x', 'y', 'z', 'last', 'kernelView', 'emitter'];
}

export const IdealWindowMemory = definePlugin.memoryCircuit({
  name: 'ideal-window',
  description: 'perfect recall of the last N samples; emits the exact IB signal xi (or its row-centred approximation)',
  params: [
    param.integer('window', 8, 'capacity N: how many samples (including the current one) the memory holds', { min: 2 }),
    ...ibTargetParams,
    param.choice('approximation', 'exact', 'exact xi, or the row-centred approximation', ['exact', 'row-centred']),
  ] as const,
  create(ctx) {
    const p = ctx.params;
    return new IdealWindow(p.window, p, p.approximation, new SignalEmitter(ctx.channel, ctx.scheduler), new KernelView(ctx.dims.z, p));
  },
});
