import { describe, expect, it } from 'vitest';
import { locationScheme, redactLocation } from '../src/store/store-location.js';

describe('store locations', () => {
  it('tells a URL from a file path by its scheme', () => {
    expect(locationScheme('postgres://u@h/db')).toBe('postgres');
    expect(locationScheme('PostgreSQL://u@h/db')).toBe('postgresql');
    expect(locationScheme('runs.db')).toBeUndefined();
    expect(locationScheme('/tmp/a://b.db')).toBeUndefined();
    expect(locationScheme('C:\\runs.db')).toBeUndefined();
  });

  it('hides a URL’s password, in the user part and in the query', () => {
    expect(redactLocation('postgres://ann:s3cr%40t@db.lan:5432/nas?sslmode=require')).toBe(
      'postgres://ann:***@db.lan:5432/nas?sslmode=require',
    );
    expect(redactLocation('postgres://ann@db.lan/nas?password=s3cret&sslpassword=k')).toBe(
      'postgres://ann@db.lan/nas?password=***&sslpassword=***',
    );
    expect(redactLocation('postgres://db.lan/nas')).toBe('postgres://db.lan/nas');
    expect(redactLocation('runs.db')).toBe('runs.db');
  });

  it('keeps nothing but the scheme of a URL that does not parse', () => {
    expect(redactLocation('postgres://ann:pa ss@[bad/db')).toBe('postgres://(unparseable URL)');
  });
});
