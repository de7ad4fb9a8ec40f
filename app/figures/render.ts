/**
 * Vega-Lite specs to SVG (vega's headless renderer, no browser) and SVG to PNG (resvg). The
 * same spec gives the same bytes: no time stamps, no random ids.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type Spec = Record<string, unknown>;

/** The look every engram figure shares (fonts, sizes, legend outside the plot). */
export const figureConfig = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'right', labelLimit: 260 },
  view: { stroke: '#bbb' },
  background: 'white',
};

/** A spec with the shared config and schema. */
export function withConfig(spec: Spec): Spec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: figureConfig, ...spec };
}

/**
 * vega numbers clip paths and gradients with counters that run on across renders in one
 * process (clip1, then clip4, ...): renumber them in order of appearance, so that the same
 * spec gives the same bytes however many figures were drawn before.
 */
function stableIds(svg: string): string {
  const renamed = new Map<string, string>();
  return svg.replace(/\b(clip|gradient|pattern)_?(\d+)\b/g, (all, kind: string) => {
    let to = renamed.get(all);
    if (to === undefined) {
      to = `${kind}${renamed.size + 1}`;
      renamed.set(all, to);
    }
    return to;
  });
}

export async function toSvg(spec: Spec): Promise<string> {
  const compiled = compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = stableIds(await view.toSVG());
    return svg.endsWith('\n') ? svg : `${svg}\n`;
  } finally {
    view.finalize();
  }
}

export function toPng(svg: string): Buffer {
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
