import { describe, it } from 'vitest';

/**
 * Something outside the repository a test needs: a data set, a server, a browser. The
 * project's test command installs each of them (see `scripts/install-test-deps.sh`), so on CI a
 * missing one is a broken machine, not a reason to skip.
 */
export interface Requirement {
  /** What it is, e.g. `Fashion-MNIST in /usr/share/datasets/fashion-mnist`. */
  readonly what: string;
  readonly present: boolean;
  /** How a developer gets it, e.g. `apt-get install dataset-fashion-mnist`. */
  readonly howTo: string;
}

/** True under `CI=true` (or `CI=1`), where a missing requirement fails its tests. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/** The failure a test that needs `req` reports on CI when `req` is missing. */
export function missingRequirementMessage(req: Requirement): string {
  return `${req.what} is missing, and CI=true forbids skipping: ${req.howTo}`;
}

/** What a test that needs `req` does: run it; fail, naming it (CI); or skip, naming it. */
export function requirementMode(
  req: Requirement,
  env: NodeJS.ProcessEnv = process.env,
): 'run' | 'fail' | 'skip' {
  if (req.present) return 'run';
  return inCi(env) ? 'fail' : 'skip';
}

function skippedTitle(title: string, req: Requirement): string {
  return `${title} (${req.what} is missing; ${req.howTo})`;
}

/**
 * `describe(title, body)` when `req` is present. When it is missing: on CI one failing test that
 * names it; elsewhere the suite is skipped, with the reason in its title (the summary reporter
 * lists every skipped test).
 */
export function describeWith(req: Requirement, title: string, body: () => void): void {
  switch (requirementMode(req)) {
    case 'run':
      describe(title, body);
      return;
    case 'fail':
      describe(title, () => {
        it(`needs ${req.what}`, () => {
          throw new Error(missingRequirementMessage(req));
        });
      });
      return;
    case 'skip':
      describe.skip(skippedTitle(title, req), body);
  }
}

/** `it(title, fn, timeout)` under the same rule as {@link describeWith}. */
export function itWith(req: Requirement, title: string, fn: () => unknown, timeout?: number): void {
  switch (requirementMode(req)) {
    case 'run':
      it(title, fn, timeout);
      return;
    case 'fail':
      it(title, () => {
        throw new Error(missingRequirementMessage(req));
      });
      return;
    case 'skip':
      it.skip(skippedTitle(title, req), fn);
  }
}
