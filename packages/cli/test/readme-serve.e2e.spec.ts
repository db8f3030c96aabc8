import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { archlab, readmeCommands, serve, tempDir, words } from './cli-harness.js';

const get = (url: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });

describe("README's 'Watch a search live'", () => {
  it('runs as pasted: a search, then serve on its database (on a free port here)', async () => {
    const commands = readmeCommands('### Watch a search live').map(words);
    expect(commands.map((c) => c[0])).toEqual(['search', 'serve']);
    const cwd = tempDir();
    const search = archlab(cwd, ...commands[0]!);
    expect(search.code, search.stderr).toBe(0);
    // The README's port may be taken on a test machine: the test asks for any free one (its last --port wins).
    const served = await serve(cwd, ...commands[1]!.slice(1), '--port', '0');
    try {
      const page = await get(`${served.url}runs/live`);
      expect(page.status).toBe(200);
      expect(page.body).toContain('"runId":"live"');
    } finally {
      expect((await served.stop()).code).toBe(130);
    }
  }, 120_000);

  it('lists the plugins as pasted', () => {
    const commands = readmeCommands('### Watch a search live', 1).map(words);
    expect(commands).toEqual([['list'], ['list', '--json']]);
    const cwd = tempDir();
    for (const c of commands) {
      const r = archlab(cwd, ...c);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/nb201/);
    }
  });
});
