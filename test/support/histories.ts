/**
 * Whole deploy histories, generated at random and run through the local CloudFormation engine
 * (parallel siblings in a random order, cancellations, rollbacks, the cleanup phase, duplicate
 * and late deliveries) with the real construct and the built handler against the emulator, which
 * injects service faults and takes a random side of each UNCONFIRMED point.
 *
 * Each history runs in two worlds at once that differ only in the order CloudFormation picks
 * and in how late events are delivered; after every step both are checked against the
 * invariants of the README (I1-I7), and against each other (I6: the outcome does not depend on
 * the order).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import fc from 'fast-check';
import { BehaviourOptions, FlowEmulator, ServiceErrorType } from '../../local/emulator';
import { EngineEvent, ObservedRecord, runStackOperation, seededOrder, StackResult } from '../../local/cloudformation/engine';
import { credentialsFor } from '../../local/cloudformation/stack-iam';
import { LocalRuntime } from '../../local/lambda/runtime';
import type { DeployedStack } from '../../local/deploy/state';
import type { LocalEnvironment, Template } from '../../local/cloudformation/template';
import { FlowCategory, FlowJson, FlowValidation, WhatsAppFlow } from '../../lib';
import { parsePhysicalId, Prop, RemovalPolicyValue } from '../../lib/shared/contract';
import { canonicalTextSha256 } from '../../lib/shared/canonical-json';

/** The handlers' clocks run this much faster than real time (their waits of 30 s take 3 s). */
export const CLOCK_RATE = Number(process.env.HISTORY_CLOCK_RATE ?? 10);
const SERVICE_TIMEOUT_MS = 420_000 / CLOCK_RATE;
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
export const WABAS = ['waba-aaaa0000000000000000000000000000', 'waba-bbbb0000000000000000000000000000'];
/** The handler bundle the worlds deploy (HISTORY_HANDLER_DIR runs the histories against another build). */
const BUNDLE_DIR = process.env.HISTORY_HANDLER_DIR ?? path.resolve(__dirname, '..', '..', 'lambda', 'dist');
/** The names each stack draws from: they overlap, so two stacks can want one name. */
const NAME_POOLS = [['a', 'b', 'c', 'd'], ['c', 'd', 'e', 'f']];
const STACK_NAMES = ['One', 'Two'];

// ------------------------------------------------------------------------------------------------
// What a history is made of

export type Policy = 'default' | 'destroy' | 'retain';
export type Content = 0 | 1 | 2 | 'none';

/** One flow as a stack declares it. */
export interface FlowDecl {
  readonly key: string;
  readonly name: string;
  readonly waba: number;
  readonly cats: number;
  readonly content: Content;
  readonly publish: boolean;
  readonly policy: Policy;
  readonly adopt: boolean;
}

/** A change a deploy makes to a stack's declaration (indices wrap around the current flows). */
export type Edit =
  | { readonly op: 'add'; readonly name: number; readonly waba: number; readonly content: Content; readonly publish: boolean; readonly policy: Policy; readonly adopt: boolean }
  | { readonly op: 'remove' | 'publish' | 'categories' | 'move' | 'rekey'; readonly at: number }
  | { readonly op: 'rename'; readonly at: number; readonly name: number }
  | { readonly op: 'content'; readonly at: number; readonly content: Content }
  | { readonly op: 'policy'; readonly at: number; readonly policy: Policy }
  | { readonly op: 'adopt'; readonly at: number; readonly adopt: boolean };

/** A fault the emulator injects in the next matching call. */
export interface ServiceFault {
  readonly op: 'CreateWhatsAppFlow' | 'UpdateWhatsAppFlow' | 'UpdateWhatsAppFlowAssets' | 'PublishWhatsAppFlow' | 'DeprecateWhatsAppFlow' | 'DeleteWhatsAppFlow' | 'GetWhatsAppFlow' | 'ListWhatsAppFlows' | 'ListWhatsAppFlowAssets';
  readonly errorType: 'ThrottledRequestException' | 'InternalServiceException' | 'DependencyException' | 'network';
  /** The call takes effect, then the caller sees the failure (an answer lost after success). */
  readonly afterEffect: boolean;
}

/** How the deploy's events reach the handler: late, or twice. */
export interface DeliveryQuirk {
  readonly delayMs: number;
  readonly duplicate?: 'concurrent' | 'after';
}

export interface DeployFaults {
  /** A sibling whose content Meta refuses to publish: the deploy fails and rolls back. */
  readonly failingSibling: boolean;
  readonly service: readonly ServiceFault[];
  readonly deliveries: readonly DeliveryQuirk[];
  /** A grant takes this long to apply (real ms). */
  readonly iamDelayMs: number;
}

export type Step =
  | { readonly kind: 'deploy'; readonly stack: number; readonly edits: readonly Edit[]; readonly faults: DeployFaults }
  | { readonly kind: 'destroy'; readonly stack: number }
  /** A flow made outside CloudFormation (in the console), which a later edit may adopt. */
  | { readonly kind: 'console'; readonly name: number; readonly waba: number; readonly published: boolean };

export interface History {
  readonly behaviour: BehaviourOptions;
  readonly steps: readonly Step[];
  /** The order seeds of the two worlds. */
  readonly seeds: readonly [number, number];
}

// ------------------------------------------------------------------------------------------------
// Generators

const content: fc.Arbitrary<Content> = fc.constantFrom<Content>(0, 1, 2, 'none');
const policy: fc.Arbitrary<Policy> = fc.constantFrom<Policy>('default', 'default', 'destroy', 'retain');
const at = fc.nat({ max: 7 });

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('add' as const), name: fc.nat({ max: 3 }), waba: fc.nat({ max: 1 }), content, publish: fc.boolean(), policy, adopt: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('remove' as const, 'publish' as const, 'categories' as const, 'move' as const, 'rekey' as const), at }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('rename' as const), at, name: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('content' as const), at, content }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('policy' as const), at, policy }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('adopt' as const), at, adopt: fc.boolean() }) },
);

const serviceFault: fc.Arbitrary<ServiceFault> = fc.record({
  op: fc.constantFrom<ServiceFault['op']>('CreateWhatsAppFlow', 'UpdateWhatsAppFlow', 'UpdateWhatsAppFlowAssets', 'PublishWhatsAppFlow', 'DeprecateWhatsAppFlow', 'DeleteWhatsAppFlow', 'GetWhatsAppFlow', 'ListWhatsAppFlows', 'ListWhatsAppFlowAssets'),
  errorType: fc.constantFrom<ServiceFault['errorType']>('ThrottledRequestException', 'InternalServiceException', 'DependencyException', 'network'),
  afterEffect: fc.boolean(),
});

const faults: fc.Arbitrary<DeployFaults> = fc.record({
  failingSibling: fc.constantFrom(false, false, false, true),
  service: fc.array(serviceFault, { maxLength: 2 }),
  deliveries: fc.array(fc.record({ delayMs: fc.constantFrom(0, 0, 30, 120), duplicate: fc.option(fc.constantFrom<'concurrent' | 'after'>('concurrent', 'after'), { nil: undefined, freq: 4 }) }), { maxLength: 4 }),
  iamDelayMs: fc.constantFrom(0, 0, 50),
});

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('deploy' as const), stack: fc.constantFrom(0, 0, 1), edits: fc.array(edit, { minLength: 1, maxLength: 3 }), faults }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('destroy' as const), stack: fc.constantFrom(0, 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('console' as const), name: fc.nat({ max: 3 }), waba: fc.nat({ max: 1 }), published: fc.boolean() }) },
);

const behaviour: fc.Arbitrary<BehaviourOptions> = fc.record({
  nameConflictError: fc.constantFrom<ServiceErrorType>('InvalidParametersException', 'ValidationException'),
  nameComparison: fc.constantFrom<'exact' | 'caseInsensitive'>('exact', 'caseInsensitive'),
  stateErrorType: fc.constantFrom<ServiceErrorType>('InvalidParametersException', 'ValidationException'),
  publishInvalidOnCreate: fc.constantFrom<'draft' | 'fail'>('draft', 'fail'),
  validationErrorFormat: fc.constantFrom<'json' | 'text'>('json', 'text'),
  metadataUpdateUnpublishes: fc.boolean(),
  metadataUpdatePublished: fc.constantFrom<'allow' | 'refuse'>('allow', 'allow', 'refuse'),
  deprecateDeprecated: fc.constantFrom<'fail' | 'succeed'>('fail', 'succeed'),
  defaultPageSize: fc.constantFrom(1, 25),
});

/** Histories of 2 to `maxSteps` steps, starting with a deploy. */
export function historyArbitrary(maxSteps = 5): fc.Arbitrary<History> {
  return fc.record({
    behaviour,
    steps: fc.tuple(fc.record({ kind: fc.constant('deploy' as const), stack: fc.constant(0), edits: fc.array(edit, { minLength: 1, maxLength: 4 }), faults }), fc.array(step, { minLength: 1, maxLength: maxSteps - 1 }))
      .map(([first, rest]) => [first as Step, ...rest]),
    seeds: fc.tuple(fc.nat(), fc.nat()),
  });
}

// ------------------------------------------------------------------------------------------------
// Applying edits

/** Whether a stack may take over flows of this name: never one the other stack may hold. */
function adoptable(stack: number, name: string): boolean {
  return NAME_POOLS.every((pool, other) => other === stack || !pool.includes(name));
}

/** The declaration after the edits (edits that would make two flows of one WABA share a name are skipped). */
export function applyEdits(stack: number, decl: readonly FlowDecl[], edits: readonly Edit[], serial: () => number): FlowDecl[] {
  let flows = [...decl];
  const names = NAME_POOLS[stack];
  const free = (f: FlowDecl, except?: string) => !flows.some((o) => o.key !== except && o.waba === f.waba && o.name === f.name);
  for (const e of edits) {
    if (e.op === 'add') {
      // Only the first stack adopts: a flow taken over by a second stack while the first still
      // manages it would be claimed twice, by the user's explicit choice (the README says so).
      const f: FlowDecl = { key: `F${serial()}`, name: names[e.name], waba: e.waba, cats: 0, content: e.content, publish: e.publish && e.content !== 'none', policy: e.policy, adopt: e.adopt && adoptable(stack, names[e.name]) };
      if (free(f)) flows.push(f);
      continue;
    }
    if (flows.length === 0) continue;
    const i = e.at % flows.length;
    const f = flows[i];
    let next: FlowDecl | undefined = f;
    switch (e.op) {
      case 'remove': next = undefined; break;
      case 'publish': next = { ...f, publish: !f.publish && f.content !== 'none' }; break;
      case 'categories': next = { ...f, cats: 1 - f.cats }; break;
      case 'move': next = { ...f, waba: 1 - f.waba }; break;
      case 'rekey': next = { ...f, key: `F${serial()}`, adopt: adoptable(stack, f.name) }; break;
      case 'rename': next = { ...f, name: names[e.name] }; break;
      case 'content': next = { ...f, content: e.content, publish: f.publish && e.content !== 'none' }; break;
      case 'policy': next = { ...f, policy: e.policy }; break;
      case 'adopt': next = { ...f, adopt: e.adopt && adoptable(stack, f.name) }; break;
    }
    if (next && !free(next, f.key)) continue;
    flows = next ? flows.map((o, k) => (k === i ? next! : o)) : flows.filter((_, k) => k !== i);
  }
  return flows;
}

// ------------------------------------------------------------------------------------------------
// Synthesis with the real construct

const CATEGORIES = [[FlowCategory.SIGN_UP], [FlowCategory.SURVEY, FlowCategory.OTHER]];

/** The Flow JSON text of a content variant ('bad' is content Meta refuses to publish). */
export function contentText(variant: Content | 'bad'): string | undefined {
  if (variant === 'none') return undefined;
  const footer = { 'type': 'Footer', 'label': 'Done', 'on-click-action': { name: 'complete', payload: {} } };
  const screen = variant === 'bad'
    ? { id: 'ONLY', title: 'Broken', layout: { type: 'SingleColumnLayout', children: [{ type: 'TextBody', text: 'x' }] } }
    : { id: 'MAIN', title: `Variant ${variant}`, terminal: true, layout: { type: 'SingleColumnLayout', children: [{ type: 'TextBody', text: `Body ${variant}` }, footer] } };
  return `${JSON.stringify({ version: '7.3', screens: [screen] }, undefined, 2)}\n`;
}

function synth(outdir: string, stackName: string, flows: readonly FlowDecl[], failing: boolean): Template {
  const app = new App({ outdir });
  const stack = new Stack(app, stackName, { env: { account: ACCOUNT, region: REGION } });
  for (const f of flows) {
    const text = contentText(f.content);
    new WhatsAppFlow(stack, f.key, {
      wabaId: WABAS[f.waba],
      flowName: f.name,
      categories: CATEGORIES[f.cats],
      flowJson: text === undefined ? undefined : FlowJson.fromString(text),
      publish: f.publish,
      removalPolicy: f.policy === 'destroy' ? RemovalPolicy.DESTROY : f.policy === 'retain' ? RemovalPolicy.RETAIN : undefined,
      adoptExisting: f.adopt || undefined,
    });
  }
  if (failing) {
    new WhatsAppFlow(stack, 'Broken', {
      wabaId: WABAS[0], flowName: `broken-${stackName}`, categories: [FlowCategory.OTHER], flowJson: FlowJson.fromString(contentText('bad')!), publish: true,
      validation: FlowValidation.skip('a sibling whose content Meta refuses: the deploy rolls back'),
    });
  }
  return app.synth().getStackByName(stackName).template as Template;
}

// ------------------------------------------------------------------------------------------------
// A world: an emulator, a runtime, the stacks as deployed

interface StackSlot {
  decl: FlowDecl[];
  state?: DeployedStack;
  env: LocalEnvironment;
  /** The access key id of the stack's provider role. */
  roleKey?: string;
}

/** What a step did in a world, for the checks and for the comparison of the two worlds. */
export interface StepOutcome {
  readonly kind: Step['kind'];
  readonly result?: StackResult;
  /** The failure's cause was the failing sibling the step added. */
  readonly failedBySibling?: boolean;
}

export class World {
  public static async start(name: string, behaviour: BehaviourOptions, orderSeed: number, idSeed: string): Promise<World> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `history-${name}-`));
    const emulator = await FlowEmulator.start({ idSeed, ...behaviour });
    const runtime = await LocalRuntime.start({ emulator, logFile: path.join(dir, 'functions.log') });
    return new World(dir, emulator, runtime, orderSeed);
  }

  public readonly observed: ObservedRecord[] = [];
  /** Flows a stack chose to keep (RETAIN) when they left it. */
  public readonly retained = new Set<string>();
  /** Per flow id, whether the resource that last held it held it as taken over, to be left in place. */
  private readonly heldAsAdopted = new Map<string, boolean>();
  /**
   * WABA and name of every flow declared with RETAIN: a create of one that CloudFormation cancels
   * or rolls back keeps whatever flow it made (DeletionPolicy Retain), by the user's choice.
   */
  public readonly retainedNames = new Set<string>();
  public readonly stacks: StackSlot[] = STACK_NAMES.map((stackName) => ({
    decl: [],
    env: { partition: 'aws', region: REGION, accountId: ACCOUNT, stackName, stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}/0000` },
  }));
  private ops = 0;

  private constructor(
    public readonly dir: string,
    public readonly emulator: FlowEmulator,
    public readonly runtime: LocalRuntime,
    private readonly orderSeed: number,
  ) {}

  public async close(): Promise<void> {
    await this.runtime.close({ graceMs: 0 });
    await this.emulator.close();
    if (process.env.HISTORY_KEEP) process.stderr.write(`kept ${this.dir}\n`);
    else fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs one step; the declaration is the same in both worlds (computed by the caller). */
  public async run(s: Step, decl?: FlowDecl[]): Promise<StepOutcome> {
    this.ops++;
    this.noteAdoptedHolds();
    if (s.kind === 'console') {
      const name = NAME_POOLS[0][s.name];
      const taken = this.emulator.flows(WABAS[s.waba]).some((f) => f.flowName === name);
      if (!taken) this.emulator.seedFlow({ wabaId: WABAS[s.waba], flowName: name, status: s.published ? 'PUBLISHED' : 'DRAFT', json: contentText(0), categories: ['OTHER'] });
      return { kind: 'console' };
    }
    const slot = this.stacks[s.stack];
    if (s.kind === 'destroy') {
      if (!slot.state) return { kind: 'destroy' };
      const result = await runStackOperation({ ...this.common(slot, s.stack), previous: slot.state });
      await this.runtime.settled();
      this.noteRetained(result);
      slot.state = result.state;
      if (!result.state) slot.decl = [];
      return { kind: 'destroy', result };
    }
    for (const f of s.faults.service) this.emulator.failNext(f.op, { errorType: f.errorType, afterEffect: f.afterEffect });
    for (const f of decl!) if (f.policy === 'retain') this.retainedNames.add(`${WABAS[f.waba]}/${f.name}`);
    const template = synth(path.join(this.dir, 'cdk.out'), slot.env.stackName, decl!, s.faults.failingSibling);
    const roleId = Object.entries(template.Resources ?? {}).find(([, r]) => r.Type === 'AWS::IAM::Role')?.[0];
    if (roleId) slot.roleKey = credentialsFor(slot.env.stackName, roleId).accessKeyId;
    const functionId = Object.entries(template.Resources ?? {}).find(([, r]) => r.Type === 'AWS::Lambda::Function')?.[0];
    let n = 0;
    const deliveries = s.faults.deliveries;
    const result = await runStackOperation({
      ...this.common(slot, s.stack),
      previous: slot.state,
      next: { template, functions: functionId ? { [functionId]: path.relative(this.dir, BUNDLE_DIR) } : {} },
      iamPropagationDelayMs: s.faults.iamDelayMs,
      deliver: (event: EngineEvent) => {
        if (deliveries.length === 0 || event.phase !== 'update') return undefined;
        const q = deliveries[n++ % deliveries.length];
        // A duplicate after the first answer goes to the same container, which answers it from
        // memory. A concurrent duplicate reaching another container arrives at once: one that
        // arrives late, after CloudFormation has already undone the first one's work (a rollback,
        // seconds later), repeats that work: a residual the README states, not generated here.
        const late = q.duplicate === 'concurrent' ? 0 : q.delayMs;
        // A concurrent duplicate of a Create that adopts may answer with the flow its twin made as
        // taken over, and CloudFormation counts whichever answer comes first: a residual the README states.
        const adopting = event.RequestType === 'Create' && event.ResourceProperties?.AdoptExisting === 'true';
        const duplicate = q.duplicate === 'concurrent' && adopting ? undefined : q.duplicate;
        return { delayMs: late, ...(duplicate ? { duplicate: { when: duplicate, container: duplicate === 'after' ? ('same' as const) : ('another' as const) } } : {}) };
      },
    });
    await this.runtime.settled();
    this.emulator.clearFaults();
    this.noteRetained(result);
    if (result.state) slot.state = result.state;
    if (result.outcome !== 'rolled back') slot.decl = decl!;
    else if (!slot.state) slot.decl = [];
    return { kind: 'deploy', result, failedBySibling: result.failure !== undefined && /^Broken[0-9A-F]{8} failed/.test(result.failure) };
  }

  private common(slot: StackSlot, stack: number) {
    return {
      env: slot.env,
      stateDir: this.dir,
      runtime: this.runtime,
      concurrency: 20,
      order: seededOrder(`${this.orderSeed}:${stack}:${this.ops}`),
      observer: (r: ObservedRecord) => this.observed.push(r),
      serviceTimeoutMs: SERVICE_TIMEOUT_MS,
      clockRate: CLOCK_RATE,
      progress: process.env.HISTORY_DEBUG ? (line: string) => process.stderr.write(`      [${this.dir.slice(-6)}] ${line}\n`) : undefined,
    };
  }

  /**
   * Whether each flow a resource holds now is held as taken over with the default removal policy
   * (`destroy-keep-adopted`), which leaves it in place when that resource goes (README, I4's
   * exceptions): also a flow the stack made and then handed to a new logical id with adoptExisting.
   */
  private noteAdoptedHolds(): void {
    for (const slot of this.stacks) {
      for (const r of Object.values(slot.state?.resources ?? {})) {
        const flowId = parsePhysicalId(r.physicalId)?.flowId;
        if (flowId) this.heldAsAdopted.set(flowId, r.physicalId.startsWith('adopted:') && r.properties?.[Prop.REMOVAL_POLICY] === RemovalPolicyValue.DESTROY_KEEP_ADOPTED);
      }
    }
  }

  private noteRetained(result: StackResult): void {
    for (const row of result.rows) if (row.action === 'retained' && row.flowId !== '-') this.retained.add(row.flowId);
  }

  /**
   * The README's late-delivery residual, when this world's records since `from` show it: one of two
   * deliveries of an event (either: the other may have answered first) still running after
   * CloudFormation had sent, and concluded, a later event for the same resource (a rollback, a
   * cleanup Delete). Whatever that copy writes then, nothing in the event lets the handler tell it
   * from a deploy to make: the README states it as left.
   */
  public lateDuplicate(from: number): string | undefined {
    const found = this.ranOnPastNextEvent(from, (records) => records.filter((r) => r.kind === 'delivered' && r.copy >= 2));
    return found && `one of two deliveries of ${found.end.requestType} ${found.end.logicalId} (${found.end.phase}) ran on after CloudFormation had concluded the ${found.later.requestType} that followed it (${found.later.phase})`;
  }

  /**
   * The README's residual of a cancelled content update, when this world's records since `from`
   * show one: an Update that CloudFormation cancelled whose invocation ran on after CloudFormation
   * had concluded the next event for that resource (the rollback). Its upload can land on a draft
   * after the rollback restored the content, which no watch sees.
   */
  public lateCancelledUpdate(from: number): string | undefined {
    const found = this.ranOnPastNextEvent(from, (records) => records.filter((r) => r.kind === 'concluded' && r.how === 'cancelled' && r.requestType === 'Update'));
    return found && `the Update of ${found.end.logicalId} that CloudFormation cancelled ran on after it had concluded the ${found.later.requestType} that followed it (${found.later.phase})`;
  }

  /**
   * An invocation of one of the events `pick` chooses (from this world's records since `from`)
   * that ended after CloudFormation had concluded a later event for the same resource, and that event.
   */
  private ranOnPastNextEvent(from: number, pick: (records: ObservedRecord[]) => ObservedRecord[]): { end: ObservedRecord; later: ObservedRecord } | undefined {
    const records = this.observed.slice(from);
    const concludedAt = new Map<string, number>();
    for (const r of records) if (r.kind === 'concluded') concludedAt.set(r.requestId, r.time);
    const picked = new Set(pick(records).map((r) => r.requestId));
    for (const end of records) {
      if (end.kind !== 'invocation-ended' || !picked.has(end.requestId)) continue;
      const later = records.find((r) => r.kind === 'sent' && r.stackName === end.stackName && r.logicalId === end.logicalId
        && r.requestId !== end.requestId && (concludedAt.get(r.requestId) ?? Infinity) < end.time);
      if (later) return { end, later };
    }
    return undefined;
  }

  // ----------------------------------------------------------------------------------------------
  // The invariants

  /** What is wrong with this world now, in words; empty when every invariant holds. */
  public violations(last?: StepOutcome): string[] {
    const problems: string[] = [];
    const history = this.emulator.history();
    const flows = this.emulator.flows();

    // I1: every event got one counted answer, before its deadline; no invocation ran out of Lambda's time.
    const sent = new Map<string, ObservedRecord>();
    for (const r of this.observed) if (r.kind === 'sent') sent.set(r.requestId, r);
    const concluded = new Set<string>();
    const counted = new Map<string, number>();
    for (const r of this.observed) {
      if (r.kind === 'concluded') {
        concluded.add(r.requestId);
        if (r.how === 'timeout' || r.how === 'no-answer') problems.push(`I1: ${r.requestType} ${r.logicalId} (${r.phase}) got no answer in time (${r.how})`);
      }
      if (r.kind === 'answer' && r.counted) counted.set(r.requestId, (counted.get(r.requestId) ?? 0) + 1);
      if (r.kind === 'answer' && r.status === 'INVALID') problems.push(`I1: ${r.requestType} ${r.logicalId} answered a response CloudFormation refuses`);
      if (r.kind === 'invocation-ended' && r.timedOut) problems.push(`I1: an invocation of ${r.requestType} ${r.logicalId} ran out of Lambda's time`);
    }
    for (const [id, r] of sent) {
      if (!concluded.has(id)) problems.push(`I1: ${r.requestType} ${r.logicalId} (${r.phase}) was never concluded`);
      if ((counted.get(id) ?? 0) > 1) problems.push(`I1: ${r.requestType} ${r.logicalId} has ${counted.get(id)} counted answers`);
    }

    // I2: a flow that was ever published is never deleted.
    const everLive = new Set<string>();
    for (const c of history) {
      if (c.status === 'PUBLISHED' || c.status === 'THROTTLED' || c.status === 'BLOCKED') everLive.add(c.flowId);
      if (c.status === 'DELETED' && everLive.has(c.flowId)) problems.push(`I2: flow ${c.flowId} ("${c.flowName}") was published, then deleted`);
    }

    // I3: no flow is claimed by two resources, in one stack or in two.
    const holders = new Map<string, string>();
    for (const slot of this.stacks) {
      for (const [id, r] of Object.entries(slot.state?.resources ?? {})) {
        const flowId = parsePhysicalId(r.physicalId)?.flowId;
        if (!flowId) continue;
        const who = `${slot.env.stackName}/${id}`;
        if (holders.has(flowId)) problems.push(`I3: flow ${flowId} is claimed by ${holders.get(flowId)} and ${who}`);
        holders.set(flowId, who);
      }
    }

    // I4: every flow a stack created is held by it, deleted, or renamed and deprecated (or kept by choice).
    for (const slot of this.stacks) {
      if (!slot.roleKey) continue;
      const mine = new Set(history.filter((c) => c.created && c.caller === slot.roleKey && !this.retainedNames.has(`${c.wabaId}/${c.flowName}`)).map((c) => c.flowId));
      const held = new Set(Object.values(slot.state?.resources ?? {}).map((r) => parsePhysicalId(r.physicalId)?.flowId));
      for (const flowId of mine) {
        if (held.has(flowId) || this.retained.has(flowId) || this.heldAsAdopted.get(flowId)) continue;
        const f = flows.find((x) => x.flowId === flowId);
        if (!f) continue; // deleted
        if (f.status === 'DEPRECATED' && /\(retired [0-9]+\)$/.test(f.flowName)) continue;
        if (f.status === 'DEPRECATED' && /refused to rename/.test(JSON.stringify(last?.result?.rows ?? []))) continue;
        const story = history.filter((c) => c.flowId === flowId || (c.wabaId === f.wabaId && c.flowName === f.flowName)).map((c) => `${c.flowId}:${c.flowName}:${c.status}${c.created ? ':created' : ''}`);
        problems.push(`I4: flow ${flowId} ("${f.flowName}", ${f.status}) was created by stack ${slot.env.stackName}, which no longer holds it (it holds ${[...held].join(', ') || 'none'}), and it was neither deleted nor retired; its changes: ${story.join(' > ')}`);
      }
    }

    // I5: rollbacks and deletions complete.
    const r = last?.result;
    if (r?.state?.status === 'UPDATE_ROLLBACK_FAILED') problems.push(`I5: stack ${r.stackName} ended UPDATE_ROLLBACK_FAILED: ${r.problems.join(' | ')}`);
    if (r?.outcome === 'delete failed') problems.push(`I5: the deletion of stack ${r.stackName} failed: ${r.failure}`);
    for (const p of r?.problems ?? []) if (/rollback|cleanup Delete/i.test(p)) problems.push(`I5: ${p}`);

    // I7 (and the declared state): after a successful deploy, every flow is as declared.
    if (last?.kind === 'deploy' && r && r.outcome !== 'rolled back' && r.state) {
      const slot = this.stacks.find((x) => x.env.stackName === r.stackName)!;
      for (const d of slot.decl) {
        const logicalId = Object.keys(r.state.resources).find((k) => k.slice(0, -8) === d.key);
        const res = logicalId === undefined ? undefined : r.state.resources[logicalId];
        if (!res) {
          problems.push(`declared flow ${d.key} is not in the deployed state`);
          continue;
        }
        const flowId = parsePhysicalId(res.physicalId)?.flowId;
        const f = flows.find((x) => x.flowId === flowId);
        if (!f) {
          problems.push(`declared flow ${d.key} (${flowId}) does not exist`);
          continue;
        }
        const divergence = res.data.Divergence ?? '';
        if (f.flowName !== d.name && !divergence) problems.push(`flow ${d.key} is named "${f.flowName}", declared "${d.name}", and no divergence was reported`);
        if (f.wabaId !== WABAS[d.waba]) problems.push(`flow ${d.key} is in ${f.wabaId}, declared ${WABAS[d.waba]}`);
        const text = contentText(d.content);
        if (text !== undefined && f.json?.toString('utf8') !== text && !d.adopt) problems.push(`I7: flow ${d.key} does not hold the declared text`);
        if (text !== undefined && f.json && canonicalTextSha256(f.json.toString('utf8')) !== canonicalTextSha256(text)) problems.push(`I7: flow ${d.key} holds other content than declared`);
        if (d.publish && f.status !== 'PUBLISHED') problems.push(`flow ${d.key} is ${f.status}, declared published`);
      }
    }
    return problems;
  }

  /** This world's state with what may differ between two orders left out (flow ids, leftovers of undone work). */
  public normalized(): unknown {
    const history = this.emulator.history();
    const keptByChoice = new Set(history.filter((c) => c.created && this.retainedNames.has(`${c.wabaId}/${c.flowName}`)).map((c) => c.flowId));
    for (const id of this.retained) keptByChoice.add(id);
    for (const [id, kept] of this.heldAsAdopted) if (kept) keptByChoice.add(id);
    const held = new Set(this.stacks.flatMap((slot) => Object.values(slot.state?.resources ?? {}).map((r) => parsePhysicalId(r.physicalId)?.flowId)));
    const flows = this.emulator.flows().filter((f) => held.has(f.flowId) || !keptByChoice.has(f.flowId));
    const byId = new Map(flows.map((f) => [f.flowId, f]));
    return {
      stacks: this.stacks.map((slot) => ({
        status: slot.state?.status ?? 'none',
        resources: Object.fromEntries(
          Object.entries(slot.state?.resources ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([id, r]) => {
            const f = byId.get(parsePhysicalId(r.physicalId)?.flowId ?? '');
            return [id, f ? { name: f.flowName.replace(/[0-9]{6,}/g, '#'), waba: f.wabaId, status: f.status, cats: [...f.categories].sort(), content: f.json ? canonicalTextSha256(f.json.toString('utf8')) : undefined, adopted: r.physicalId.startsWith('adopted:') } : 'missing'];
          }),
        ),
      })),
      live: flows.filter((f) => f.status !== 'DEPRECATED').map((f) => `${f.wabaId}/${f.flowName.replace(/[0-9]{6,}/g, '#')}/${f.status}`).sort(),
    };
  }
}

/**
 * Runs `histories` with at most `parallel` at once; returns the failures (each with its index and
 * message), the number of steps run and the histories that ended at the late-delivery residual.
 */
export async function runHistories(histories: readonly History[], parallel: number, onResult?: (index: number, error?: Error) => void): Promise<{ failures: Array<{ index: number; message: string }>; steps: number; residuals: Array<{ index: number; message: string }> }> {
  const failures: Array<{ index: number; message: string }> = [];
  const residuals: Array<{ index: number; message: string }> = [];
  let steps = 0;
  let next = 0;
  const worker = async () => {
    while (next < histories.length) {
      const index = next++;
      try {
        const ran = await runHistory(histories[index]);
        steps += ran.steps;
        if (ran.residual) residuals.push({ index, message: ran.residual });
        onResult?.(index);
      } catch (e) {
        failures.push({ index, message: (e as Error).message });
        onResult?.(index, e as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  return { failures: failures.sort((a, b) => a.index - b.index), steps, residuals: residuals.sort((a, b) => a.index - b.index) };
}

/** Whether two normalized states are the same once the content of draft flows is left out. */
function sameBesidesContent(a: unknown, b: unknown): boolean {
  const strip = (state: unknown) => JSON.stringify(state, (_key, value) => (value && value.status === 'DRAFT' && 'content' in value ? { ...value, content: undefined } : value));
  return strip(a) === strip(b);
}

/**
 * The README's adoption limits, when a deploy would meet one: a construct that adopts a name which
 * another stack declares takes that stack's flow (both then claim it), and one that adopts a name
 * another construct of the same stack gives up in the same deploy may take that construct's flow,
 * depending on the order CloudFormation picks. Nothing in the adopter's event tells it the flow is
 * held.
 */
function adoptionLimit(before: readonly FlowDecl[], after: readonly FlowDecl[], otherStacks: readonly FlowDecl[]): string | undefined {
  for (const a of after) {
    if (!a.adopt || before.some((b) => b.key === a.key)) continue;
    if (otherStacks.some((o) => o.waba === a.waba && o.name === a.name)) return `${a.key} adopts "${a.name}", which another stack declares (the README's adoption limit)`;
    const freed = before.find((b) => b.key !== a.key && b.waba === a.waba && b.name === a.name && after.some((n) => n.key === b.key && (n.name !== b.name || n.waba !== b.waba)));
    if (freed) return `${a.key} adopts "${a.name}", which ${freed.key} of the same stack gives up in the same deploy (the README's adoption limit)`;
  }
  return undefined;
}

/**
 * Runs a history in two worlds; throws an Error listing what went wrong after the first step that
 * broke something. A step that breaks something only where the late-delivery residual shows
 * (World.lateDuplicate), a step whose two orders differ only in a draft's content where a
 * cancelled update ran on after its rollback (World.lateCancelledUpdate), or a deploy that meets
 * an adoption limit (adoptionLimit), ends the history instead, with `residual` saying what happened.
 */
export async function runHistory(h: History, options: { log?: (line: string) => void } = {}): Promise<{ steps: number; residual?: string }> {
  const idSeed = `${h.seeds[0]}`;
  const worlds = await Promise.all([World.start('a', h.behaviour, h.seeds[0], idSeed), World.start('b', h.behaviour, h.seeds[1], idSeed)]);
  let serial = 0;
  const decls: FlowDecl[][] = STACK_NAMES.map(() => []);
  try {
    for (const [i, s] of h.steps.entries()) {
      const decl = s.kind === 'deploy' ? applyEdits(s.stack, decls[s.stack], s.edits, () => ++serial) : undefined;
      const limit = s.kind === 'deploy' ? adoptionLimit(decls[s.stack], decl!, decls.filter((_, k) => k !== s.stack).flat()) : undefined;
      if (limit) {
        options.log?.(`step ${i + 1}: ${limit}; the history ends here`);
        return { steps: i, residual: `before step ${i + 1}: ${limit}` };
      }
      const started = Date.now();
      const marks = worlds.map((w) => w.observed.length);
      const outcomes = await Promise.all(worlds.map((w) => w.run(s, decl)));
      const ms = Date.now() - started;
      const problems = worlds.flatMap((w, k) => w.violations(outcomes[k]).map((p) => `world ${'ab'[k]}: ${p}`));
      const states = worlds.map((w) => w.normalized());
      const [na, nb] = states.map((state) => JSON.stringify(state));
      const outcomeA = outcomes[0].result?.outcome;
      const outcomeB = outcomes[1].result?.outcome;
      if (outcomeA !== outcomeB) problems.push(`I6: the step ended "${outcomeA}" in one order and "${outcomeB}" in another (${outcomes[0].result?.failure ?? ''} | ${outcomes[1].result?.failure ?? ''})`);
      else if (na !== nb) problems.push(`I6: the two orders left different states:\n    ${na}\n    ${nb}`);
      options.log?.(`step ${i + 1} ${s.kind}${s.kind === 'deploy' ? ` ${STACK_NAMES[s.stack]} [${decl!.map((d) => `${d.key}:${d.name}@${d.waba}${d.publish ? '+pub' : ''}${d.adopt ? '+adopt' : ''}`).join(' ')}]${s.faults.failingSibling ? ' +failing' : ''}` : ''}: ${outcomeA ?? '-'} (${ms} ms)`);
      if (problems.length > 0) {
        const contentOnly = outcomeA === outcomeB && problems.length === 1 && problems[0].startsWith('I6:') && sameBesidesContent(states[0], states[1]);
        const residual = worlds.map((w, k) => w.lateDuplicate(marks[k]) ?? (contentOnly ? w.lateCancelledUpdate(marks[k]) : undefined)).find((r) => r !== undefined);
        if (residual) {
          // The worlds may differ from here on by what the README states as left: the history ends.
          options.log?.(`step ${i + 1}: a residual the README states (${residual}); the history ends here`);
          return { steps: i + 1, residual: `after step ${i + 1}: ${residual}: ${problems.join('; ')}` };
        }
        throw new Error(`after step ${i + 1} of ${h.steps.length} (${JSON.stringify(s)}):\n  ${problems.join('\n  ')}`);
      }
      if (s.kind === 'deploy' && outcomes[0].result?.outcome !== 'rolled back') decls[s.stack] = decl!;
      if (s.kind === 'destroy' && !worlds[0].stacks[s.stack].state) decls[s.stack] = [];
    }
    return { steps: h.steps.length };
  } finally {
    await Promise.all(worlds.map((w) => w.close()));
  }
}

/**
 * Shrinks a failing history to a smaller one that still fails: the one `fc.sample` gave at
 * `index` for `seed` and `maxSteps` (fast-check replays that very run, then shrinks it, here
 * serially), within `limitMs`. Undefined when it does not fail again when run alone.
 */
export async function shrinkHistory(seed: number, index: number, maxSteps: number, limitMs: number): Promise<{ history: History; message: string; shrinks: number } | undefined> {
  const details = await fc.check(
    fc.asyncProperty(historyArbitrary(maxSteps), async (h) => {
      await runHistory(h);
    }),
    { seed, path: String(index), numRuns: index + 1, interruptAfterTimeLimit: limitMs, markInterruptAsFailure: false },
  );
  if (!details.failed || !details.counterexample) return undefined;
  const error = details.errorInstance;
  return { history: details.counterexample[0], message: error instanceof Error ? error.message : String(error), shrinks: details.numShrinks };
}
