/**
 * A small SVG chart writer: line charts, scatter (rasters) and heat maps with axes, ticks,
 * labels and a legend. Plain strings, no browser, no dependencies; the same data gives the
 * same bytes.
 */

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

const W = 640;
const H = 400;
const M = { left: 64, right: 130, top: 36, bottom: 52 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => (Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString());

/** About n round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

function range(values: number[], pad = 0.04): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    lo -= lo === 0 ? 1 : Math.abs(lo) * 0.1;
    hi += hi === 0 ? 1 : Math.abs(hi) * 0.1;
  }
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

function frame(title: string, xLabel: string, yLabel: string, xr: [number, number], yr: [number, number], body: string, legend: string[] = []): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (v: number) => M.left + ((v - xr[0]) / (xr[1] - xr[0])) * pw;
  const sy = (v: number) => M.top + ph - ((v - yr[0]) / (yr[1] - yr[0])) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
  ];
  for (const t of ticks(xr[0], xr[1]))
    if (t >= xr[0] && t <= xr[1])
      parts.push(
        `<line x1="${sx(t).toFixed(1)}" y1="${M.top + ph}" x2="${sx(t).toFixed(1)}" y2="${M.top + ph + 5}" stroke="#333"/><text x="${sx(t).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle">${num(t)}</text>`,
      );
  for (const t of ticks(yr[0], yr[1]))
    if (t >= yr[0] && t <= yr[1])
      parts.push(
        `<line x1="${M.left - 5}" y1="${sy(t).toFixed(1)}" x2="${M.left}" y2="${sy(t).toFixed(1)}" stroke="#333"/><text x="${M.left - 8}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${num(t)}</text>`,
      );
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  parts.push(body);
  legend.forEach((name, i) =>
    parts.push(
      `<rect x="${W - M.right + 12}" y="${M.top + 4 + i * 18}" width="12" height="3" fill="${COLORS[i % COLORS.length]}"/><text x="${W - M.right + 30}" y="${M.top + 9 + i * 18}">${esc(name)}</text>`,
    ),
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function scales(xr: [number, number], yr: [number, number]) {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  return { sx: (v: number) => M.left + ((v - xr[0]) / (xr[1] - xr[0])) * pw, sy: (v: number) => M.top + ph - ((v - yr[0]) / (yr[1] - yr[0])) * ph };
}

export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[], opts: { y?: [number, number]; markers?: boolean } = {}): string {
  const xr = range(
    series.flatMap((s) => Array.from(s.x)),
    0.02,
  );
  const yr = opts.y ?? range(series.flatMap((s) => Array.from(s.y)));
  const { sx, sy } = scales(xr, yr);
  const body = series
    .map((s, i) => {
      const c = COLORS[i % COLORS.length];
      const pts = Array.from(s.x, (x, k) => [x, s.y[k]]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
      const path = pts.map(([x, y], k) => `${k ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
      const marks = opts.markers ? pts.map(([x, y]) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${c}"/>`).join('') : '';
      return `<path d="${path}" fill="none" stroke="${c}" stroke-width="1.5"/>${marks}`;
    })
    .join('\n');
  return frame(title, xLabel, yLabel, xr, yr, body, series.length > 1 ? series.map((s) => s.name) : []);
}

export function raster(title: string, t: ArrayLike<number>, neuron: ArrayLike<number>, tMax: number, nNeurons: number): string {
  const xr: [number, number] = [0, Math.max(tMax, 1e-9)];
  const yr: [number, number] = [-0.5, Math.max(nNeurons, 1) - 0.5];
  const { sx, sy } = scales(xr, yr);
  const dots: string[] = [];
  for (let k = 0; k < t.length; k++) dots.push(`M${sx(t[k]).toFixed(1)},${sy(neuron[k]).toFixed(1)}h1`);
  return frame(title, 'time (ms)', 'neuron', xr, yr, `<path d="${dots.join('')}" stroke="#111" stroke-width="1.5" stroke-linecap="round"/>`);
}

/** Cells coloured from low (light) to high (dark blue), each labelled with its value. */
export function heatMap(
  title: string,
  xLabel: string,
  yLabel: string,
  xs: string[],
  ys: string[],
  value: (x: string, y: string) => number | undefined,
): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const vals = xs.flatMap((x) => ys.map((y) => value(x, y))).filter((v): v is number => v !== undefined && Number.isFinite(v));
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  const cw = pw / xs.length;
  const ch = ph / ys.length;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  ys.forEach((y, j) => {
    xs.forEach((x, i) => {
      const v = value(x, y);
      const f = v === undefined || !Number.isFinite(v) ? -1 : hi > lo ? (v - lo) / (hi - lo) : 0.5;
      const fill = f < 0 ? '#eee' : `rgb(${Math.round(230 - 200 * f)},${Math.round(240 - 160 * f)},${Math.round(255 - 100 * f)})`;
      const cx = M.left + i * cw;
      const cy = M.top + (ys.length - 1 - j) * ch;
      parts.push(`<rect x="${cx.toFixed(1)}" y="${cy.toFixed(1)}" width="${cw.toFixed(1)}" height="${ch.toFixed(1)}" fill="${fill}" stroke="white"/>`);
      if (v !== undefined)
        parts.push(
          `<text x="${(cx + cw / 2).toFixed(1)}" y="${(cy + ch / 2 + 4).toFixed(1)}" text-anchor="middle" fill="${f > 0.6 ? 'white' : 'black'}">${num(v)}</text>`,
        );
    });
    parts.push(`<text x="${M.left - 8}" y="${(M.top + (ys.length - 1 - j) * ch + ch / 2 + 4).toFixed(1)}" text-anchor="end">${esc(y)}</text>`);
  });
  xs.forEach((x, i) => parts.push(`<text x="${(M.left + i * cw + cw / 2).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle">${esc(x)}</text>`));
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
