/** Columns padded to their widest cell, two spaces apart, one line per row. */
export function formatTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[head, ...rows].map(line).join('\n')}\n`;
}

/** One CSV field, quoted when it holds a separator, a quote or a newline. */
export function csvCell(s: string): string {
  return /[",\n|]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
