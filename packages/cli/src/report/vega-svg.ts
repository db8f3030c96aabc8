import type { VlSpec } from './report-specs.js';

/** Renders a Vega-Lite spec to a standalone SVG document in Node (vega's headless view; no browser). */
export async function vegaLiteSvg(spec: VlSpec): Promise<string> {
  // Loaded when a figure is drawn: vega is large, and most commands draw none.
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return `${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}
