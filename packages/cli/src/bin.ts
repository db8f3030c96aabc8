#!/usr/bin/env node
import { main } from './main.js';

// `archlab events RUN | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
// `archlab search ... 2>&1 | head -1`: progress nobody reads any more is dropped; the run goes on.
process.stderr.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`archlab: internal error: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
