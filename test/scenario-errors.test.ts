import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../core/errors.js';
import { parseScenario } from '../scenario/load.js';
import { build } from './helpers.js';

/** The diagnostics a scenario produces, as "line:col path" plus the message. */
async function problems(yaml: string, set: string[] = []): Promise<string[]> {
  try {
    await build(yaml, [], set);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.diagnostics.map(
      (d) => `${d.location.line ?? '-'}:${d.location.column ?? '-'} ${d.path}: expected ${d.expected}${d.found ? `, found ${d.found}` : ''}`,
    );
  }
  throw new Error('scenario was accepted');
}

const good = `duration_ms: 10
populations:
  a: {model: lif, size: 2}
`;

describe('scenario errors', () => {
  it('accepts a minimal scenario and fills defaults', () => {
    const { scenario } = parseScenario(good, 'x.yaml');
    expect(scenario).toMatchObject({ seed: 1, resolution_ms: 0.1, inputs: {}, projections: [], recorders: [] });
  });

  it('point at the line and column of the offending value', async () => {
    expect(
      await problems(`duration_ms: 10
populations:
  a:
    model: lif
    size: 2.5
`),
    ).toEqual(['5:11 populations.a.size: expected the number of neurons (an integer from 1 to 2^31-1), found 2.5']);
  });

  it('list the known names for an unknown plugin', async () => {
    const [msg] = await problems(good.replace('model: lif', 'model: hh'));
    expect(msg).toBe('3:14 populations.a.model: expected a neuron model: leaky-rate, lif, parrot, found unknown model "hh"');
  });

  it('name unknown fields and the allowed ones', async () => {
    expect(await problems(`${good}durration_ms: 5\n`)).toEqual([
      '4:1 durration_ms: expected one of the fields name, description, seed, duration_ms, resolution_ms, plugins, populations, inputs, projections, modulators, recorders, training, memory_experiment, guards, found unknown field "durration_ms" (did you mean duration_ms?)',
    ]);
    const [param] = await problems(good.replace('size: 2}', 'size: 2, params: {tau_m: 5}}'));
    expect(param).toMatch(
      /^3:37 populations\.a\.params\.tau_m: expected a parameter of neuron model lif: tau_m_ms, R_m_MOhm, .*found unknown parameter "tau_m" \(did you mean tau_m_ms\?\)$/,
    );
  });

  it('report every problem at once, including references between sections', async () => {
    const msgs = await problems(`duration_ms: 10
populations:
  a: {model: lif, size: 2, params: {tau_m_ms: -1, v_reset_mV: -50, v_th_mV: -55}}
projections:
  - {from: b, to: a, connector: {type: one_to_one}, weight: 1}
  - {from: a, to: a, connector: {type: one_to_one}, weight: 1, receptor: gaba}
  - {from: a, to: a, connector: {type: all_to_all}, weight: 1, delay_ms: 0.05}
  - {from: a, to: a, connector: {type: all_to_all}, weight: 1, delay_ms: {dist: normal, mean: 1, sd: 1}}
  - {from: a, to: a, connector: {type: all_to_all}, weight: [1, 2]}
inputs:
  i: {type: current, size: 3}
`);
    expect(msgs).toEqual([
      '3:47 populations.a.params.tau_m_ms: expected a number > 0, found -1',
      '11:28 inputs.i.size: expected no size: current drives neurons of its target, found 3',
      '11:6 inputs.i: expected a target population for current input, found no target',
      '5:12 projections.0.from: expected a population or spike input: a, found "b"',
      '6:74 projections.1.receptor: expected a receptor of lif: exc, inh, found "gaba"',
      '7:74 projections.2.delay_ms: expected delay_ms + dendritic_delay_ms >= resolution_ms (0.1 ms): spikes are detected up to one step after they happen, found a smallest delay of 0.05 ms',
      '8:74 projections.3.delay_ms: expected axonal delays >= 0 ms (give a normal distribution a low bound), found -Infinity',
      '9:61 projections.4.weight: expected a number or a distribution (lists go with connector type list), found a list of 2',
    ]);
  });

  it('check model-specific parameter combinations', async () => {
    expect(await problems(good.replace('size: 2}', 'size: 2, params: {v_reset_mV: -50, v_th_mV: -55}}'))).toEqual([
      '3:49 populations.a.params.v_reset_mV: expected a reset below v_th_mV (-55), found -50',
    ]);
  });

  it('locate YAML syntax errors', async () => {
    expect(await problems('duration_ms: 10\npopulations:\n  a: {model: lif, size: 2\n')).toEqual([
      '4:1 : expected valid YAML or JSON, found Flow map in block collection must be sufficiently indented and end with a }',
    ]);
    expect(await problems('duration_ms: 10\nduration_ms: 10\n')).toEqual(['2:1 : expected valid YAML or JSON, found Map keys must be unique']);
  });

  it('attribute --set values to the option that gave them', async () => {
    const [msg] = await problems(good, ['populations.a.size=-3']);
    expect(msg).toBe('-:- populations.a.size: expected the number of neurons (an integer from 1 to 2^31-1), found -3');
    const sim = await build(good, [], ['duration_ms=20', 'populations.a.params={I_e_nA: 1}']);
    expect(sim.t_stop_ms).toBe(20);
  });

  it('refuse --set paths and names that would reach a prototype, leaving Object.prototype untouched', async () => {
    const polluted = () => (Object.prototype as Record<string, unknown>).polluted;
    expect(await problems(good, ['__proto__.polluted=1'])).toEqual([
      '-:- __proto__.polluted: expected a path into the scenario\'s mappings and lists, found "__proto__", which names no field (it would reach the prototype of the scenario)',
    ]);
    expect(await problems(good, ['populations.a.constructor.prototype.polluted=1'])).toEqual([
      '-:- populations.a.constructor.prototype.polluted: expected a path into the scenario\'s mappings and lists, found "constructor", which names no field (it would reach the prototype of populations.a)',
    ]);
    expect(polluted()).toBeUndefined();
    // A list takes indices up to its length; a mapping takes names; no empty names.
    expect(await problems(`${good}projections: []\n`, ['projections.5.weight=1'])).toEqual([
      "-:- projections.5.weight: expected a path into the scenario's mappings and lists, found index 5 is past the end of projections, which has 0 entries; index 0 appends one",
    ]);
    expect((await problems(good, ['populations.0.size=5']))[0]).toMatch(/found populations is a mapping: 0 is an index, not a name/);
    expect((await problems(good, ['populations..size=5']))[0]).toMatch(/found an empty field name after populations/);
    // In the file: a key or a name that would reach a prototype is refused at its line.
    expect(await problems(`${good}  constructor: {model: lif, size: 1}\n`)).toEqual([
      '4:3 populations.constructor: expected a field name other than __proto__, constructor and prototype, found "constructor"',
    ]);
    expect(await problems(`${good}projections:\n  - {from: a, to: toString, connector: {type: all_to_all}, weight: 1}\n`)).toEqual([
      '5:19 projections.0.to: expected a population: a, found "toString"',
    ]);
    expect(polluted()).toBeUndefined();
  });

  it('reads a file that starts with a byte-order mark, YAML or JSON', () => {
    expect(parseScenario(`\ufeff${good}`, 'bom.yaml').scenario.populations.a.size).toBe(2);
    expect(parseScenario('\ufeff{"duration_ms": 10, "populations": {"a": {"model": "lif", "size": 3}}}', 'bom.json').scenario.populations.a.size).toBe(3);
  });

  it('require the duration to be a whole number of steps', async () => {
    expect(await problems(good.replace('duration_ms: 10', 'duration_ms: 10.05'))).toEqual([
      '1:14 duration_ms: expected a whole number of resolution steps (resolution_ms = 0.1), found 10.05',
    ]);
  });

  it('reads JSON scenarios too, with positions', async () => {
    expect(await problems('{"duration_ms": 10,\n "populations": {"a": {"model": "lif", "size": 0}}}')).toEqual([
      '2:48 populations.a.size: expected the number of neurons (an integer from 1 to 2^31-1), found 0',
    ]);
  });
});
