/**
 * `engram report <dir>`: one self-contained HTML file (<dir>/report.html) for a run or a
 * sweep: every figure of `engram plot`, interactive through vega-embed (hover for values,
 * drag and wheel to zoom the time axes), the summary table, the scenario text and, for a
 * sweep, the table of its runs with their stall flags. vega, vega-lite and vega-embed are
 * inlined, so the page opens from file:// with no network.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { readJsonFile } from '../core/json.js';
import { writeFileAtomicSync } from '../core/output.js';
import { collectFigures, gridDescriptions } from './plot.js';

const require = createRequire(import.meta.url);

/** The browser builds of vega, vega-lite and vega-embed (UMD: globals vega, vegaLite, vegaEmbed). */
function libraries(): string[] {
  // A package's folder from its main entry (their exports do not expose package.json).
  const file = (pkg: string, rel: string) => {
    let d = path.dirname(require.resolve(pkg));
    while (!existsSync(path.join(d, 'package.json'))) d = path.dirname(d);
    return path.join(d, rel);
  };
  return [file('vega', 'build/vega.min.js'), file('vega-lite', 'build/vega-lite.min.js'), file('vega-embed', 'build/vega-embed.min.js')].map((f) =>
    readFileSync(f, 'utf8'),
  );
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Text safe inside a <script> element. */
const scriptSafe = (s: string) => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const fmt = (v: unknown) =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString()) : v === null || v === undefined ? '' : String(v);

/** The key figures of a run's summary.json as rows. */
function summaryRows(summary: Record<string, unknown>): string[][] {
  const rows: string[][] = [];
  for (const k of ['scenario', 'seed', 'status', 't_stop_ms', 'resolution_ms', 'wall_s', 'build_s', 'synapses', 'events_delivered'])
    if (k in summary) rows.push([k, fmt(summary[k])]);
  const training = summary.training as Record<string, unknown> | undefined;
  if (training)
    for (const k of ['dataset', 'classes', 'epochs', 'train_accuracy', 'test_accuracy']) if (k in training) rows.push([`training.${k}`, fmt(training[k])]);
  const stalled = (training?.stalled as { where: string; reason: string }[] | undefined) ?? [];
  if (training) rows.push(['training.stalled', stalled.map((s) => `${s.where}: ${s.reason}`).join('; ') || 'none']);
  for (const [group, key] of [
    ['populations', 'model'],
    ['inputs', 'type'],
  ] as const) {
    const g = (summary[group] ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, p] of Object.entries(g))
      rows.push([`${group}.${name}`, `${fmt(p[key])}, ${fmt(p.size)} neurons, ${fmt(p.spikes)} spikes, ${fmt(p.rate_hz)} Hz`]);
  }
  return rows;
}

/** Writes <dir>/report.html; returns its path. */
export async function writeReport(dir: string): Promise<string> {
  const figures = collectFigures(dir, await gridDescriptions(dir));
  const summaryFile = path.join(dir, 'summary.json');
  const summary = existsSync(summaryFile) ? (readJsonFile(summaryFile, "a run's summary") as Record<string, unknown>) : {};
  const sweepCsv = path.join(dir, 'sweep.csv');
  const sweepJson = path.join(dir, 'sweep.json');
  let scenarioText: string | undefined;
  let scenarioFrom = '';
  if (existsSync(path.join(dir, 'scenario.yaml'))) {
    scenarioText = readFileSync(path.join(dir, 'scenario.yaml'), 'utf8');
    scenarioFrom = 'scenario.yaml';
  } else if (existsSync(sweepJson)) {
    const m = readJsonFile(sweepJson, 'a sweep manifest') as { scenario?: string; grid?: [string, string[]][]; seeds?: number; set?: string[] };
    if (typeof m.scenario === 'string' && existsSync(m.scenario)) {
      scenarioText = readFileSync(m.scenario, 'utf8');
      scenarioFrom = `${m.scenario} (as it is now), swept over ${(m.grid ?? []).map(([k, v]) => `${k} = ${v.join(', ')}`).join('; ')}, ${m.seeds} seeds${m.set?.length ? `, --set ${m.set.join(' --set ')}` : ''}`;
    }
  }
  let title = typeof summary.scenario === 'string' ? summary.scenario : path.basename(path.resolve(dir));
  if (existsSync(sweepCsv) && typeof summary.scenario !== 'string') {
    // A sweep: its scenario's name, from the first finished run.
    const first = readFileSync(sweepCsv, 'utf8').split('\n')[1]?.split(',')[0];
    const s = first ? path.join(dir, 'runs', first, 'summary.json') : '';
    if (s && existsSync(s)) {
      const run = readJsonFile(s, "a run's summary") as { scenario?: unknown };
      if (typeof run.scenario === 'string') title = `sweep of ${run.scenario}`;
    }
  }
  const sections: string[] = [];
  if (Object.keys(summary).length) sections.push(`<section id="summary"><h2>Summary</h2>${table(['', ''], summaryRows(summary))}</section>`);
  if (existsSync(sweepCsv)) {
    const lines = readFileSync(sweepCsv, 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const rows = lines
      .slice(1)
      .map((l) =>
        (l.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []).slice(0, header.length).map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"')),
      );
    sections.push(`<section id="runs"><h2>Runs</h2>${table(header, rows)}</section>`);
  }
  figures.forEach((f, i) =>
    sections.push(
      `<section class="figure" id="figure-${esc(f.name)}"><h2>${esc(f.name)}</h2><div class="chart" id="chart-${i}" data-figure="${esc(f.name)}"></div></section>`,
    ),
  );
  if (scenarioText !== undefined)
    sections.push(`<section id="scenario"><h2>Scenario</h2><p class="from">${esc(scenarioFrom)}</p><pre>${esc(scenarioText)}</pre></section>`);
  const specs = Object.fromEntries(figures.map((f, i) => [`chart-${i}`, f.spec]));
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>engram report: ${esc(title)}</title>
<style>
body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
pre { background: #f6f6f6; padding: 12px; overflow-x: auto; font-size: 12px; } .from { color: #666; font-size: 12px; }
</style>
${libraries()
  .map((js) => `<script>${scriptSafe(js)}</script>`)
  .join('\n')}
</head>
<body>
<h1>engram report: ${esc(title)}</h1>
${sections.join('\n')}
<script>
const specs = ${scriptSafe(JSON.stringify(specs))};
window.engramViews = {};
Promise.all(Object.entries(specs).map(([id, spec]) => vegaEmbed('#' + id, spec, { renderer: 'svg', actions: false }).then((r) => { window.engramViews[id] = r.view; })))
  .then(() => { document.body.dataset.ready = 'yes'; })
  .catch((e) => { document.body.dataset.ready = 'error'; console.error(e); });
</script>
</body>
</html>
`;
  const file = path.join(dir, 'report.html');
  writeFileAtomicSync(file, html);
  return file;
}
