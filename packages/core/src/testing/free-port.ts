import { createServer } from 'node:net';

/**
 * A port of 127.0.0.1 free a moment ago, for a private test server (the caller retries if
 * another process takes it first).
 */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
