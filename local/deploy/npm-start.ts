/**
 * `npm start` (started by bin/local-deploy.ts): deploys the example app's flows to the built-in
 * emulator, the way CloudFormation would deploy them to AWS.
 *
 * It synthesizes the app in-process, uploads the flows' S3 assets to the emulator, works out the
 * events a CloudFormation deploy would send for the stack's custom resources (creates, updates,
 * replacements, deletions, rollbacks, independent resources in parallel; see
 * local/cloudformation/engine.ts) and sends each to the provider's bundled handler from the cloud assembly,
 * the code `cdk deploy` ships, running in local Lambda containers against the emulator, with the
 * permissions the stack's policies give its role at that moment. What was deployed is kept in the
 * state folder, so the next run applies exactly what changed.
 *
 *   npm start                          deploy (again: only what changed)
 *   npm start -- --destroy             delete the stacks' flows, then clear the local state
 *   npm start -- -c wabaId=waba-…      context for the app, as with `cdk -c`
 *
 * Exit codes: 0 done; 1 a deploy failed (and was rolled back) or a deletion failed; 2 nothing
 * could be done (usage, the handler does not build, unusable state, the app does not synthesize); 3 a bug.
 */
import * as path from 'path';
import { loadAppBuilder, SynthError, synthesize } from './in-process-synth';
import { ensureHandlerBundle } from './handler-bundle';
import { Io, processIo } from '../../cli/io';
import { CommandNames, deployStacks, destroyStacks, LocalSetupError, printResult, relativePath } from './operation';
import { StateDir, StateError } from './state';
import { TemplateError } from '../cloudformation/template';

const DEFAULT_APP = path.join(__dirname, '..', '..', 'bin', 'app.ts');
const COMMANDS: CommandNames = { deploy: 'npm start', destroy: 'npm start -- --destroy' };

const USAGE = `usage: npm start -- [options]        (or: npx tsx bin/local-deploy.ts [options])

Synthesizes the app and deploys its WhatsApp Flows to the local emulator, sending the events a
CloudFormation deploy would send to the provider's bundled handler.

options:
  --destroy            delete the deployed stacks (drafts are deleted, published flows
                       deprecated), then clear the local state
  --state-dir <dir>    folder of the local state (default .local)
  --app <file>         module exporting buildApp({ outdir, context }) (default bin/app.ts)
  -c, --context k=v    context value for the app, as with cdk -c (repeatable)
  --concurrency <n>    resources CloudFormation works on at once (default 10; 1 runs
                       one event at a time)
  --json               print the result as JSON
  --validate           also run CloudFormation's template validation at synth (slower)
  --verbose            print the provider's log lines
  -h, --help           show this help
`;

interface Args {
  destroy: boolean;
  concurrency?: number;
  stateDir: string;
  app?: string;
  context: Record<string, string>;
  json: boolean;
  validate: boolean;
  verbose: boolean;
  help: boolean;
}

/** Bad usage, or an environment the deploy cannot start in. */
class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

function parseArgs(argv: string[]): Args {
  const args: Args = { destroy: false, stateDir: '.local', context: {}, json: false, validate: false, verbose: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new SetupError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--destroy': args.destroy = true; break;
      case '--state-dir': args.stateDir = value(); break;
      case '--concurrency': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new SetupError(`--concurrency needs a whole number of at least 1, got ${JSON.stringify(v)}`);
        args.concurrency = n;
        break;
      }
      case '--app': args.app = value(); break;
      case '-c':
      case '--context': {
        const kv = value();
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new SetupError(`${flag} needs key=value, got ${JSON.stringify(kv)}`);
        args.context[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '--json': args.json = true; break;
      case '--validate': args.validate = true; break;
      case '--verbose': args.verbose = true; break;
      case '-h':
      case '--help': args.help = true; break;
      default:
        throw new SetupError(`unknown argument ${JSON.stringify(a)}`);
    }
  }
  return args;
}

/** Runs the command line `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.stderr(`local-deploy: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout(USAGE);
    return 0;
  }
  const state = new StateDir(path.resolve(io.cwd, args.stateDir));
  let unlock: (() => void) | undefined;
  try {
    unlock = state.lock();
    return args.destroy ? await destroy(args, state, io) : await deploy(args, state, io);
  } catch (e) {
    if (e instanceof SetupError || e instanceof LocalSetupError || e instanceof StateError || e instanceof SynthError || e instanceof TemplateError) {
      io.stderr(`local-deploy: ${e.message}\n`);
      return 2;
    }
    const detail = e instanceof Error ? e.stack ?? `${e.name}: ${e.message}` : String(e);
    io.stderr(`local-deploy: internal error (a bug in the local deploy; the state in ${relativePath(io, state.dir)} is as the last completed step left it): ${detail}\n`);
    return 3;
  } finally {
    unlock?.();
  }
}

async function deploy(args: Args, state: StateDir, io: Io): Promise<number> {
  state.read(); // an unusable state fails before anything is built
  try {
    ensureHandlerBundle((line) => io.stderr(`${line}\n`));
  } catch (e) {
    throw new SetupError((e as Error).message);
  }
  const appPath = path.resolve(io.cwd, args.app ?? DEFAULT_APP);
  const synth = synthesize(loadAppBuilder(appPath), { outdir: state.outdir, context: args.context, validate: args.validate });
  for (const m of synth.messages) {
    if (m.level !== 'info') io.stderr(`[${m.level}] ${m.text}\n`);
  }
  if (synth.messages.some((m) => m.level === 'error')) throw new SynthError('the app has errors (see above)');
  if (synth.stacks.length === 0) throw new SynthError(`${relativePath(io, appPath)} defines no stack`);

  const result = await deployStacks(synth.stacks, state, { io, commands: COMMANDS, concurrency: args.concurrency, verbose: args.verbose });
  printResult(io, result, { json: args.json, state, commands: COMMANDS });
  return result.exitCode;
}

async function destroy(args: Args, state: StateDir, io: Io): Promise<number> {
  const result = await destroyStacks(state, { io, commands: COMMANDS, concurrency: args.concurrency, verbose: args.verbose });
  printResult(io, result, { json: args.json, state, commands: COMMANDS });
  return result.exitCode;
}
