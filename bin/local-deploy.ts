/**
 * `npm start`: deploys the example app's flows to the built-in emulator, the way CloudFormation
 * would deploy them to AWS.
 *
 * It synthesizes the app in-process, uploads the flows' S3 assets to the emulator, works out the
 * events a CloudFormation deploy would send for the stack's custom resources (creates, updates,
 * replacements, deletions, rollbacks, independent resources in parallel; see
 * bin/local/engine.ts) and sends each to the provider's bundled handler from the cloud assembly,
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
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FlowEmulator } from '../emulator';
import { customResourceFunctionCode, loadAppBuilder, publishFileAssets, SynthError, SynthesizedStack, synthesize } from './local/assembly';
import { Row, runStackOperation, StackResult } from './local/engine';
import { summary, table } from './local/report';
import { ensureHandlerBundle } from './local/handler-bundle';
import { LocalRuntime } from './local/runtime';
import { DeployedState, DeployedStack, StateDir, StateError } from './local/state';
import { LocalEnvironment, sameJson, TemplateError } from './local/template';

const DEFAULT_APP = path.join(__dirname, 'app.ts');
const LOCAL_ACCOUNT = '123456789012';
const LOCAL_REGION = 'us-east-1';

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

/** Where the command writes, and what relative paths are relative to. */
export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd: string;
}

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
    if (e instanceof SetupError || e instanceof StateError || e instanceof SynthError || e instanceof TemplateError) {
      io.stderr(`local-deploy: ${e.message}\n`);
      return 2;
    }
    const err = e as Error;
    io.stderr(`local-deploy: internal error: ${err?.name ?? 'Error'}: ${err?.message ?? String(e)} (a bug in the local deploy; the state in ${show(io, state.dir)} is as the last completed step left it)\n`);
    return 3;
  } finally {
    unlock?.();
  }
}

async function deploy(args: Args, state: StateDir, io: Io): Promise<number> {
  const started = Date.now();
  const deployed = state.read();
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
  if (synth.stacks.length === 0) throw new SynthError(`${show(io, appPath)} defines no stack`);

  const emulatorExisted = fs.existsSync(state.emulatorFile);
  if (!emulatorExisted && Object.keys(deployed.stacks).length > 0) {
    io.stderr(`warning: ${show(io, state.emulatorFile)} is missing: the flows recorded in ${show(io, state.deployedFile)} are gone from the emulator (deploys will recreate changed ones)\n`);
  }
  const emulator = await startEmulator(state);
  const runtime = await LocalRuntime.start({ emulator, logFile: state.logFile, echo: args.verbose ? (l) => io.stderr(`${l}\n`) : undefined });
  const results: StackResult[] = [];
  let current: DeployedState = deployed;
  try {
    for (const stack of synth.stacks) {
      const previous = deployed.stacks[stack.stackName];
      const env = environment(stack, previous);
      publishFileAssets(stack, env, emulator);
      const functions = keepFunctionCode(stack, env, state);
      const result = await runStackOperation({
        env,
        previous,
        next: { template: stack.template, functions },
        stateDir: state.dir,
        runtime,
        concurrency: args.concurrency,
        progress: (line) => io.stderr(`  ${line}\n`),
      });
      results.push(result);
      const unchanged = result.outcome === 'no changes' && previous !== undefined && sameJson(previous.template, stack.template);
      if (!unchanged) {
        current = withStack(current, stack.stackName, result.state);
        state.write(current);
      }
      if (result.failure !== undefined) break; // like cdk deploy: the next stacks are not deployed
    }
  } finally {
    await runtime.close();
    await emulator.close();
  }
  state.pruneFunctionCode(current);

  const notes = Object.keys(deployed.stacks)
    .filter((name) => !synth.stacks.some((s) => s.stackName === name))
    .map((name) => `stack ${name} is deployed but no longer in the app; like cdk deploy this leaves it alone (--destroy deletes it)`);
  const code = results.some((r) => r.failure !== undefined || r.problems.length > 0) ? 1 : 0;
  report(io, args, 'deploy', results, notes, code, Date.now() - started, state);
  return code;
}

async function destroy(args: Args, state: StateDir, io: Io): Promise<number> {
  const started = Date.now();
  const deployed = state.read();
  const names = Object.keys(deployed.stacks).reverse();
  if (names.length === 0) {
    state.clear();
    report(io, args, 'destroy', [], [`nothing is deployed from ${show(io, state.dir)}; its local state is cleared`], 0, Date.now() - started, state);
    return 0;
  }
  const emulator = await startEmulator(state);
  const runtime = await LocalRuntime.start({ emulator, logFile: state.logFile, echo: args.verbose ? (l) => io.stderr(`${l}\n`) : undefined });
  const results: StackResult[] = [];
  let current = deployed;
  try {
    for (const name of names) {
      const previous = deployed.stacks[name];
      const result = await runStackOperation({
        env: environmentOf(previous),
        previous,
        stateDir: state.dir,
        runtime,
        concurrency: args.concurrency,
        progress: (line) => io.stderr(`  ${line}\n`),
      });
      results.push(result);
      current = withStack(current, name, result.state);
      state.write(current);
    }
  } finally {
    await runtime.close();
    await emulator.close();
  }
  const failed = results.some((r) => r.failure !== undefined);
  const notes: string[] = [];
  if (!failed) {
    state.clear();
    notes.push(`local state cleared (${show(io, state.dir)}): the next npm start begins with an empty emulator`);
  }
  const code = failed ? 1 : 0;
  report(io, args, 'destroy', results, notes, code, Date.now() - started, state);
  return code;
}

async function startEmulator(state: StateDir): Promise<FlowEmulator> {
  try {
    return await FlowEmulator.start({ stateFile: state.emulatorFile });
  } catch (e) {
    throw new SetupError(`the emulator cannot start: ${(e as Error).message}`);
  }
}

/** Local values for the pseudo parameters: the stack's own account and Region when it sets them. */
function environment(stack: SynthesizedStack, previous: DeployedStack | undefined): LocalEnvironment {
  const region = stack.region ?? LOCAL_REGION;
  const accountId = stack.account ?? LOCAL_ACCOUNT;
  return {
    partition: 'aws',
    region,
    accountId,
    stackName: stack.stackName,
    stackId: previous?.stackId ?? `arn:aws:cloudformation:${region}:${accountId}:stack/${stack.stackName}/${randomUUID()}`,
  };
}

function environmentOf(stack: DeployedStack): LocalEnvironment {
  const [, partition = 'aws', , region = LOCAL_REGION, accountId = LOCAL_ACCOUNT] = stack.stackId.split(':');
  return { partition, region, accountId, stackName: stack.stackName, stackId: stack.stackId };
}

/**
 * Keeps a copy of the code of the functions that serve the stack's custom resources (from the
 * assembly's folder assets), so rollbacks and --destroy run the deployed code even after the app
 * changed. Returns each function's code folder, relative to the state folder.
 */
function keepFunctionCode(stack: SynthesizedStack, env: LocalEnvironment, state: StateDir): Record<string, string> {
  const functions: Record<string, string> = {};
  const assets = new Map(stack.assets.map((a) => [a.source, a.hash]));
  for (const [id, dir] of Object.entries(customResourceFunctionCode(stack, env))) {
    functions[id] = state.keepFunctionCode(dir, assets.get(dir) ?? path.basename(dir));
  }
  return functions;
}

function withStack(state: DeployedState, name: string, stack: DeployedStack | undefined): DeployedState {
  const stacks = { ...state.stacks };
  if (stack) stacks[name] = stack;
  else delete stacks[name];
  return { ...state, stacks };
}

function report(io: Io, args: Args, operation: 'deploy' | 'destroy', results: StackResult[], notes: string[], exitCode: number, ms: number, state: StateDir): void {
  const rows: Row[] = results.flatMap((r) => r.rows);
  if (args.json) {
    io.stdout(`${JSON.stringify({
      operation,
      ok: exitCode === 0,
      exitCode,
      durationMs: ms,
      stacks: results.map((r) => ({ stack: r.stackName, outcome: r.outcome, events: r.events, failure: r.failure, problems: r.problems, summary: summary(r) })),
      rows,
      notes,
    }, undefined, 2)}\n`);
    return;
  }
  if (rows.length > 0) io.stdout(`\n${table(rows)}\n\n`);
  for (const r of results) io.stdout(`${summary(r)}\n`);
  for (const r of results) {
    if (r.failure !== undefined) io.stderr(`error: ${r.failure}\n`);
    for (const p of r.problems) io.stderr(`warning: ${p}\n`);
  }
  for (const n of notes) io.stdout(`${n}\n`);
  if (results.some((r) => r.failure !== undefined)) io.stderr(`the provider's log lines are in ${show(io, state.logFile)}\n`);
  if (operation === 'deploy' && exitCode === 0) {
    io.stdout(`done in ${(ms / 1000).toFixed(1)} s; state in ${show(io, state.dir)}; npm start -- --destroy removes everything\n`);
  }
}

function show(io: Io, p: string): string {
  return path.relative(io.cwd, p) || '.';
}

function processIo(): Io {
  return { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), cwd: process.cwd() };
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`local-deploy: internal error: ${(e as Error)?.message ?? String(e)}\n`);
      process.exitCode = 3;
    },
  );
}
