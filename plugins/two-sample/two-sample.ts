/**
 * two-sample: the pHSIC baseline of Pogodin & Latham (2020). The memory holds only the
 * previous sample and emits dL2/dz for L2 = HSIC2(Z, Z) - gamma HSIC2(Y, Z) over the previous
 * and the current sample (training/hsic/hsic.ts). The first sample gets a zero signal.
 */
import type { MemoryCircuit, MemorySample } from '../../core/contracts.js';
import { pHsicTwoSampleSignal } from '../../training/hsic/hsic.js';
import { KernelView } from '../../training/hsic/hsic.js';
import { ibTargetParams, type IbTargetParams } from '../ideal-window/memory-params.js';
import { definePlugin } from '../../core/define.js';
import { SignalEmitter } from '../../core/modulators.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

export class TwoSample implements MemoryCircuit, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'two-sample/1';

  private prevY: Float64Array | undefined;
  private prevZ: Float64Array | undefined;
  last: Float64Array = new Float64Array(0);

  constructor(
    private readonly p: IbTargetParams,
    private readonly emitter: SignalEmitter,
    private readonly kernelView: KernelView,
  ) {}

  present(sample: MemorySample, t: number): void {
    const y = Float64Array.from(sample.y);
    const view = this.kernelView.view(sample.z);
    const z = view.z;
    this.last = this.prevY && this.prevZ ? view.back(pHsicTwoSampleSignal(this.prevY, y, this.prevZ, z, this.p)) : new Float64Array(z.length);
    this.prevY = y;
    this.prevZ = z;
    this.emitter.emit(t + this.p.delay_ms, this.last);
  }

  /** The window, the last signal (and where it waits to be emitted), the kernel scale and the emitter's queue. */
  saveState(): unknown {
    return { ...saveFields(this, TwoSample.stateFields), lastQueued: this.emitter.indexOf(this.last) };
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, TwoSample.stateFields, 'TwoSample');
    const i = (state as { lastQueued: number }).lastQueued;
    if (i >= 0) this.emitter.requeue(i, this.last);
  }

  private static readonly stateFields = ['prevY', 'prevZ', 'last', 'kernelView', 'emitter'];
}

export const TwoSampleMemory = definePlugin.memoryCircuit({
  name: 'two-sample',
  description: 'pHSIC baseline (Pogodin & Latham 2020): the signal from the previous and the current sample only',
  // sigma_x is unused by the two-point objective (it compares Z with itself) but kept so the
  // two memories take the same parameters.
  params: ibTargetParams,
  create(ctx) {
    const p = ctx.params;
    return new TwoSample(p, new SignalEmitter(ctx.channel, ctx.scheduler), new KernelView(ctx.dims.z, p));
  },
});
