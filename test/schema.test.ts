/**
 * The editor schema (engram schema, app/schema.ts): every shipped scenario passes it under a
 * standard validator (ajv), broken ones fail at the right place, the committed
 * docs/scenario.schema.json is the one the code generates, and every shipped scenario names it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createEngramRegistry, scenarioFileRegistry, scenarioJsonSchema } from '../index.js';

const scenarios = readdirSync('scenarios')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => path.join('scenarios', f));

async function validator(registry?: Awaited<ReturnType<typeof createEngramRegistry>>) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(scenarioJsonSchema(registry ?? (await createEngramRegistry())));
}

describe('scenario JSON Schema', () => {
  it('docs/scenario.schema.json is what engram schema generates', async () => {
    const committed = JSON.parse(readFileSync('docs/scenario.schema.json', 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema(await createEngramRegistry()))));
  });

  it(`every shipped scenario (${scenarios.length}) passes it under ajv, and names it for YAML editors`, async () => {
    const validate = await validator();
    const failures: string[] = [];
    for (const file of scenarios) {
      const text = readFileSync(file, 'utf8');
      if (!text.startsWith('# yaml-language-server: $schema=../docs/scenario.schema.json\n')) failures.push(`${file}: no yaml-language-server line`);
      if (!validate(parse(text))) failures.push(`${file}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
    expect(failures).toEqual([]);
  });

  it("a scenario's own plugins are in the schema generated for it", async () => {
    const validate = await validator(await scenarioFileRegistry('docs/examples/perfect-if.yaml'));
    expect(validate(parse(readFileSync('docs/examples/perfect-if.yaml', 'utf8')))).toBe(true);
    const builtIn = await validator();
    expect(builtIn(parse(readFileSync('docs/examples/perfect-if.yaml', 'utf8')))).toBe(false);
  });

  it('refuses broken scenarios where engram validate would: unknown fields, parameters and plugins, wrong types', async () => {
    const validate = await validator();
    const errorsOf = (yaml: string) => (validate(parse(yaml)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
    expect(errorsOf('duration_ms: 10\npopulations:\n  a: {model: lif, size: 2}\n')).toEqual([]);
    expect(errorsOf('duraton_ms: 10\n')).toContain(' must NOT have additional properties');
    expect(errorsOf('populations:\n  a: {model: lif, size: 2, params: {tau_m: 3}}\n')).toContain('/populations/a/params must NOT have additional properties');
    expect(errorsOf('populations:\n  a: {model: lif, size: 2, params: {tau_m_ms: fast}}\n')).toContain('/populations/a/params/tau_m_ms must be number');
    expect(errorsOf('populations:\n  a: {model: lfi, size: 2}\n')).toContain('/populations/a/model must be equal to one of the allowed values');
    expect(errorsOf('populations:\n  a: {model: lif, size: two}\n')).toContain('/populations/a/size must be number');
    expect(
      errorsOf(
        'populations:\n  a: {model: lif, size: 2}\nprojections:\n  - {from: a, to: a, connector: {type: all_to_all}, weight: 1, plasticity: {rule: stdp, params: {eta: 1}}}\n',
      ),
    ).toContain('/projections/0/plasticity/params must NOT have additional properties');
  });
});
