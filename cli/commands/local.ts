/**
 * `whatsapp-flow local deploy|destroy|status`: a user's own CDK app, offline. The app is
 * synthesized as the CDK CLI would (local/deploy/cdk-app.ts), and the flows of every stack are
 * deployed to the embedded emulator through the provider's bundled handler from the assembly, with
 * the CloudFormation behaviour of `npm start` (local/deploy/operation.ts, local/cloudformation/engine.ts). Other
 * resources are not simulated: they are listed once as skipped. A flow that needs a value the
 * local deploy cannot know is reported with what blocks it, and then nothing is deployed.
 *
 * Needs no aws-cdk-lib of its own: the app brings its own, and the assembly is read as JSON.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AssemblyError, readCloudAssembly, SynthesizedStack } from '../../local/deploy/cloud-assembly';
import { AppError, appOf, synthesizeApp } from '../../local/deploy/cdk-app';
import { CommandNames, deployedFlows, deployStacks, destroyStacks, environment, LocalSetupError, printResult, relativePath } from '../../local/deploy/operation';
import { BlockedFlow, simulationScope } from '../../local/deploy/simulation-scope';
import { StateDir, StateError } from '../../local/deploy/state';
import { TemplateError } from '../../local/cloudformation/template';
import { CliUserError, ExitCode } from '../command';
import type { Io } from '../io';

/** The state folder in the user's project, unless --state-dir says otherwise. */
export const DEFAULT_STATE_DIR = '.whatsapp-flow-local';

const COMMANDS: CommandNames = { deploy: 'npx whatsapp-flow local deploy', destroy: 'npx whatsapp-flow local destroy' };

const HELP = `usage: whatsapp-flow local <deploy|destroy|status> [options]

Deploys the WhatsApp Flows of your CDK app to an emulator of AWS End User Messaging Social on this
machine, through the provider's own handler and CloudFormation's behaviour (creates, updates,
deletes, rollbacks): no AWS account, no network. Other resources are not simulated.

  deploy    synthesize the app (the "app" of cdk.json, run as cdk synth runs it) and deploy the
            flows of every stack; run it again to apply exactly what changed
  destroy   delete what was deployed (drafts deleted, published flows deprecated) and clear
            the local state
  status    list the deployed flows and their status

options:
  --app <command|dir>   the command that runs the app, or a cloud assembly folder (cdk.out)
                        (default: the "app" of ./cdk.json)
  -c, --context k=v     a context value for the app, as with cdk -c (repeatable)
  --state-dir <dir>     the local state (default ${DEFAULT_STATE_DIR}; it ignores itself for git)
  --concurrency <n>     resources CloudFormation works on at once (default 10)
  --json                print the result as JSON
  --verbose             also print the provider's log lines
  -h, --help            show this help

exit codes: 0 done; 1 a deploy failed (and was rolled back) or a deletion failed; 2 bad usage,
an app that does not synthesize, or flows that cannot be deployed locally; 3 a bug.
`;

interface Args {
  action?: 'deploy' | 'destroy' | 'status';
  app?: string;
  context: Record<string, string>;
  stateDir: string;
  concurrency?: number;
  json: boolean;
  verbose: boolean;
  help: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { context: {}, stateDir: DEFAULT_STATE_DIR, json: false, verbose: false, help: false };
  const usage = (message: string, fix = 'see whatsapp-flow local --help') => new CliUserError(message, fix);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw usage(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case 'deploy':
      case 'destroy':
      case 'status':
        if (args.action) throw usage(`give one action, got ${args.action} and ${flag}`);
        args.action = flag;
        break;
      case '--app': args.app = value(); break;
      case '--state-dir': args.stateDir = value(); break;
      case '--concurrency': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw usage(`--concurrency needs a whole number of at least 1, got ${JSON.stringify(v)}`);
        args.concurrency = n;
        break;
      }
      case '-c':
      case '--context': {
        const kv = value();
        const eq = kv.indexOf('=');
        if (eq <= 0) throw usage(`${flag} needs key=value, got ${JSON.stringify(kv)}`, 'write it as -c key=value');
        args.context[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '--json': args.json = true; break;
      case '--verbose': args.verbose = true; break;
      case '-h':
      case '--help': args.help = true; break;
      default:
        throw usage(`unknown argument ${JSON.stringify(a)}`, 'run whatsapp-flow local --help for the actions and options');
    }
  }
  return args;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    io.stdout(HELP);
    return ExitCode.OK;
  }
  if (!args.action) throw new CliUserError('no action given', 'run whatsapp-flow local deploy, local destroy or local status');
  const state = new StateDir(path.resolve(io.cwd, args.stateDir));
  try {
    if (args.action === 'status') return await status(args, state, io);
    // Nothing is written in a folder that is not a CDK app's, nor for a destroy with no state.
    if (args.action === 'deploy') appOf(io.cwd, args.app);
    if (args.action === 'destroy' && !fs.existsSync(state.dir)) {
      printResult(io, { operation: 'destroy', results: [], notes: [`nothing is deployed from ${relativePath(io, state.dir)}`], exitCode: 0, durationMs: 0 }, { json: args.json, state, commands: COMMANDS });
      return ExitCode.OK;
    }
    let unlock: (() => void) | undefined;
    try {
      unlock = state.lock();
      ignoreForGit(state);
      return args.action === 'deploy' ? await deploy(args, state, io) : await destroy(args, state, io);
    } finally {
      unlock?.();
    }
  } catch (e) {
    throw userError(e, state, io) ?? e;
  }
}

async function deploy(args: Args, state: StateDir, io: Io): Promise<number> {
  const deployed = state.read(); // an unusable state fails before the app runs
  const synth = await synthesizeApp({ projectDir: io.cwd, app: args.app, context: args.context, outdir: state.outdir, output: (text) => io.stderr(text) });
  const assembly = readCloudAssembly(synth.assemblyDir);
  for (const m of assembly.messages) {
    if (m.level !== 'info') io.stderr(`[${m.level}] ${m.text}\n`);
  }
  if (assembly.messages.some((m) => m.level === 'error')) {
    throw new CliUserError('the app has errors (above)', 'fix them (npx cdk synth reports the same), then deploy again');
  }
  if (assembly.missingContext.length > 0) {
    io.stderr(
      `warning: the app looked up context it does not have (${assembly.missingContext.join(', ')}), so it was synthesized with CDK's placeholder values; ` +
        'run npx cdk synth once with AWS credentials to store the values in cdk.context.json\n',
    );
  }
  if (assembly.stacks.length === 0) throw new CliUserError(`the app${synth.command ? ` (${synth.command})` : ''} defines no stack`, 'add a Stack with WhatsAppFlow constructs to the app');

  const blocked: Array<{ stack: SynthesizedStack; flow: BlockedFlow }> = [];
  let flows = 0;
  for (const stack of assembly.stacks) {
    const scope = simulationScope(stack.template, environment(stack, deployed.stacks[stack.stackName]));
    flows += scope.flows.length;
    if (scope.skipped.length > 0) {
      io.stderr(`${stack.displayName}: not simulated locally, skipped: ${scope.skipped.map((r) => `${r.logicalId} (${r.type})`).join(', ')}\n`);
    }
    for (const flow of scope.blocked) blocked.push({ stack, flow });
  }
  if (blocked.length > 0) {
    throw new CliUserError(
      `${blocked.length} flow${blocked.length === 1 ? '' : 's'} cannot be deployed locally, so nothing was deployed:\n` +
        blocked.map(({ stack, flow }) => `  ${stack.displayName}/${flow.logicalId}${flow.flowName !== undefined ? ` (flow ${JSON.stringify(flow.flowName)})` : ''}: ${flow.reasons.join('; ')}`).join('\n'),
      'for the local trial, give those values in the app (literals, or context with -c), or leave those flows to cdk deploy',
    );
  }
  if (flows === 0 && Object.keys(deployed.stacks).length === 0) {
    throw new CliUserError(`the app's ${assembly.stacks.length} stack${assembly.stacks.length === 1 ? '' : 's'} declare no WhatsApp flow`, 'add WhatsAppFlow or WhatsAppFlowDirectory constructs to a stack of the app');
  }

  const result = await deployStacks(assembly.stacks, state, { io, commands: COMMANDS, concurrency: args.concurrency, verbose: args.verbose, flowsOnly: true });
  printResult(io, result, { json: args.json, state, commands: COMMANDS });
  return result.exitCode;
}

async function destroy(args: Args, state: StateDir, io: Io): Promise<number> {
  const result = await destroyStacks(state, { io, commands: COMMANDS, concurrency: args.concurrency, verbose: args.verbose, flowsOnly: true });
  printResult(io, result, { json: args.json, state, commands: COMMANDS });
  return result.exitCode;
}

async function status(args: Args, state: StateDir, io: Io): Promise<number> {
  const deployed = state.read();
  const flows = await deployedFlows(state);
  const stacks = Object.values(deployed.stacks).map((s) => ({ stack: s.stackName, status: s.status, updatedAt: s.updatedAt }));
  if (args.json) {
    io.stdout(`${JSON.stringify({ stateDir: relativePath(io, state.dir), stacks, flows }, undefined, 2)}\n`);
    return ExitCode.OK;
  }
  if (stacks.length === 0) {
    io.stdout(`nothing is deployed from ${relativePath(io, state.dir)}; ${COMMANDS.deploy} deploys the app's flows\n`);
    return ExitCode.OK;
  }
  for (const s of stacks) io.stdout(`${s.stack}: ${s.status} (${s.updatedAt})\n`);
  if (flows.length > 0) {
    const rows = [['STACK', 'LOGICAL ID', 'FLOW NAME', 'FLOW ID', 'STATUS'], ...flows.map((f) => [f.stack, f.logicalId, f.flowName, f.flowId, f.status])];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    io.stdout(`\n${rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n')}\n`);
  }
  return ExitCode.OK;
}

/** The state folder ignores itself: a `.gitignore` of `*` in it, so nothing of it is committed by mistake. */
function ignoreForGit(state: StateDir): void {
  const file = path.join(state.dir, '.gitignore');
  if (!fs.existsSync(file)) fs.writeFileSync(file, '# the local state of whatsapp-flow local: never commit it\n*\n');
}

/** The user-facing form of an error of the local deploy, or undefined for a bug. */
function userError(e: unknown, state: StateDir, io: Io): CliUserError | undefined {
  if (e instanceof CliUserError) return e;
  if (e instanceof AppError) return new CliUserError(e.message, e.fix);
  if (e instanceof AssemblyError) return new CliUserError(`the cloud assembly cannot be read: ${e.message}`, 'synthesize it again (npx cdk synth), or let whatsapp-flow local run the app');
  if (e instanceof StateError) return new CliUserError(e.message, `wait for the other run, or delete ${relativePath(io, state.dir)} to start again from an empty emulator`);
  if (e instanceof TemplateError) return new CliUserError(`a template cannot be deployed locally: ${e.message}`, 'check the template with npx cdk synth');
  if (e instanceof LocalSetupError) return new CliUserError(e.message, `check that ${relativePath(io, state.dir)} is writable`);
  return undefined;
}
