/**
 * Where a command writes, and the directory it resolves relative paths against: one interface for
 * the CLI's commands and for the local deploy they share with `npm start`, so that tests run any of
 * them in-process and read what it printed.
 */

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd: string;
}

/** The process's own streams and working directory. */
export function processIo(): Io {
  return { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), cwd: process.cwd() };
}
