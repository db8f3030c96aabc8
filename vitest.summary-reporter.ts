import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with the plain `N passed, N failed, N skipped` line that CI logs are read for,
 * after one `skipped: NAME` line per skipped test, so that no skip goes unseen (a test that
 * needs something missing says what in its name, see `describeWith` in `@archlab/core/testing`),
 * and one `failed: FILE did not run` line per test file that failed to load.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const skipped: string[] = [];
    const broken: string[] = [];
    for (const m of testModules) {
      // A file that fails before its tests run (an import that no longer resolves) has no
      // failed test to count: it counts as one failure, named.
      const errors = m.errors();
      if (errors.length > 0 && ![...m.children.allTests()].some((t) => t.result().state === 'failed')) {
        counts.failed++;
        broken.push(`failed: ${m.relativeModuleId} did not run: ${errors[0]?.message.split('\n')[0]}`);
      }
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else {
          counts.skipped++;
          skipped.push(`skipped: ${m.relativeModuleId} > ${t.fullName}`);
        }
      }
    }
    const lines = [...broken, ...skipped];
    const list = lines.length > 0 ? `\n${lines.join('\n')}\n` : '';
    process.stdout.write(
      `${list}\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
    );
  }
}
