import { restoreFields, saveFields, type ExplicitState } from './checkpoint.js';

/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna), 32-bit words so it runs
 * on plain JS integers without BigInt.
 *
 * Every component gets its own stream, derived from the scenario seed and a stable name
 * (e.g. "projection/ee/connect"), so adding a recorder or changing one projection's delay
 * distribution does not change the random numbers any other component sees.
 */
export class Rng implements ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'rng/1';

  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal = NaN;

  /** Streams are normally made with {@link Rng.derive}; this seeds from four 32-bit words. */
  constructor(a: number, b: number, c: number, d: number) {
    this.s0 = a >>> 0;
    this.s1 = b >>> 0;
    this.s2 = c >>> 0;
    this.s3 = d >>> 0;
    // An all-zero state would stay zero forever.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 0x9e3779b9;
  }

  /** The full state (for checkpoints): restore it with {@link Rng.fromState}. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spareNormal];
  }

  static fromState(state: readonly number[]): Rng {
    const r = new Rng(state[0], state[1], state[2], state[3]);
    r.spareNormal = state[4] ?? NaN;
    return r;
  }

  /** The stream named `name` of the scenario seed `seed` (an integer 0 <= seed < 2^53). */
  static derive(seed: number, name: string): Rng {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    // FNV-1a over the name's UTF-16 code units, then splitmix32 to spread the state.
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) {
      h ^= name.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    let x = (lo ^ Math.imul(hi, 0x85ebca6b) ^ Math.imul(h, 0xc2b2ae35)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    next();
    x ^= h;
    return new Rng(next(), next(), next(), next());
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Uniform integer in [0, n) for 0 < n <= 2^32, without modulo bias. */
  int(n: number): number {
    if (n <= 0) throw new RangeError(`int(n) needs n > 0, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let r: number;
    do r = this.nextU32();
    while (r >= limit);
    return r % n;
  }

  /** Standard normal deviate (Marsaglia polar method; the second deviate is kept). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const s = this.spareNormal;
      this.spareNormal = NaN;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.random() - 1;
      v = 2 * this.random() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** Exponential deviate with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    return -Math.log(1 - this.random()) / rate;
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, Rng.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, Rng.stateFields, 'Rng');
  }

  private static readonly stateFields = ['s0', 's1', 's2', 's3', 'spareNormal'];
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
