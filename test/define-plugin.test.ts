import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { definePlugin, NeuronModelToken, param, type NeuronModelPlugin, type NeuronPopulation } from '../index.js';
import { build } from './helpers.js';

/**
 * definePlugin types a plugin's params from its specs. The type checks below run in `npm test`
 * (tsc before vitest): each @ts-expect-error fails the build if the error it expects goes away,
 * i.e. if params fell back to an untyped record.
 */
const seen: { tau_ms: number; mode: 'fast' | 'slow'; gains: number | number[] }[] = [];

const Typed = definePlugin.neuronModel({
  name: 'typed-probe',
  description: 'records the parameters it is created with',
  params: [
    param.number('tau_ms', 5, 'time constant', { gt: 0 }),
    param.choice('mode', 'fast', 'a choice', ['fast', 'slow']),
    param.numberOrList('gains', 1, 'one gain or one per neuron'),
  ],
  receptors: ['input'],
  state: [],
  check(p) {
    const tau: number = p.tau_ms;
    // @ts-expect-error a misspelt parameter is a compile error
    void p.tau_m;
    // @ts-expect-error a choice is its union of strings, not any string
    const wrong: 'medium' = p.mode;
    void wrong;
    return tau < 100 ? [] : [{ param: 'tau_ms', expected: 'below 100', found: String(tau) }];
  },
  create(ctx): NeuronPopulation {
    seen.push({ tau_ms: ctx.params.tau_ms, mode: ctx.params.mode, gains: ctx.params.gains });
    return {
      size: ctx.size,
      step() {},
      receive() {},
      addCurrent() {},
      read: () => 0,
      update() {},
    };
  },
});

describe('definePlugin', () => {
  it('gives the factory its params typed and resolved, defaults filled in, and the plugin binds as an untyped one', async () => {
    const erased: NeuronModelPlugin = Typed;
    const module = new ContainerModule(({ bind }) => void bind(NeuronModelToken).toConstantValue(erased));
    seen.length = 0;
    await build(
      `
duration_ms: 1
populations:
  a: {model: typed-probe, size: 2, params: {mode: slow, gains: [1, 2]}}
  b: {model: typed-probe, size: 1}
`,
      [module],
    );
    expect(seen).toEqual([
      { tau_ms: 5, mode: 'slow', gains: [1, 2] },
      { tau_ms: 5, mode: 'fast', gains: 1 },
    ]);
    await expect(build('duration_ms: 1\npopulations:\n  a: {model: typed-probe, size: 1, params: {tau_ms: 200}}\n', [module])).rejects.toThrow(
      /populations\.a\.params\.tau_ms: expected below 100, found 200/,
    );
  });
});
