/**
 * The `whatsapp-flow` command (started by bin/whatsapp-flow.ts): a dispatcher for subcommands. Each
 * subcommand is one module in cli/commands/ exporting `run(args, io)` (cli/command.ts); it is
 * loaded only when it is asked for, so that `validate` never loads aws-cdk-lib or an SDK and
 * starts fast.
 *
 * A mistake of the user's (usage, an input, the environment) is printed as its message and its
 * fix, without a stack trace: a command returns its exit code, or throws a CliUserError. Anything
 * else thrown is a bug: printed with its stack, exit code 3.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CliCommand, CliUserError, EXIT_CODES_HELP, ExitCode } from './command';
import type { Io } from './io';

interface CommandEntry {
  readonly summary: string;
  readonly load: () => CliCommand;
}

/** The subcommands. Add one by adding a module in cli/commands/ and a line here. */
const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  validate: {
    summary: 'check Flow JSON files offline against Meta\'s rules and AWS\'s publishing limits',
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when asked for: validate never loads the SDK or aws-cdk-lib
    load: () => require('./commands/validate') as CliCommand,
  },
  pull: {
    summary: 'write the flows of a WhatsApp Business Account as a directory for WhatsAppFlowDirectory',
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when asked for: validate never loads the SDK or aws-cdk-lib
    load: () => require('./commands/pull') as CliCommand,
  },
  diff: {
    summary: 'show what a deploy would do to each flow, between two synthesized cloud assemblies (cdk.out)',
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when asked for: validate never loads the SDK or aws-cdk-lib
    load: () => require('./commands/diff') as CliCommand,
  },
  render: {
    summary: 'draw flows offline as HTML pages: every screen as on the phone, and the navigation map',
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when asked for: validate never loads the SDK or aws-cdk-lib
    load: () => require('./commands/render') as CliCommand,
  },
  local: {
    summary: 'deploy the flows of your CDK app to an emulator on this machine: local deploy, local destroy, local status',
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when asked for: validate never loads the SDK or aws-cdk-lib
    load: () => require('./commands/local') as CliCommand,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: whatsapp-flow <command> [arguments]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "whatsapp-flow <command> --help" for the arguments of a command,',
    '"whatsapp-flow --version" for the version of whatsapp-flow-cdk.',
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

/**
 * The version of the installed whatsapp-flow-cdk: from the package.json above this file, whether
 * it runs as the bundle (dist/bin/) or from source (cli/).
 */
export function packageVersion(): string {
  for (let dir = __dirname, i = 0; i < 4; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'whatsapp-flow-cdk' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here: look further up
    }
  }
  throw new Error(`the package.json of whatsapp-flow-cdk is not above ${__dirname}`);
}

/** Runs the command line `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usage());
    return name === undefined ? ExitCode.ERRORS : ExitCode.OK;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`${packageVersion()}\n`);
    return ExitCode.OK;
  }
  const entry = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.stderr(`whatsapp-flow: unknown command ${JSON.stringify(name)}; run one of: ${Object.keys(COMMANDS).join(', ')}\n\n${usage()}`);
    return ExitCode.ERRORS;
  }
  try {
    return await entry.load().run(rest, io);
  } catch (e) {
    if (e instanceof CliUserError) {
      io.stderr(`whatsapp-flow ${name}: ${e.message}\n  ${e.fix}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

/** What a bug prints: the stack, so that it can be reported. */
export function internalErrorMessage(err: unknown): string {
  const detail = err instanceof Error ? err.stack ?? `${err.name}: ${err.message}` : JSON.stringify(err) ?? String(err);
  return `whatsapp-flow: internal error, please report it with this output: ${detail}\n`;
}
