/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../app/report.js';
import { tempDir } from './helpers.js';

/**
 * The HTML report in a real browser: Debian's Chromium, driven by playwright-core. It must load
 * from file:// with no network request and no console error, and draw each figure with the
 * expected number of marks. Without /usr/bin/chromium the test is skipped with a message, but
 * under CI (which installs it in .ci/run) it fails.
 */
const chromium = '/usr/bin/chromium';
const haveBrowser = existsSync(chromium);
if (!haveBrowser && !process.env.CI) console.warn(`report-browser.test.ts: skipped, ${chromium} is not installed (apt install chromium)`);

async function openInBrowser(file: string, screenshot: string) {
  const { chromium: launcher } = await import('playwright-core');
  // launch() starts Chromium headless on a new empty profile (a temporary --user-data-dir of its own).
  const browser = await launcher.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      if (!/^(file|data|blob|about):/.test(r.url())) requests.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
    const ready = await page.evaluate(() => document.body.dataset.ready);
    const marks = await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll<HTMLElement>('.chart')].map((c) => [
          c.dataset.figure,
          {
            symbols: c.querySelectorAll('g.mark-symbol.role-mark path').length,
            rects: c.querySelectorAll('g.mark-rect.role-mark path').length,
            lines: c.querySelectorAll('g.mark-line.role-mark path').length,
            texts: c.querySelectorAll('g.mark-text.role-mark text').length,
          },
        ]),
      ),
    );
    await page.screenshot({ path: screenshot, fullPage: true });
    if (process.env.ENGRAM_KEEP_SCREENSHOTS)
      (await import('node:fs')).copyFileSync(screenshot, path.join(process.env.ENGRAM_KEEP_SCREENSHOTS, path.basename(path.dirname(file)) + '.png'));
    return { ready, requests, errors, marks };
  } finally {
    await browser.close();
  }
}

describe.skipIf(!haveBrowser && !process.env.CI)('engram report in headless Chromium', () => {
  it('a sweep report loads from file:// offline, without console errors, each figure with its marks', async () => {
    expect(existsSync(chromium), `${chromium} is missing: .ci/run installs Debian's chromium`).toBe(true);
    const out = tempDir();
    const d = out.dir;
    const rows: string[] = [];
    let i = 0;
    for (const w of [2, 4, 10])
      for (let s = 0; s < 4; s++) {
        const acc = (s * 7 + w) % 5 === 0 ? 0.45 : 1;
        rows.push(`run-${i},${w},${s},${100 + s},1,${acc},${acc < 0.9 ? '"h1: collapsed"' : ''},1`);
        mkdirSync(`${d}/runs/run-${i}`, { recursive: true });
        writeFileSync(`${d}/runs/run-${i}/summary.json`, JSON.stringify({ scenario: 'xor', training: { classes: 2 } }));
        writeFileSync(`${d}/runs/run-${i}/history.csv`, `epoch,train_accuracy,test_accuracy\n1,0.5,0.5\n2,0.8,${acc}\n`);
        i++;
      }
    writeFileSync(
      `${d}/sweep.csv`,
      `run,training.layers.0.memory.params.window,seed_index,seed,train_accuracy,test_accuracy,stalled,wall_s\n${rows.join('\n')}\n`,
    );
    const file = await writeReport(d);
    const r = await openInBrowser(file, path.join(d, 'report.png'));
    expect(r.ready).toBe('yes');
    expect(r.requests).toEqual([]);
    expect(r.errors).toEqual([]);
    // 12 seeds as points; as rects: 3 means (ticks), 3 x 2 interval end ticks, 3 fraction-learned
    // bars; 3 values x 2 splits as lines.
    expect(r.marks.sweep.symbols).toBe(12);
    expect(r.marks.sweep.rects).toBe(3 + 6 + 3);
    expect(r.marks['sweep-learning'].lines).toBe(6);
    expect(existsSync(path.join(d, 'report.png'))).toBe(true);
    out.done();
  }, 60_000);

  it('a run report: every spike in the raster, the STDP rule weights, the summary and the scenario text', async () => {
    const out = tempDir();
    const d = out.dir;
    execFileSync(process.execPath, [
      path.resolve('dist/cli/engram.js'),
      'run',
      'docs/examples/clipped-hebb.yaml',
      '--out',
      d,
      '--quiet',
      '--set',
      'recorders=[{type: spikes}, {type: weight-trace, params: {interval_ms: 10}}]',
    ]);
    const file = await writeReport(d);
    const spikes = (name: string) =>
      execFileSync('wc', ['-l', path.join(d, 'spikes', `${name}.csv`)], { encoding: 'utf8' })
        .trim()
        .split(' ')[0];
    const r = await openInBrowser(file, path.join(d, 'report.png'));
    expect(r.ready).toBe('yes');
    expect(r.requests).toEqual([]);
    expect(r.errors).toEqual([]);
    const raster = Object.keys(r.marks).find((k) => k.startsWith('raster-post'))!;
    expect(r.marks[raster].rects).toBe(Number(spikes('post')) - 1);
    expect(r.marks['weights-learned'].lines).toBe(1);
    const { readFileSync } = await import('node:fs');
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('id="scenario"');
    expect(html).toContain('clipped-hebb');
    out.done();
  }, 60_000);
});
