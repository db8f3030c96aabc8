import { existsSync } from 'node:fs';
import type { Requirement } from '@archlab/core/testing';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll } from 'vitest';

/** Debian's Chromium, or the one ARCHLAB_CHROMIUM names. */
export function chromiumPath(): string {
  return process.env.ARCHLAB_CHROMIUM || '/usr/bin/chromium';
}

/** The browser the browser tests drive (`describeWith` fails them under CI=true when it is missing). */
export function chromiumRequirement(): Requirement {
  const path = chromiumPath();
  return {
    what: `Chromium at ${path}`,
    present: existsSync(path),
    howTo:
      'apt-get install chromium, or set ARCHLAB_CHROMIUM (the test command scripts/install-test-deps.sh installs it)',
  };
}

/** A page and what went wrong in it: console errors, uncaught exceptions, failed requests. */
export interface WatchedPage {
  readonly page: Page;
  readonly errors: string[];
}

/**
 * One headless Chromium for a test file, launched on first use and closed after its tests.
 * `open` loads a URL in a new page and records every error the page reports.
 */
export function useBrowser(): { open(url: string): Promise<WatchedPage> } {
  let browser: Promise<Browser> | undefined;
  afterAll(async () => {
    await (await browser)?.close();
  });
  return {
    async open(url) {
      browser ??= puppeteer.launch({
        executablePath: chromiumPath(),
        headless: true,
        // As root (containers, CI) Chromium refuses to start without it.
        args: [
          ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
          '--disable-gpu',
          '--disable-dev-shm-usage',
        ],
      });
      const page = await (await browser).newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
      page.on('response', (r) => {
        if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
      });
      page.on('requestfailed', (r) => {
        // An event stream the test closes by navigating away is not the page's fault.
        if (r.failure()?.errorText !== 'net::ERR_ABORTED')
          errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
      });
      await page.goto(url, { waitUntil: 'load' });
      return { page, errors };
    },
  };
}
