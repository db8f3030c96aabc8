import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { redactedUrl, redisAddress, redisOptions } from './redis-connection.js';

describe('redisOptions', () => {
  it('reads host, port, user, password and database; the address shown has no password', () => {
    const o = redisOptions('redis://worker:p%40ss@10.0.0.5:6380/3');
    expect(o).toEqual({ host: '10.0.0.5', port: 6380, db: 3, username: 'worker', password: 'p@ss' });
    expect(redisAddress(o)).toBe('redis://10.0.0.5:6380');
    expect(redisOptions('redis://localhost')).toEqual({ host: 'localhost', port: 6379, db: 0 });
  });

  it('rediss:// is TLS, with the CA file of tls-ca', () => {
    const ca = join(tmpdir(), `archlab-ca-${process.pid}.pem`);
    writeFileSync(ca, 'PEM');
    const o = redisOptions('rediss://:secret@redis.example:6390', { tlsCa: ca });
    expect(o.password).toBe('secret');
    expect(o.tls).toEqual({ servername: 'redis.example', ca: Buffer.from('PEM') });
    expect(redisAddress(o)).toBe('rediss://redis.example:6390');
  });

  it('bad input is a one-line ConfigError that never shows the password', () => {
    const bad = [
      ['http://:hunter2@host:1', /must start with redis:\/\/ or rediss:\/\//],
      ['redis://:hunter2@host:1/x', /database after '\/' must be a number/],
      ['not a url :hunter2@', /is not a URL/],
    ] as const;
    for (const [url, message] of bad) {
      const err = (() => {
        try {
          redisOptions(url);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect(err!.message).toMatch(message);
      expect(err!.message).not.toContain('hunter2');
      expect(err!.message).not.toContain('\n');
    }
    expect(() => redisOptions('redis://h:1', { tlsCa: 'ca.pem' })).toThrow(/use rediss:\/\/ for TLS/);
    expect(() => redisOptions('rediss://h:1', { tlsCa: '/no/such/ca.pem' })).toThrow(
      /cannot read the TLS CA file '\/no\/such\/ca.pem'/,
    );
  });

  it('redactedUrl hides the password and keeps the rest', () => {
    expect(redactedUrl('redis://u:pw@h:1/2')).toBe('redis://u:***@h:1/2');
    expect(redactedUrl('rediss://:pw@h:1')).toBe('rediss://:***@h:1');
    expect(redactedUrl('redis://h:1')).toBe('redis://h:1');
  });
});
