import type { CellReport } from './report-data.js';

// A drawing of an architecture from its encoding's decisions alone, for any space: decisions
// named as edges (`FROM->TO`) make a graph of nodes with the chosen op on each edge; others are
// drawn as a chain of boxes, one per decision prefix (`layer1.op`, `layer1.width` → box `layer1`).

const EDGE = /^\s*([\w.]+)\s*->\s*([\w.]+)\s*$/;

/** An SVG drawing of the cell (`data-cell` on its root, one `<g class="edge">` or `<g class="block">` each). */
export function cellSvg(cell: CellReport): string {
  const edges = cell.decisions.map((d) => ({ m: EDGE.exec(d.name), choice: d.choice }));
  return edges.every((e) => e.m)
    ? graphSvg(edges.map((e) => ({ from: e.m![1]!, to: e.m![2]!, op: e.choice })))
    : chainSvg(cell.decisions);
}

function graphSvg(edges: readonly { from: string; to: string; op: string }[]): string {
  const nodes = order(edges);
  const gap = 170;
  const W = gap * (nodes.length - 1) + 80;
  const maxSpan = Math.max(1, ...edges.map((e) => nodes.indexOf(e.to) - nodes.indexOf(e.from)));
  const y = 40 + 34 * maxSpan;
  const H = y + 40;
  const xOf = (n: string) => 40 + gap * nodes.indexOf(n);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" data-cell="graph" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>',
  ];
  for (const e of edges) {
    const x1 = xOf(e.from) + 16;
    const x2 = xOf(e.to) - 16;
    const span = nodes.indexOf(e.to) - nodes.indexOf(e.from);
    const lift = 34 * span;
    const none = e.op === 'none';
    out.push(
      `<g class="edge" data-from="${esc(e.from)}" data-to="${esc(e.to)}" data-op="${esc(e.op)}">`,
      `<path d="M${x1},${y} Q${(x1 + x2) / 2},${y - 2 * lift} ${x2},${y}" fill="none" stroke="${none ? '#ccc' : '#555'}" stroke-dasharray="${none ? '4 3' : ''}" marker-end="url(#arrow)"/>`,
      `<text x="${(x1 + x2) / 2}" y="${y - lift - 3}" text-anchor="middle" fill="${none ? '#999' : '#111'}">${esc(e.op)}</text>`,
      '</g>',
    );
  }
  for (const n of nodes) {
    out.push(
      `<g class="node"><circle cx="${xOf(n)}" cy="${y}" r="16" fill="#eef3fb" stroke="#1f77b4"/><text x="${xOf(n)}" y="${y + 4}" text-anchor="middle">${esc(n)}</text></g>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}

/** Nodes in a topological order of the edges (first seen first among equals). */
function order(edges: readonly { from: string; to: string }[]): string[] {
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))];
  const indegree = new Map(nodes.map((n) => [n, edges.filter((e) => e.to === n).length]));
  const out: string[] = [];
  const ready = nodes.filter((n) => indegree.get(n) === 0);
  while (ready.length) {
    const n = ready.shift()!;
    out.push(n);
    for (const e of edges.filter((x) => x.from === n)) {
      indegree.set(e.to, indegree.get(e.to)! - 1);
      if (indegree.get(e.to) === 0) ready.push(e.to);
    }
  }
  // A cycle (not a cell): its nodes after the others, in order of appearance.
  return [...out, ...nodes.filter((n) => !out.includes(n))];
}

function chainSvg(decisions: CellReport['decisions']): string {
  const blocks: { name: string; lines: string[] }[] = [];
  for (const d of decisions) {
    const dot = d.name.lastIndexOf('.');
    const name = dot > 0 ? d.name.slice(0, dot) : d.name;
    const label = dot > 0 ? `${d.name.slice(dot + 1)}: ${d.choice}` : d.choice;
    const last = blocks.at(-1);
    if (last?.name === name) last.lines.push(label);
    else blocks.push({ name, lines: [label] });
  }
  const bw = 130;
  const gap = 30;
  const lines = Math.max(1, ...blocks.map((b) => b.lines.length));
  const bh = 26 + 15 * lines;
  const W = blocks.length * (bw + gap) + 10;
  const H = bh + 20;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" data-cell="chain" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  ];
  blocks.forEach((b, i) => {
    const x = 10 + i * (bw + gap);
    out.push(
      `<g class="block" data-name="${esc(b.name)}"><rect x="${x}" y="10" width="${bw}" height="${bh}" rx="5" fill="#eef3fb" stroke="#1f77b4"/>`,
      `<text x="${x + bw / 2}" y="27" text-anchor="middle" font-weight="bold">${esc(b.name)}</text>`,
      ...b.lines.map(
        (l, k) => `<text x="${x + bw / 2}" y="${44 + 15 * k}" text-anchor="middle">${esc(l)}</text>`,
      ),
      '</g>',
    );
    if (i > 0)
      out.push(`<line x1="${x - gap}" y1="${10 + bh / 2}" x2="${x}" y2="${10 + bh / 2}" stroke="#555"/>`);
  });
  out.push('</svg>');
  return out.join('');
}

function esc(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
