/**
 * Exact times on the resolution grid.
 *
 * Event times are float milliseconds. Times on the neuron grid are k * resolution_ms (the
 * grid clock's own formula), and a sum such as t_spike + delay of two grid values must land
 * on the same double whatever order or rounding produced it: whether a pre and a post spike
 * coincide at a synapse must never depend on floating-point rounding (12.3 + 1.2 and
 * 13.4 + 0.1 are both 13.5 here). So every time the engine computes by adding a delay is
 * passed through `snap`: a result within rounding of grid time k becomes exactly
 * k * resolution_ms; anything else (a precise spike time off the grid, a delay that is not
 * a multiple of the resolution) is left as it is.
 *
 * This is NEST's "steps plus offset" representation read the other way round: a time on the
 * grid has offset exactly 0 and one canonical value; an off-grid time keeps its exact float
 * offset. The tolerance, 1e-9 of a step plus 4 ulps of t, is far above the rounding error of a
 * sum (a few ulps) and far below anything a model resolves (precise spike times are exact to
 * about 1e-12 ms relative to the step, and their tests ask 1e-6 ms).
 */
export class TimeGrid {
  private readonly tolerance: number;

  constructor(readonly resolution_ms: number) {
    this.tolerance = resolution_ms * 1e-9;
  }

  /** The grid time k * resolution_ms that t stands for, or t itself when it is off the grid. */
  snap(t: number): number {
    const res = this.resolution_ms;
    const g = Math.round(t / res) * res;
    const d = t - g;
    return (d < 0 ? -d : d) <= this.tolerance + (t < 0 ? -t : t) * 8.9e-16 ? g : t;
  }

  /** t + d, exactly on the grid when both are on it. */
  add(t: number, d: number): number {
    return this.snap(t + d);
  }
}
