import { existsSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, type Served, serve, tempDir } from './cli-harness.js';

const TOKEN = 'a-test-token-0123456789';
const SEARCH = ['search', '--space', 'nb201', '--estimator', 'nb201:cifar10', '--seed', '1', '-q'];

/** GET `url` with `headers`: status, body (unless it is a stream) and the response. */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode!, body, res }));
    })
      .on('error', reject)
      .end();
  });
}

interface Message {
  event?: string;
  data?: string;
  id?: string;
}

/** Opens an event stream and collects its messages until `until` holds of them (then closes it) or the server ends it. */
function collect(url: string, until: (m: Message[]) => boolean, headers: Record<string, string> = {}) {
  return new Promise<Message[]>((resolve, reject) => {
    const messages: Message[] = [];
    const req = request(url, { headers }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      let buffer = '';
      res.on('data', (d: Buffer) => {
        buffer += d.toString();
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop()!;
        for (const block of blocks) {
          const m: Message = {};
          for (const line of block.split('\n')) {
            const [, field, value] = /^([a-z]+): ?(.*)$/.exec(line) ?? [];
            if (field === 'event' || field === 'data' || field === 'id') m[field] = value;
          }
          messages.push(m);
        }
        if (until(messages)) {
          req.destroy();
          resolve(messages);
        }
      });
      res.on('close', () => resolve(messages));
    });
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.end();
  });
}

interface Payload {
  data: { runs: { runId: string; head: { seq: number }; trials: { id: number[] }; status: string }[] };
}
/** The views a stream sent: each message's data, and the cursor (its id). */
const views = (ms: Message[]) =>
  ms
    .filter((m) => m.data !== undefined)
    .map((m) => ({ ...(JSON.parse(m.data!) as Payload), id: JSON.parse(m.id!) }));

describe('archlab serve', () => {
  const dir = tempDir();
  let lastSeq = -1;
  beforeAll(() => {
    archlabJson(dir, ...SEARCH, '--trials', '10', '--db', 'runs.db', '--run-id', 'r');
    lastSeq =
      archlabJson<{ runId: string; lastSeq?: number }[]>(dir, 'events', 'r', '--db', 'runs.db').length - 1;
  });

  it('refuses bad input in one line with exit 2, creating nothing', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const taken = String((blocker.address() as { port: number }).port);
    const cases: [string[], RegExp][] = [
      [
        ['--db', 'runs.db', '--host', '0.0.0.0'],
        /--host '0\.0\.0\.0' lets other machines connect: give --token/,
      ],
      [['--db', 'runs.db', '--token', 'short'], /--token must be at least 16 characters/],
      [['--db', 'missing.db'], /database 'missing\.db' does not exist/],
      [['--db', 'runs.db', '--port', '65536'], /--port must be a whole number from 0 to 65535/],
      [['--db', 'runs.db', '--port', taken], new RegExp(`port ${taken} is in use; pass another --port`)],
    ];
    try {
      for (const [args, message] of cases) {
        const r = archlab(dir, 'serve', ...args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`^archlab: error: [^\\n]*${message.source}[^\\n]*\\n$`));
      }
    } finally {
      blocker.close();
    }
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
  });

  describe('on loopback, without a token', () => {
    let served: Served;
    beforeAll(async () => {
      served = await serve(dir, '--db', 'runs.db');
    });
    afterAll(() => served?.stop());

    it('prints one line, its URL on 127.0.0.1, and serves the index of runs and each run page', async () => {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const index = await get(served.url);
      expect(index.status).toBe(200);
      expect(index.body).toContain('href="/runs/r"');
      const page = await get(`${served.url}runs/r`);
      expect(page.status).toBe(200);
      expect(page.res.headers['content-type']).toMatch(/^text\/html/);
      const missing = await get(`${served.url}runs/nope`);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatch(/run 'nope' is not in this database/);
      expect((await get(`${served.url}compare/nope`)).body).toMatch(
        /comparison 'nope' is not in this database/,
      );
      expect((await get(`${served.url}runs/r/nope`)).status).toBe(404);
      expect((await get(`${served.url}runs/%ZZ`)).status).toBe(400);
      expect((await get(`${served.url}favicon.ico`)).status).toBe(204);
    });

    it("refuses a request whose Host is not loopback (a web page's DNS rebinding)", async () => {
      const r = await get(served.url, { host: 'attacker.example' });
      expect(r.status).toBe(403);
    });

    it('streams the report as it stands, then again each time the run is appended to; the writer is not held up', async () => {
      // No cursor: the view at once.
      const [now] = views(await collect(`${served.url}runs/r/events`, (ms) => views(ms).length >= 1));
      expect(now!.id).toEqual({ r: lastSeq });
      expect(now!.data.runs.map((r) => [r.runId, r.head.seq, r.trials.id.length])).toEqual([
        ['r', lastSeq, 10],
      ]);

      // At the page's cursor (or a reconnecting EventSource's Last-Event-ID): nothing until the run grows, then the grown view.
      const live = collect(
        `${served.url}runs/r/events`,
        (ms) =>
          views(ms).some(
            (v) => v.data.runs[0]!.status === 'completed' && v.data.runs[0]!.trials.id.length === 12,
          ),
        { 'last-event-id': JSON.stringify({ r: lastSeq }) },
      );
      await new Promise((r) => setTimeout(r, 600));
      const resume = archlab(dir, 'resume', 'r', '--trials', '12', '--db', 'runs.db', '-q');
      expect(resume.code, resume.stderr).toBe(0);
      const got = views(await live);
      const after = archlabJson<unknown[]>(dir, 'events', 'r', '--db', 'runs.db').length - 1;
      expect(got.at(-1)!.id).toEqual({ r: after });
      expect(got.at(-1)!.data.runs[0]!.head.seq).toBe(after);
      expect(got[0]!.id.r).toBeGreaterThan(lastSeq);
      lastSeq = after;
    });
  });

  describe('with --token', () => {
    let served: Served;
    let base = '';
    beforeAll(async () => {
      served = await serve(dir, '--db', 'runs.db', '--token', TOKEN);
      base = served.url.replace(/\?.*$/, '');
    });
    afterAll(() => served?.stop());

    it('prints its URL with the token, and every request must carry it (query, bearer header, or the cookie the query sets)', async () => {
      expect(served.url).toBe(`${base}?token=${TOKEN}`);
      expect((await get(base)).status).toBe(401);
      expect((await get(`${base}runs/r`)).status).toBe(401);
      expect((await get(`${base}runs/r/events`)).status).toBe(401);
      expect((await get(`${base}?token=${TOKEN}x`)).status).toBe(401);
      expect((await get(`${base}runs/r`, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
      const viaQuery = await get(served.url);
      expect(viaQuery.status).toBe(200);
      const cookie = String(viaQuery.res.headers['set-cookie']).split(';')[0]!;
      expect((await get(`${base}runs/r`, { cookie })).status).toBe(200);
    });
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s closes it, with an event stream open: exit 130',
    async (signal) => {
      const served = await serve(dir, '--db', 'runs.db');
      const open = collect(`${served.url}runs/r/events`, () => false);
      await new Promise((r) => setTimeout(r, 300));
      const { code, stderr } = await served.stop(signal);
      expect(code).toBe(130);
      expect(stderr).not.toMatch(/error/);
      await open;
    },
  );
});
