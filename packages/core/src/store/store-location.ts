/**
 * A store's location as the user gives it (`--db`): a file path, or a server's URL
 * (`postgres://user:password@host:5432/db`). These helpers keep the two apart, and keep a URL's
 * password out of everything archlab prints.
 */

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The URL scheme of `location` (lower case), or undefined for a file path. */
export function locationScheme(location: string): string | undefined {
  return SCHEME.exec(location)?.[1]?.toLowerCase();
}

/**
 * `location` as it may be printed: a URL's password becomes `***` (so do the `password` and
 * `sslpassword` query parameters); a file path is returned as it is. A URL that does not parse
 * keeps only its scheme, since where its password ends cannot be told.
 */
export function redactLocation(location: string): string {
  const scheme = locationScheme(location);
  if (scheme === undefined) return location;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return `${scheme}://(unparseable URL)`;
  }
  if (url.password !== '') url.password = '***';
  for (const key of ['password', 'sslpassword'])
    if (url.searchParams.has(key)) url.searchParams.set(key, '***');
  // URL keeps '***' as it is in the userinfo but escapes it in the query; either way it reads as redacted.
  return url.toString().replace(/%2A%2A%2A/g, '***');
}
