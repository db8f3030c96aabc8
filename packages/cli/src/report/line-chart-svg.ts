export interface Series {
  readonly name: string;
  /** Mean and standard error at each x, in increasing x. */
  readonly points: readonly { readonly x: number; readonly mean: number; readonly se: number }[];
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** A dashed reference line, e.g. the known optimum. */
  readonly reference?: { readonly y: number; readonly label: string };
  /** Lower end of the y axis; by default the lowest band edge after the first 5% of x. */
  readonly yMin?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const W = 820;
const H = 500;
const M = { left: 70, right: 170, top: 40, bottom: 55 };

/** Mean curves with ±1 standard-error bands, as a standalone SVG document (no dependencies). */
export function lineChartSvg(chart: LineChart): string {
  const all = chart.series.flatMap((s) => s.points);
  const xMin = Math.min(...all.map((p) => p.x));
  const xMax = Math.max(...all.map((p) => p.x));
  const settled = all.filter((p) => p.x >= xMin + 0.05 * (xMax - xMin));
  let yMin = chart.yMin ?? Math.min(...settled.map((p) => p.mean - p.se));
  let yMax = Math.max(...settled.map((p) => p.mean + p.se), chart.reference?.y ?? Number.NEGATIVE_INFINITY);
  if (!(yMax > yMin)) [yMin, yMax] = [yMin - 1, yMin + 1];
  const pad = (yMax - yMin) * 0.05;
  yMin -= pad;
  yMax += pad;
  const px = (x: number) => M.left + ((x - xMin) / (xMax - xMin || 1)) * (W - M.left - M.right);
  const py = (y: number) => M.top + (1 - (y - yMin) / (yMax - yMin)) * (H - M.top - M.bottom);
  const f = (n: number) => n.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<defs><clipPath id="plot"><rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}"/></clipPath></defs>`,
    `<text x="${W / 2 - M.right / 2}" y="22" text-anchor="middle" font-size="15">${esc(chart.title)}</text>`,
  ];
  for (const t of niceTicks(yMin, yMax, 8)) {
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${f(py(t))}" y2="${f(py(t))}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${fmtTick(t)}</text>`,
    );
  }
  for (const t of niceTicks(xMin, xMax, 7)) {
    out.push(
      `<line x1="${f(px(t))}" x2="${f(px(t))}" y1="${H - M.bottom}" y2="${H - M.bottom + 5}" stroke="#333"/>`,
      `<text x="${f(px(t))}" y="${H - M.bottom + 18}" text-anchor="middle">${fmtTick(t)}</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#333"/>`,
    `<text x="${W / 2 - M.right / 2}" y="${H - 12}" text-anchor="middle">${esc(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${(H - M.bottom + M.top) / 2}) rotate(-90)" text-anchor="middle">${esc(chart.yLabel)}</text>`,
    '<g clip-path="url(#plot)">',
  );
  chart.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const upper = s.points.map((p) => `${f(px(p.x))},${f(py(p.mean + p.se))}`);
    const lower = s.points.map((p) => `${f(px(p.x))},${f(py(p.mean - p.se))}`).reverse();
    out.push(
      `<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.18" stroke="none"/>`,
      `<polyline points="${s.points.map((p) => `${f(px(p.x))},${f(py(p.mean))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
  });
  if (chart.reference) {
    const y = f(py(chart.reference.y));
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#555" stroke-dasharray="6 4"/>`,
    );
  }
  out.push('</g>');
  chart.series.forEach((s, i) => {
    const y = M.top + 10 + i * 20;
    out.push(
      `<line x1="${W - M.right + 15}" x2="${W - M.right + 40}" y1="${y}" y2="${y}" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="3"/>`,
      `<text x="${W - M.right + 46}" y="${y + 4}">${esc(s.name)}</text>`,
    );
  });
  if (chart.reference) {
    const y = M.top + 10 + chart.series.length * 20;
    out.push(
      `<line x1="${W - M.right + 15}" x2="${W - M.right + 40}" y1="${y}" y2="${y}" stroke="#555" stroke-dasharray="6 4"/>`,
      `<text x="${W - M.right + 46}" y="${y + 4}">${esc(chart.reference.label)}</text>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Round tick values (1, 2, 5 × 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function fmtTick(t: number): string {
  return Number.isInteger(t) ? String(t) : String(Number(t.toPrecision(6)));
}

function esc(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
