/**
 * Deploy: creating N flows, updating one among N and destroying N, through the provider's bundled
 * handler against the rate-limited emulator, with CloudFormation's event order.
 *
 * Every path runs the local CloudFormation engine (`runStackOperation` of local/cloudformation/engine.ts,
 * what `npm start` runs): independent resources in parallel, at most PARALLELISM events in flight,
 * each in a Lambda container of its own (reused when idle), the role's permissions simulated.
 * The AwsCustomResource DIY baseline runs aws-cdk-lib's own handler through the same engine; our
 * provider also runs with one event at a time, to show what the parallelism is worth.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FlowEmulator } from '../../local/emulator';
import { customResourceFunctionCode, publishFileAssets, SynthesizedStack, synthesize } from '../../local/deploy/in-process-synth';
import { Phase as EnginePhase, runStackOperation, StackResult } from '../../local/cloudformation/engine';
import { LocalRuntime } from '../../local/lambda/runtime';
import type { LocalEnvironment, Template } from '../../local/cloudformation/template';
import { RESOURCE_TYPE } from '../../lib/shared/contract';
import { HANDLER_BUNDLE, variantFiles, variantText } from '../support/context';
import { writeDiyHandler } from '../support/diy-handler';
import { Worker } from '../support/proc';
import type { SectionResult, Table } from '../support/report';
import type { SectionContext } from '../support/section';
import { benchEnv, buildApp, Variant } from '../support/stacks';
import { fmtMs, fmtRatio, now, pct } from '../support/stats';
import { deployFailure } from './synth';
import { templateFacts } from '../support/stacks';

/** The service as the benchmark models it. */
export const LATENCY_MS = 100;
export const RATE_LIMIT_RPS = 20;
export const RATE_LIMIT_BURST = 20;
/** Events CloudFormation has in flight at once (the engine's default). */
export const PARALLELISM = 10;
const SERVICE_TIMEOUT_MS = 420_000;

const FLOW_OPS = ['ListWhatsAppFlows', 'CreateWhatsAppFlow', 'GetWhatsAppFlow', 'UpdateWhatsAppFlowAssets', 'UpdateWhatsAppFlow', 'PublishWhatsAppFlow', 'DeleteWhatsAppFlow', 'DeprecateWhatsAppFlow'] as const;
const SHORT: Record<string, string> = {
  ListWhatsAppFlows: 'List',
  CreateWhatsAppFlow: 'Create',
  GetWhatsAppFlow: 'Get',
  UpdateWhatsAppFlowAssets: 'UpdateAssets',
  UpdateWhatsAppFlow: 'Update',
  PublishWhatsAppFlow: 'Publish',
  DeleteWhatsAppFlow: 'Delete',
  DeprecateWhatsAppFlow: 'Deprecate',
};
/** The one call each event needs at least (drafts). */
const MINIMUM: Record<Phase, string> = { create: 'CreateWhatsAppFlow', update: 'UpdateWhatsAppFlowAssets', destroy: 'DeleteWhatsAppFlow' };

type Phase = 'create' | 'update' | 'destroy';
type Path = 'ours' | 'diy' | 'serial';
const PATH_LABEL: Record<Path, string> = {
  ours: `WhatsAppFlow, local engine (${PARALLELISM} in parallel)`,
  diy: `AwsCustomResource DIY, local engine (${PARALLELISM} in parallel)`,
  serial: 'WhatsAppFlow, local engine (1 event at a time)',
};

export interface PhaseResult {
  readonly doc: string;
  readonly n: number;
  readonly path: Path;
  readonly phase: Phase;
  readonly events: number;
  readonly succeeded: number;
  readonly wallMs: number;
  /** Requests the emulator received for each flow operation (throttled ones included). */
  readonly ops: Record<string, number>;
  readonly throttled: number;
  /** Retries the handler logged. */
  readonly retries: number;
  readonly longestEventMs: number;
  readonly coldStarts: number;
  readonly failures: string[];
  /** ListWhatsAppFlows requests made after a CreateWhatsAppFlow of the same event (reconciling a refused create). */
  readonly reconcileLists: number;
  /** Why the template cannot be deployed at all (then nothing was sent). */
  readonly notDeployable?: string;
}

/**
 * The lower bound of a phase: the necessary calls beyond the bucket's burst at the rate limit, and
 * at least one round trip per wave of parallel events.
 */
export function idealMs(necessaryCalls: number, parallelism: number): number {
  return Math.max((Math.max(0, necessaryCalls - RATE_LIMIT_BURST) / RATE_LIMIT_RPS) * 1000, Math.ceil(necessaryCalls / parallelism) * LATENCY_MS);
}

export function opsOf(emulator: FlowEmulator): { ops: Record<string, number>; throttled: number } {
  const ops: Record<string, number> = {};
  let throttled = 0;
  for (const c of emulator.calls()) {
    ops[c.operation] = (ops[c.operation] ?? 0) + 1;
    if (c.httpStatus === 429) throttled++;
  }
  return { ops, throttled };
}

function retriesIn(lines: ReadonlyArray<Record<string, unknown>>): number {
  return lines.filter((l) => l.event === 'retry').length;
}

/** List requests an event made after its first CreateWhatsAppFlow: the reconciliation of a refused create. */
export function reconcileListsIn(lines: ReadonlyArray<Record<string, unknown>>): number {
  let n = 0;
  for (const l of lines) {
    if ((l.event !== 'done' && l.event !== 'failed') || !Array.isArray(l.calls)) continue;
    const calls = l.calls as string[];
    const first = calls.indexOf('CreateWhatsAppFlow');
    if (first >= 0) n += calls.slice(first + 1).filter((c) => c === 'ListWhatsAppFlows').length;
  }
  return n;
}

interface Deployable {
  readonly stack: SynthesizedStack;
  readonly type: string;
}

function synthFor(variant: Variant, files: string[], outdir: string): Deployable {
  const s = synthesize(({ outdir: o }) => buildApp({ variant, files, outdir: o, validation: false }), { outdir, context: {}, validate: false });
  return { stack: s.stacks[0], type: RESOURCE_TYPE };
}

/**
 * What the engine deploys of a synthesized stack: its template and the code of its custom
 * resources' functions (relative to `stateDir`), `codeDir` instead when given (the DIY wrapper).
 */
export function engineInput(stack: SynthesizedStack, env: LocalEnvironment, stateDir: string, codeDir?: string): { template: Template; functions: Record<string, string> } {
  const functions: Record<string, string> = {};
  for (const [id, dir] of Object.entries(customResourceFunctionCode(stack, env))) functions[id] = path.relative(stateDir, codeDir ?? dir);
  return { template: stack.template, functions };
}

/** One (document, N) case, run in a worker process of its own so that its heap is freed after it. */
export interface DeployCase {
  readonly doc: string;
  readonly n: number;
  readonly paths: Path[];
  /** The N flow files, and the changed copy of the first one for the update. */
  readonly files: string[];
  readonly changed: string;
  readonly workDir: string;
  readonly diyCode: string;
  /** Also check the DIY baseline on a published flow (once). */
  readonly diyPublished?: { readonly text: string };
}

export interface DeployCaseResult {
  readonly results: PhaseResult[];
  readonly diyPublished?: string;
  readonly error?: string;
}

/** Runs one case: each path deploys, updates one flow and destroys, on a fresh emulator state and fresh containers. */
export async function runDeployCase(c: DeployCase, progress: (m: string) => void = () => undefined): Promise<DeployCaseResult> {
  const results: PhaseResult[] = [];
  const emulator = await FlowEmulator.start({ latencyMs: LATENCY_MS, rateLimit: { requestsPerSecond: RATE_LIMIT_RPS, burst: RATE_LIMIT_BURST }, idSeed: 'bench' });
  let diyPublished: string | undefined;
  try {
    for (const p of c.paths) {
      const variant: Variant = p === 'diy' ? 'diy' : 'ours';
      const out = path.join(c.workDir, `${p}`);
      fs.mkdirSync(out, { recursive: true });
      if (p === 'diy') {
        // The DIY template grows by the document twice per flow: check one flow first, then all.
        const factsOf = (d: Deployable) => templateFacts(d.stack.templateFile, d.stack.template);
        const failOne = deployFailure(factsOf(synthFor(variant, c.files.slice(0, 1), path.join(out, 'one'))));
        const failure = failOne ? `${failOne} already at N = 1` : deployFailure(factsOf(synthFor(variant, c.files, path.join(out, 'all'))));
        if (failure) {
          results.push({ doc: c.doc, n: c.n, path: p, phase: 'create', events: c.n, succeeded: 0, wallMs: 0, ops: {}, throttled: 0, retries: 0, longestEventMs: 0, coldStarts: 0, failures: [], reconcileLists: 0, notDeployable: failure });
          fs.rmSync(out, { recursive: true, force: true });
          continue;
        }
      }
      const v1 = synthFor(variant, c.files, path.join(out, 'v1'));
      const v2 = () => synthFor(variant, [c.changed, ...c.files.slice(1)], path.join(out, 'v2'));
      emulator.reset();
      progress(`deploy ${c.doc} N=${c.n} ${p}`);
      const phases = await viaEngine(emulator, v1, v2, out, p === 'serial' ? 1 : PARALLELISM, p === 'diy' ? c.diyCode : undefined);
      for (const r of phases) results.push({ ...r, doc: c.doc, n: c.n, path: p });
      fs.rmSync(out, { recursive: true, force: true });
    }
    if (c.diyPublished) diyPublished = await diyDeletesPublished(emulator, c.diyCode, c.diyPublished.text, path.join(c.workDir, 'diy-published'));
  } finally {
    await emulator.close();
  }
  return { results, diyPublished };
}

const WORKER = path.join(__dirname, '..', 'workers', 'deploy-worker.ts');

export async function deploySection(ctx: SectionContext): Promise<SectionResult> {
  const started = now();
  const { options, scratch, docs } = ctx;
  if (!fs.existsSync(HANDLER_BUNDLE)) {
    return { id: 'deploy', title: 'Deploy', tables: [], findings: [], durationMs: 0, skipped: 'lambda/dist/index.js is missing: run `npm run build` first' };
  }
  const results: PhaseResult[] = [];
  const diyCode = writeDiyHandler(scratch.sub('diy-handler'));
  let diyPublished: string | undefined;
  const left: string[] = [];
  const errors: string[] = [];
  for (const doc of [docs.median, docs.largest]) {
    let counts = options.deployFlowCounts.filter((n) => doc !== docs.largest || n <= options.largestDocDeployMaxFlows);
    if (counts.length === 0) counts = [1];
    if (!options.quick) for (const n of options.deployFlowCounts) if (!counts.includes(n)) left.push(`${doc.label} document at N = ${n}`);
    const files = variantFiles(scratch.sub(`flows-${doc.label.replace(/\s+/g, '-')}`), doc, Math.max(...counts));
    // The update changes flow 0's document: its own copy, so the shared files stay as they were.
    const changed = path.join(scratch.sub(`deploy-${doc.label.replace(/\s+/g, '-')}-changed`), 'flow-0.json');
    fs.writeFileSync(changed, variantText(doc.text, 100_000));
    for (const n of counts) {
      const paths: Path[] = ['ours', 'diy', ...(options.serialFlowCounts.includes(n) ? ['serial' as Path] : [])];
      const input: DeployCase = {
        doc: doc.label, n, paths, files: files.slice(0, n), changed, workDir: scratch.sub(`deploy-${doc.label.replace(/\s+/g, '-')}-${n}`), diyCode,
        diyPublished: doc === docs.median && n === counts[0] ? { text: doc.text } : undefined,
      };
      ctx.progress(`deploy ${doc.label} N=${n} (${paths.join(', ')})`);
      const worker = new Worker<DeployCase, DeployCaseResult>(WORKER, ['--max-old-space-size=8192']);
      try {
        const r = await worker.request(input, 600_000);
        if (r.error) throw new Error(r.error);
        results.push(...r.results);
        diyPublished ??= r.diyPublished;
      } catch (e) {
        // One case that cannot run is a row of the table, not the end of the section.
        errors.push(`${doc.label} N=${n}: ${String((e as Error)?.message ?? e).split('\n')[0]}`);
      } finally {
        await worker.close();
        fs.rmSync(input.workDir, { recursive: true, force: true });
      }
    }
  }
  const r = report(results, diyPublished, left, now() - started);
  if (errors.length) r.findings.unshift(...errors.map((e) => `The benchmark could not run ${e}`));
  return r;
}

type PhaseOut = Omit<PhaseResult, 'doc' | 'n' | 'path'>;

/**
 * The three phases through the local engine: the stack created, updated (one flow's document) and
 * deleted, each with fresh figures (calls, log lines, cold starts) and a fresh set of containers.
 */
async function viaEngine(emulator: FlowEmulator, v1: Deployable, nextVersion: () => Deployable, stateDir: string, concurrency: number, codeDir?: string): Promise<PhaseOut[]> {
  const logFile = path.join(stateDir, 'functions.log');
  const runtime = await LocalRuntime.start({ emulator, logFile });
  const env = benchEnv();
  const out: PhaseOut[] = [];
  try {
    const run = async (phase: Phase, counted: EnginePhase, expected: number, op: () => Promise<StackResult>): Promise<StackResult> => {
      emulator.clearCalls();
      fs.writeFileSync(logFile, '');
      const cold = runtime.stats().coldStarts;
      const t0 = now();
      const r = await op();
      const wallMs = now() - t0;
      // An answered event's invocation ends just after its answer: its log lines come with it.
      await runtime.settled();
      const lines = fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      const { ops, throttled } = opsOf(emulator);
      const events = r.sent.filter((e) => e.phase === counted);
      const reasons = events.filter((e) => e.status !== 'SUCCESS').map((e) => e.reason);
      out.push({
        phase,
        events: expected,
        succeeded: events.filter((e) => e.status === 'SUCCESS').length,
        wallMs,
        ops,
        throttled,
        retries: retriesIn(lines),
        reconcileLists: reconcileListsIn(lines),
        longestEventMs: Math.max(0, ...events.map((e) => e.durationMs)),
        coldStarts: runtime.stats().coldStarts - cold,
        failures: [...new Set([...(r.failure ? [r.failure] : []), ...reasons])].slice(0, 3),
      });
      return r;
    };
    const n = Object.values(v1.stack.template.Resources ?? {}).filter((r) => r.Type === v1.type).length;
    const options = { env, stateDir, runtime, concurrency, serviceTimeoutMs: SERVICE_TIMEOUT_MS };
    publishFileAssets(v1.stack, env, emulator);
    const r1 = await run('create', 'update', n, () => runStackOperation({ ...options, next: engineInput(v1.stack, env, stateDir, codeDir) }));
    if (!r1.state) return out; // the creation failed and was rolled back: nothing to update or delete
    const v2 = nextVersion();
    publishFileAssets(v2.stack, env, emulator);
    const r2 = await run('update', 'update', 1, () => runStackOperation({ ...options, previous: r1.state, next: engineInput(v2.stack, env, stateDir, codeDir) }));
    await run('destroy', 'destroy', n, () => runStackOperation({ ...options, previous: r2.state ?? r1.state }));
  } finally {
    await runtime.close();
  }
  return out;
}

/**
 * The DIY baseline on a published flow, through the engine: a DIY stack with one flow, the flow
 * published out of band, then the stack deleted. Its fixed onDelete (DeleteWhatsAppFlow) cannot
 * deprecate it.
 */
async function diyDeletesPublished(emulator: FlowEmulator, diyCode: string, text: string, dir: string): Promise<string> {
  emulator.reset();
  fs.mkdirSync(dir, { recursive: true });
  const files = [path.join(dir, 'published.json')];
  fs.writeFileSync(files[0], text);
  const d = synthFor('diy', files, path.join(dir, 'out'));
  const runtime = await LocalRuntime.start({ emulator, logFile: path.join(dir, 'functions.log') });
  const env = benchEnv();
  try {
    const options = { env, stateDir: dir, runtime, serviceTimeoutMs: 60_000 };
    const created = await runStackOperation({ ...options, next: engineInput(d.stack, env, dir, diyCode) });
    const flowId = Object.values(created.state?.resources ?? {})[0]?.physicalId;
    if (!flowId) return `not run: the DIY stack could not be created (${created.failure})`;
    emulator.setStatus(flowId, 'PUBLISHED');
    const deleted = await runStackOperation({ ...options, previous: created.state });
    const o = deleted.sent.find((e) => e.phase === 'destroy');
    return `${o?.status ?? deleted.outcome}${o?.status === 'FAILED' ? `: ${o.reason.slice(0, 200)}` : ''} (flow left ${emulator.flow(flowId)?.status ?? 'gone'})`;
  } finally {
    await runtime.close();
  }
}

function callsCell(r: PhaseResult): string {
  if (!r.events || r.notDeployable) return '—';
  const parts = FLOW_OPS.filter((op) => r.ops[op]).map((op) => `${SHORT[op]} ${(r.ops[op] / r.events).toFixed(2)}`);
  const total = FLOW_OPS.reduce((a, op) => a + (r.ops[op] ?? 0), 0) / r.events;
  return `${total.toFixed(2)} = ${parts.join(' + ')}`;
}

function report(results: PhaseResult[], diyPublished: string | undefined, left: string[], durationMs: number): SectionResult {
  const tables: Table[] = [];
  const findings: string[] = [];
  const rows: string[][] = [];
  for (const r of results) {
    if (r.notDeployable) {
      rows.push([r.doc, String(r.n), PATH_LABEL[r.path], `create, update, destroy ${r.n}`, `✗ not deployable: ${r.notDeployable}`, '—', '—', '0%', '—', '1 per event', '—', '—', '—']);
      continue;
    }
    const necessary = r.phase === 'update' ? 1 : r.n;
    const ideal = idealMs(necessary, r.path === 'serial' ? 1 : PARALLELISM);
    rows.push([
      r.doc, String(r.n), PATH_LABEL[r.path], r.phase === 'update' ? `update 1 of ${r.n}` : `${r.phase} ${r.n}`,
      fmtMs(r.wallMs), fmtMs(ideal), fmtRatio(r.wallMs / ideal),
      `${pct(r.succeeded, r.events)}${r.succeeded < r.events ? ` ✗ (${r.failures[0]?.slice(0, 120)})` : ''}`,
      callsCell(r), `1 (${SHORT[MINIMUM[r.phase]]})`, `${r.throttled} / ${r.path === 'diy' ? 'n/a' : r.retries}`, fmtMs(r.longestEventMs),
      String(r.coldStarts),
    ]);
  }
  tables.push({
    title: 'Deploying N flows',
    intro:
      `Emulator: ${LATENCY_MS} ms latency on every request, a token bucket of ${RATE_LIMIT_RPS} requests/s (burst ${RATE_LIMIT_BURST}) over the flow operations (S3 reads are not limited). ` +
      `Every path runs the local CloudFormation engine (what \`npm start\` runs): ${PARALLELISM} events in flight at once (CloudFormation runs independent resources in parallel and documents no limit; ${PARALLELISM} is an assumption), a Lambda container per concurrent event, reused when idle (cold starts included), the role's permissions simulated; "1 event at a time" is the same engine with a concurrency of 1. ` +
      'Flows are drafts (`publish: false`); the update changes one flow\'s document. "ideal" = max((necessary calls − burst) ÷ rate limit, one latency per wave of parallel events), necessary calls = 1 per event: for small N the latency bound rules, from about 40 flows the rate limit. ' +
      '"calls per event" counts every request the emulator received for the phase (throttled and retried attempts included) per event; S3 reads are not counted. One run per row.',
    columns: ['document', 'N', 'path', 'phase', 'wall time', 'ideal', 'wall ÷ ideal', 'events succeeded', 'flow API calls per event', 'minimum', 'throttled (429) / handler retries', 'longest event', 'cold starts'],
    rows,
    notes: [
      `The AwsCustomResource DIY handler is aws-cdk-lib's own (2.276), run unchanged by the same engine and Lambda host (its response PUT redirected to the local ResponseURL, the SDK client from node_modules: on Lambda its runtime SDK may lack the flow commands, and \`installLatestAwsSdk: true\` would \`npm install\` at every cold start). Its SDK retries throttling 3 times (standard mode) and then fails the event: CloudFormation then rolls the whole stack back.`,
      `DIY on a published flow (a DIY stack deletion): ${diyPublished ?? 'not run'}. Its onDelete is fixed at DeleteWhatsAppFlow, which a published flow refuses: the stack deletion fails.`,
      `The local engine (\`runStackOperation\`, what \`npm start\` runs) overlaps independent events as CloudFormation does; with one event at a time, its wall time is the sum of the events.`,
      ...(left.length ? [`Left out to keep the full run under 15 minutes: ${left.join(', ')} (each create of the largest document moves 2.7 MB through S3, base64 and the emulator: at N = 100 the run is already CPU-bound on this machine, with no throttling).`] : []),
    ],
  });

  // Findings: calls beyond the minimum, with their figures.
  const model = results.filter((r) => r.path === 'ours' && !r.notDeployable);
  const creates = model.filter((r) => r.phase === 'create');
  const biggest = creates.sort((a, b) => b.n - a.n)[0];
  if (biggest && (biggest.ops.ListWhatsAppFlows ?? 0) > 0) {
    const list = biggest.ops.ListWhatsAppFlows ?? 0;
    const total = FLOW_OPS.reduce((a, op) => a + (biggest.ops[op] ?? 0), 0);
    findings.push(
      `Create looks the name up with a full ListWhatsAppFlows scan (100 flows a page) before CreateWhatsAppFlow: creating ${biggest.n} flows (${biggest.doc} document) made ${list} List requests of ${total} flow API requests (${pct(list, total)}), ${(list / biggest.n).toFixed(2)} per flow${biggest.reconcileLists ? ` (${biggest.reconcileLists} of them after a refused create, see below; the rest the lookup itself, throttled attempts included)` : ''}, and the scan grows with the WABA (1 page per 100 flows, for every create). ` +
        'Kept on purpose: calling CreateWhatsAppFlow first and scanning only on a name conflict would save these calls, but the service does not document the conflict\'s error class (nothing to branch on), and the lookup first is what guarantees that Create never takes over a flow it did not make (the handler\'s design rules). The cost is one page per 100 flows of the WABA, per create.',
    );
  }
  const reconciling = creates.filter((r) => r.reconcileLists > 0).sort((a, b) => b.reconcileLists - a.reconcileLists)[0];
  if (reconciling) {
    findings.push(
      `After any failed CreateWhatsAppFlow, throttling included, the handler scans the WABA's flows (lambda/service.ts \`create()\`: "reconcile before anything else") before it backs off: creating ${reconciling.n} flows (${reconciling.doc} document) made ${reconciling.reconcileLists} such List requests, on top of ${reconciling.throttled} throttled answers. ` +
        'A ThrottledRequestException (HTTP 429), like any 4xx, says the create did not happen: reconciling only after ambiguous failures (5xx, timeouts, dropped connections) would remove these calls, which are made exactly when the rate limit is already exceeded.',
    );
  }
  const destroys = model.filter((r) => r.phase === 'destroy').sort((a, b) => b.n - a.n)[0];
  if (destroys && (destroys.ops.GetWhatsAppFlow ?? 0) > 0) {
    findings.push(
      `Delete reads the flow first (GetWhatsAppFlow) to choose delete or deprecate: destroying ${destroys.n} drafts made ${destroys.ops.GetWhatsAppFlow} Get + ${destroys.ops.DeleteWhatsAppFlow ?? 0} Delete requests (${fmtMs(destroys.wallMs)}, ${fmtRatio(destroys.wallMs / idealMs(destroys.n, PARALLELISM))} the ideal). ` +
        'Kept on purpose: trying DeleteWhatsAppFlow first for a resource whose properties say `Publish: false` would halve these calls, but `Publish: false` does not mean the flow is a draft (it may have been published outside CloudFormation, or by an update whose rollback left it published), and a Delete that a service accepted on a published flow could not be undone. The read is what guarantees a published flow is never deleted.',
    );
  }
  const updates = model.filter((r) => r.phase === 'update');
  if (updates.length && updates.every((u) => (u.ops.GetWhatsAppFlow ?? 0) >= 1)) {
    findings.push('An update of a draft\'s content costs Get + UpdateAssets (2 calls, minimum 1). Kept on purpose: the Get is what the lifecycle table needs (status, name, categories).');
  }
  return { id: 'deploy', title: 'Deploy', tables, findings, durationMs };
}
