#!/usr/bin/env node
/**
 * The `whatsapp-flow` command line (package.json `bin`, bundled to dist/bin/whatsapp-flow.js by
 * scripts/bundle.mjs). The commands live in cli/: this file only runs them on the process.
 */
import { ExitCode } from '../cli/command';
import { processIo } from '../cli/io';
import { internalErrorMessage, main } from '../cli/main';

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(internalErrorMessage(err));
    process.exitCode = ExitCode.INTERNAL;
  },
);
