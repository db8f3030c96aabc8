import type * as Rx from 'rxjs';
import { lazyRequire } from '../lazy-require.js';

/** rxjs, loaded by the first run: a CLI command that reads a log, prints help or fails on a flag never needs it. */
export const rx = lazyRequire<typeof Rx>(import.meta.url, 'rxjs');
