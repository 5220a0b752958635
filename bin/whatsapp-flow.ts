#!/usr/bin/env node
/**
 * The `whatsapp-flow` command: a dispatcher for subcommands. Each subcommand is one module in
 * bin/cli/ exporting `run(args, io)`; it is loaded only when it is asked for, so that `validate`
 * never loads aws-cdk-lib or an SDK and starts fast.
 */

/** Where a subcommand writes, and the directory it resolves relative paths against. */
export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd: string;
}

/** What a subcommand module exports. */
export interface CliCommand {
  run(args: string[], io: CliIo): Promise<number>;
}

interface CommandEntry {
  readonly summary: string;
  readonly load: () => CliCommand;
}

/** The subcommands. Add one by adding a module in bin/cli/ and a line here. */
const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  validate: {
    summary: 'check Flow JSON files offline against Meta\'s rules and AWS\'s publishing limits',
    load: () => require('./cli/validate') as CliCommand,
  },
  pull: {
    summary: 'write the flows of a WhatsApp Business Account as a directory for WhatsAppFlowDirectory',
    load: () => require('./cli/pull') as CliCommand,
  },
  diff: {
    summary: 'show what a deploy would do to each flow, between two synthesized cloud assemblies (cdk.out)',
    load: () => require('./cli/diff') as CliCommand,
  },
  render: {
    summary: 'draw flows offline as HTML pages: every screen as on the phone, and the navigation map',
    load: () => require('./cli/render') as CliCommand,
  },
};

/**
 * The exit codes of every subcommand, one scheme for the whole CLI (README "Exit codes"). `diff`
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

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: whatsapp-flow <command> [arguments]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "whatsapp-flow <command> --help" for the arguments of a command.',
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

/** Runs the command line `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usage());
    return name === undefined ? ExitCode.ERRORS : ExitCode.OK;
  }
  const entry = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.stderr(`whatsapp-flow: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return ExitCode.ERRORS;
  }
  return entry.load().run(rest, io);
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    cwd: process.cwd(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`whatsapp-flow: internal error, please report it: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = ExitCode.INTERNAL;
    },
  );
}
