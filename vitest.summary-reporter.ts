import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with the plain `N passed, N failed, N skipped` line that CI logs are read for,
 * after one `skipped: NAME` line per skipped test, so that no skip goes unseen (a test that
 * needs something missing says what in its name, see `describeWith` in `@archlab/core/testing`).
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const skipped: string[] = [];
    for (const m of testModules) {
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
    const list = skipped.length > 0 ? `\n${skipped.join('\n')}\n` : '';
    process.stdout.write(
      `${list}\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
    );
  }
}
