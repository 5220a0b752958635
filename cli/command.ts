/**
 * What every command of `whatsapp-flow` shares: the module shape the dispatcher (cli/main.ts)
 * loads, the exit codes, and the error a command throws for a mistake of the user's.
 */
import type { Io } from './io';

/** What a command module exports. */
export interface CliCommand {
  run(args: string[], io: Io): Promise<number>;
}

/**
 * The exit codes of every command, one scheme for the whole CLI (README "Exit codes"). `diff`
 * follows `terraform plan -detailed-exitcode`, so that a CI job can fail on errors alone.
 */
export const ExitCode = {
  /** Done, nothing wrong (warnings allowed); for diff, no flow changes. */
  OK: 0,
  /** Errors: an invalid flow, an input that cannot be read, a failed service call, or bad usage. */
  ERRORS: 1,
  /** diff only: some flow changes (or, with --live, differs from what is live). */
  CHANGES: 2,
  /** An unexpected failure: a bug. */
  INTERNAL: 3,
} as const;

/** The exit codes, as every command's help lists them. */
export const EXIT_CODES_HELP = `exit codes (the same for every command):
  0  done, no errors (warnings allowed); for diff: no flow changes
  1  errors: an invalid flow, an input that cannot be read, a service call
     that failed, or bad usage
  2  diff only: some flow changes (with --live: differs from what is live)
  3  an internal error (a bug: please report it)
`;

/**
 * A mistake of the user's: printed as `whatsapp-flow <command>: <message>` and the fix, without
 * a stack trace.
 */
export class CliUserError extends Error {
  constructor(
    message: string,
    /** What to do about it, one sentence. */
    public readonly fix: string,
    /** @default ExitCode.ERRORS */
    public readonly exitCode: number = ExitCode.ERRORS,
  ) {
    super(message);
    this.name = 'CliUserError';
  }
}
