/**
 * A local deploy or destroy from start to end, shared by `npm start` (local/deploy/npm-start.ts, the
 * repository's example app) and `whatsapp-flow local` (a user's app): the emulator and the local
 * Lambda runtime started on the state folder, each stack's assets published and its events sent
 * through the engine (local/cloudformation/engine.ts) stack after stack, the state written after each one,
 * and the result printed as a table or JSON.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Io } from '../../cli/io';
import { FlowEmulator } from '../emulator';
import { parsePhysicalId, RESOURCE_TYPE } from '../../lib/shared/contract';
import { customResourceFunctionCode, publishFileAssets, SynthesizedStack } from './cloud-assembly';
import { Row, runStackOperation, StackResult } from '../cloudformation/engine';
import { summary, table } from './result-table';
import { LocalRuntime } from '../lambda/runtime';
import { DeployedState, DeployedStack, StateDir } from './state';
import { LocalEnvironment, sameJson } from '../cloudformation/template';

/** The environment of the local deploy is unusable: the emulator cannot start. */
export class LocalSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalSetupError';
  }
}

/** The account and Region of a stack that sets none. */
export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'us-east-1';

/** How the command that runs the operation is spelt, for the hints it prints. */
export interface CommandNames {
  /** Runs a deploy again, e.g. `npm start`. */
  readonly deploy: string;
  /** Deletes what was deployed, e.g. `npm start -- --destroy`. */
  readonly destroy: string;
}

export interface OperationOptions {
  readonly io: Io;
  readonly commands: CommandNames;
  /** Resources in progress at once. @default the engine's (10) */
  readonly concurrency?: number;
  /** Also print the provider's log lines. */
  readonly verbose?: boolean;
  /** Send events to the flows only (see StackOperation.flowsOnly). @default false */
  readonly flowsOnly?: boolean;
}

export interface OperationResult {
  readonly operation: 'deploy' | 'destroy';
  readonly results: StackResult[];
  readonly notes: string[];
  /** 0 done; 1 a deploy failed (and was rolled back) or a deletion failed. */
  readonly exitCode: number;
  readonly durationMs: number;
}

/** What every stack operation of a local deploy or destroy gives the engine. */
function engineOptions(state: StateDir, runtime: LocalRuntime, options: OperationOptions) {
  return {
    stateDir: state.dir,
    runtime,
    concurrency: options.concurrency,
    flowsOnly: options.flowsOnly,
    progress: (line: string) => options.io.stderr(`  ${line}\n`),
  };
}

/** Deploys the stacks, in order, to the emulator of the state folder; stops at the first that fails, as cdk deploy does. */
export async function deployStacks(stacks: SynthesizedStack[], state: StateDir, options: OperationOptions): Promise<OperationResult> {
  const { io } = options;
  const started = Date.now();
  const deployed = state.read();
  const emulatorExisted = fs.existsSync(state.emulatorFile);
  if (!emulatorExisted && Object.keys(deployed.stacks).length > 0) {
    io.stderr(`warning: ${relativePath(io, state.emulatorFile)} is missing: the flows recorded in ${relativePath(io, state.deployedFile)} are gone from the emulator (deploys will recreate changed ones)\n`);
  }
  const emulator = await startEmulator(state);
  const runtime = await startRuntime(emulator, state, options);
  const results: StackResult[] = [];
  let current: DeployedState = deployed;
  try {
    for (const stack of stacks) {
      const previous = deployed.stacks[stack.stackName];
      const env = environment(stack, previous);
      publishFileAssets(stack, env, emulator);
      const functions = keepFunctionCode(stack, env, state, options.flowsOnly);
      const result = await runStackOperation({
        env,
        previous,
        next: { template: stack.template, functions },
        ...engineOptions(state, runtime, options),
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
    .filter((name) => !stacks.some((s) => s.stackName === name))
    .map((name) => `stack ${name} is deployed but no longer in the app; like cdk deploy this leaves it alone (${options.commands.destroy} deletes it)`);
  const exitCode = results.some((r) => r.failure !== undefined || r.problems.length > 0) ? 1 : 0;
  return { operation: 'deploy', results, notes, exitCode, durationMs: Date.now() - started };
}

/** Deletes every deployed stack, last deployed first; clears the state when all went. */
export async function destroyStacks(state: StateDir, options: OperationOptions): Promise<OperationResult> {
  const { io } = options;
  const started = Date.now();
  const deployed = state.read();
  const names = Object.keys(deployed.stacks).reverse();
  if (names.length === 0) {
    state.clear();
    return { operation: 'destroy', results: [], notes: [`nothing is deployed from ${relativePath(io, state.dir)}; its local state is cleared`], exitCode: 0, durationMs: Date.now() - started };
  }
  const emulator = await startEmulator(state);
  const runtime = await startRuntime(emulator, state, options);
  const results: StackResult[] = [];
  let current = deployed;
  try {
    for (const name of names) {
      const previous = deployed.stacks[name];
      const result = await runStackOperation({
        env: environmentOf(previous),
        previous,
        ...engineOptions(state, runtime, options),
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
    notes.push(`local state cleared (${relativePath(io, state.dir)}): the next ${options.commands.deploy} begins with an empty emulator`);
  }
  return { operation: 'destroy', results, notes, exitCode: failed ? 1 : 0, durationMs: Date.now() - started };
}

/** Prints the result: a table of the flows, each stack's summary and the notes (or one JSON document). */
export function printResult(io: Io, r: OperationResult, options: { json: boolean; state: StateDir; commands: CommandNames }): void {
  const rows: Row[] = r.results.flatMap((x) => x.rows);
  if (options.json) {
    io.stdout(`${JSON.stringify({
      operation: r.operation,
      ok: r.exitCode === 0,
      exitCode: r.exitCode,
      durationMs: r.durationMs,
      stacks: r.results.map((x) => ({ stack: x.stackName, outcome: x.outcome, events: x.events, failure: x.failure, problems: x.problems, summary: summary(x) })),
      rows,
      notes: r.notes,
    }, undefined, 2)}\n`);
    return;
  }
  if (rows.length > 0) io.stdout(`\n${table(rows)}\n\n`);
  for (const x of r.results) io.stdout(`${summary(x)}\n`);
  for (const x of r.results) {
    if (x.failure !== undefined) io.stderr(`error: ${x.failure}\n`);
    for (const p of x.problems) io.stderr(`warning: ${p}\n`);
  }
  for (const n of r.notes) io.stdout(`${n}\n`);
  if (r.results.some((x) => x.failure !== undefined)) io.stderr(`the provider's log lines are in ${relativePath(io, options.state.logFile)}\n`);
  if (r.operation === 'deploy' && r.exitCode === 0) {
    io.stdout(`done in ${(r.durationMs / 1000).toFixed(1)} s; state in ${relativePath(io, options.state.dir)}; ${options.commands.destroy} removes everything\n`);
  }
}

/** The flows of the deployed stacks, as the state records them, with their status in the emulator now. */
export async function deployedFlows(state: StateDir): Promise<Array<{ stack: string; logicalId: string; flowName: string; flowId: string; status: string }>> {
  const deployed = state.read();
  const stacks = Object.values(deployed.stacks);
  const live = new Map<string, string>();
  if (stacks.length > 0 && fs.existsSync(state.emulatorFile)) {
    const emulator = await startEmulator(state);
    try {
      for (const f of emulator.flows()) live.set(f.flowId, f.status);
    } finally {
      await emulator.close();
    }
  }
  return stacks.flatMap((s) =>
    Object.entries(s.resources)
      .filter(([, r]) => r.type === RESOURCE_TYPE)
      .map(([logicalId, r]) => {
        const flowId = parsePhysicalId(r.physicalId)?.flowId ?? r.physicalId;
        return { stack: s.stackName, logicalId, flowName: String(r.properties.FlowName ?? '-'), flowId, status: live.get(flowId) ?? 'gone from the emulator' };
      }),
  );
}

async function startEmulator(state: StateDir): Promise<FlowEmulator> {
  try {
    return await FlowEmulator.start({ stateFile: state.emulatorFile });
  } catch (e) {
    throw new LocalSetupError(`the emulator cannot start: ${(e as Error).message}`);
  }
}

function startRuntime(emulator: FlowEmulator, state: StateDir, options: OperationOptions): Promise<LocalRuntime> {
  return LocalRuntime.start({ emulator, logFile: state.logFile, echo: options.verbose ? (l) => options.io.stderr(`${l}\n`) : undefined });
}

/** Local values for the pseudo parameters: the stack's own account and Region when it sets them. */
export function environment(stack: SynthesizedStack, previous: DeployedStack | undefined): LocalEnvironment {
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

/** The environment a stack was deployed with. */
export function environmentOf(stack: DeployedStack): LocalEnvironment {
  const [, partition = 'aws', , region = LOCAL_REGION, accountId = LOCAL_ACCOUNT] = stack.stackId.split(':');
  return { partition, region, accountId, stackName: stack.stackName, stackId: stack.stackId };
}

/**
 * Keeps a copy of the code of the functions that serve the stack's custom resources (from the
 * assembly's folder assets), so rollbacks and destroys run the deployed code even after the app
 * changed. Returns each function's code folder, relative to the state folder.
 */
function keepFunctionCode(stack: SynthesizedStack, env: LocalEnvironment, state: StateDir, flowsOnly = false): Record<string, string> {
  const functions: Record<string, string> = {};
  const assets = new Map(stack.assets.map((a) => [a.source, a.hash]));
  for (const [id, dir] of Object.entries(customResourceFunctionCode(stack, env, flowsOnly ? RESOURCE_TYPE : undefined))) {
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

/** A path as the user gave it: relative to the current directory. */
export function relativePath(io: Io, p: string): string {
  return path.relative(io.cwd, p) || '.';
}
