#!/usr/bin/env node
import { main } from './main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`archlab: internal error: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
