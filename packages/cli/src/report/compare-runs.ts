// `compare NAME` names its runs NAME.STRATEGY.sSEED (compare-command.ts); this reads the names back.

const COMPARE_RUN = /^(.+)\.[^.]+\.s\d+$/;

/** The comparison a run belongs to by its name; undefined for a run `compare` did not name. */
export function compareNameOf(runId: string): string | undefined {
  return COMPARE_RUN.exec(runId)?.[1];
}

/** The runs of comparison `name` among `runIds`, in name order with seeds numerically (s2 before s10). */
export function compareRunIds(runIds: readonly string[], name: string): string[] {
  return runIds
    .filter((id) => compareNameOf(id) === name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
