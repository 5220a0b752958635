/**
 * CloudFormation's part of a deploy, for the Custom::WhatsAppFlow resources of one stack: which
 * events to send, in which order, with which properties, and what to do when one fails.
 *
 * Deploy (a stack create or update):
 * 1. Update phase, in dependency order: Create for a new logical id, Update (with
 *    OldResourceProperties) for changed resolved properties, nothing for unchanged ones. Ref and
 *    Fn::GetAtt between flows resolve from the answers as they come.
 * 2. On the first FAILED answer no further event starts, and the stack rolls back:
 *    - rollback phase, newest first: an Update that succeeded in place, and the Update that
 *      failed, get an Update with old and new properties swapped;
 *    - rollback cleanup, newest first: a Create that succeeded, a failed Create (with the physical
 *      id it answered) and the new physical resource of a replacement get a Delete, unless their
 *      DeletionPolicy is Retain.
 *    The stack keeps its previous state.
 * 3. Cleanup phase (when everything succeeded), in reverse dependency order of the previous
 *    template: Delete for removed resources, and for the old physical id of each replacement with
 *    the old properties, honouring DeletionPolicy and UpdateReplacePolicy Retain. A cleanup
 *    failure does not fail the deploy (CloudFormation leaves the resource behind).
 *
 * Destroy (a stack deletion): Delete for every resource in reverse dependency order, honouring
 * DeletionPolicy Retain.
 *
 * Other resource types are not deployed: their Ref and Fn::GetAtt resolve to local stand-ins
 * (names and ARNs made from the stack name and logical id). The provider role's policies are
 * simulated (see iam.ts).
 */
import { randomBytes, randomUUID } from 'crypto';
import * as path from 'path';
import type { LambdaFunctionConfig } from '../../emulator/lambda-host';
import { Attr, RESOURCE_TYPE } from '../../lib/private/contract';
import { IamSimulation, Phase, roleGrants } from './iam';
import type { LocalRuntime } from './runtime';
import type { DeployedResource, DeployedStack } from './state';
import {
  activeResources, asEventProperties, creationOrder, directDependencies, LocalEnvironment, resolve, ResolveContext, sameJson, Template,
  TemplateError, TemplateResource, transitiveDependencies,
} from './template';

/** What happened to a flow, as the table shows it. */
export type RowAction = 'created' | 'adopted' | 'updated' | 'unchanged' | 'replaced' | 'deleted' | 'deprecated' | 'retained' | 'failed' | 'rolled back';

/** One line of the result table. */
export interface Row {
  readonly stack: string;
  readonly logicalId: string;
  readonly action: RowAction;
  /** Meta's flow id, or '-'. */
  readonly flowId: string;
  readonly status: string;
  /** Meta's validation errors as the provider reports them ('' when none). */
  readonly validationErrors: string;
  readonly previewUrl: string;
  /** Why, when the action alone does not say: a failure's reason, "old flow of a replacement", … */
  readonly note?: string;
}

export interface StackResult {
  readonly stackName: string;
  readonly outcome: 'created' | 'updated' | 'no changes' | 'rolled back' | 'deleted' | 'delete failed';
  readonly rows: Row[];
  /** The stack afterwards; undefined when there is none (deleted, or a failed first deploy). */
  readonly state?: DeployedStack;
  /** Why the operation failed: the first failure. */
  readonly failure?: string;
  /** What went wrong without failing the operation (cleanup and rollback failures, orphans). */
  readonly problems: string[];
  /** Events sent. */
  readonly events: number;
}

export interface StackOperation {
  readonly env: LocalEnvironment;
  /** The stack as deployed, if it is. */
  readonly previous?: DeployedStack;
  /** The new template and the code folder (relative to `stateDir`) of each function; absent for a deletion. */
  readonly next?: { readonly template: Template; readonly functions: Record<string, string> };
  readonly stateDir: string;
  readonly runtime: Pick<LocalRuntime, 'send'>;
  /** One line per event, as it completes. */
  readonly progress?: (line: string) => void;
}

/** One event's result, as CloudFormation sees it (also for failures found before sending). */
interface Answer {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason: string;
  readonly physicalId?: string;
  readonly data: Record<string, string>;
}

type Done =
  | { kind: 'create'; id: string; type: string; physicalId: string; props: Props; deletionPolicy?: string }
  | { kind: 'create-failed'; id: string; type: string; physicalId: string; props: Props; deletionPolicy?: string }
  | { kind: 'update'; id: string; type: string; oldPhysicalId: string; physicalId: string; oldProps: Props; props: Props; replaced: boolean; deletionPolicy?: string }
  | { kind: 'update-failed'; id: string; type: string; physicalId: string; oldProps: Props; props: Props; deletionPolicy?: string };

type Props = Record<string, unknown>;
type Live = Map<string, { physicalId: string; data: Record<string, string> }>;

const RETAIN = 'Retain';
const RETAIN_EXCEPT_ON_CREATE = 'RetainExceptOnCreate';
/** CloudFormation's default ServiceTimeout: one hour. */
const DEFAULT_SERVICE_TIMEOUT_S = 3600;

/** One template with what the engine derives from it. */
class StackModel {
  readonly resources: Record<string, TemplateResource>;
  readonly order: string[];
  readonly deps: Map<string, Set<string>>;
  private readonly functionsByArn = new Map<string, string>();

  constructor(
    readonly template: Template,
    private readonly env: LocalEnvironment,
    private readonly functions: Record<string, string>,
    private readonly stateDir: string,
  ) {
    this.resources = activeResources(template, env);
    const direct = directDependencies(this.resources);
    this.order = creationOrder(direct);
    this.deps = transitiveDependencies(direct);
    for (const [id, r] of Object.entries(this.resources)) {
      if (r.Type === 'AWS::Lambda::Function') this.functionsByArn.set(standInArn(env, r.Type, id), id);
    }
  }

  flowIds(): string[] {
    return this.order.filter((id) => this.resources[id].Type === RESOURCE_TYPE);
  }

  /** The function that is the ServiceToken of the stack's flows (the provider). */
  providerFunctionId(): string | undefined {
    for (const id of this.flowIds()) {
      const token = this.resources[id].Properties?.ServiceToken as any;
      const target = token && typeof token === 'object' && Array.isArray(token['Fn::GetAtt']) ? String(token['Fn::GetAtt'][0]) : undefined;
      if (target && this.resources[target]?.Type === 'AWS::Lambda::Function') return target;
    }
    return undefined;
  }

  ctx(live: Live): ResolveContext {
    const env = this.env;
    return {
      env,
      template: this.template,
      ref: (id) => {
        const r = this.resources[id];
        if (!r) throw new TemplateError(`${id} is not deployed (its Condition is false)`);
        if (r.Type !== RESOURCE_TYPE) return standInName(env, id);
        const l = live.get(id);
        if (!l) throw new TemplateError(`${id} has no physical id yet`);
        return l.physicalId;
      },
      getAtt: (id, attribute) => {
        const r = this.resources[id];
        if (!r) throw new TemplateError(`${id} is not deployed (its Condition is false)`);
        if (r.Type !== RESOURCE_TYPE) return attribute === 'Arn' ? standInArn(env, r.Type, id) : `${standInName(env, id)}.${attribute}`;
        const l = live.get(id);
        if (!l || !(attribute in l.data)) {
          throw new TemplateError(`CustomResource attribute error: Vendor response doesn't contain ${attribute} key in object ${l?.physicalId ?? id} of type ${r.Type}`);
        }
        return l.data[attribute];
      },
    };
  }

  /** The function of a ServiceToken, if it is one of this template's. */
  functionOf(serviceToken: string): string | undefined {
    return this.functionsByArn.get(serviceToken);
  }

  /** The function's configuration, as Lambda would run it. */
  functionConfig(functionId: string, live: Live): LambdaFunctionConfig {
    const code = this.functions[functionId];
    if (!code) throw new TemplateError(`the code of function ${functionId} is not available locally (its Code is not a folder asset of the assembly)`);
    const p = resolve(this.resources[functionId].Properties ?? {}, this.ctx(live)) as any;
    const variables = (p.Environment?.Variables ?? {}) as Record<string, unknown>;
    return {
      codeDir: path.resolve(this.stateDir, code),
      handler: typeof p.Handler === 'string' ? p.Handler : 'index.handler',
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
      timeoutMs: (Number(p.Timeout) || 3) * 1000,
      memoryMb: Number(p.MemorySize) || 128,
      functionName: standInName(this.env, functionId),
      runtime: typeof p.Runtime === 'string' ? p.Runtime : undefined,
      region: this.env.region,
    };
  }
}

/** Stand-in physical name of a resource that is not deployed locally. */
export function standInName(env: LocalEnvironment, logicalId: string): string {
  return `${env.stackName}-${logicalId}`;
}

/** Stand-in ARN of a resource that is not deployed locally. */
export function standInArn(env: LocalEnvironment, type: string, logicalId: string): string {
  const name = standInName(env, logicalId);
  const { partition: p, region: r, accountId: a } = env;
  switch (type) {
    case 'AWS::Lambda::Function': return `arn:${p}:lambda:${r}:${a}:function:${name}`;
    case 'AWS::IAM::Role': return `arn:${p}:iam::${a}:role/${name}`;
    case 'AWS::IAM::ManagedPolicy': return `arn:${p}:iam::${a}:policy/${name}`;
    case 'AWS::Logs::LogGroup': return `arn:${p}:logs:${r}:${a}:log-group:${name}:*`;
    case 'AWS::S3::Bucket': return `arn:${p}:s3:::${name.toLowerCase()}`;
    default: {
      const service = type.split('::')[1]?.toLowerCase() ?? 'local';
      return `arn:${p}:${service}:${r}:${a}:${logicalId}/${name}`;
    }
  }
}

function isFlowId(id: string | undefined): id is string {
  return typeof id === 'string' && /^[0-9]{1,100}$/.test(id);
}

function retainedOnDelete(policy: string | undefined): boolean {
  return policy === RETAIN || policy === RETAIN_EXCEPT_ON_CREATE;
}

/** Runs one stack operation: a deploy when `next` is given, else a deletion. */
export async function runStackOperation(op: StackOperation): Promise<StackResult> {
  const engine = new Engine(op);
  return op.next ? engine.deploy() : engine.destroy();
}

class Engine {
  private readonly stackName: string;
  private readonly prev?: StackModel;
  private readonly next?: StackModel;
  private readonly iam: IamSimulation;
  private readonly rows: Row[] = [];
  private readonly problems: string[] = [];
  private events = 0;

  constructor(private readonly op: StackOperation) {
    this.stackName = op.env.stackName;
    if (op.previous) this.prev = new StackModel(op.previous.template, op.env, op.previous.functions, op.stateDir);
    if (op.next) this.next = new StackModel(op.next.template, op.env, op.next.functions, op.stateDir);
    const live: Live = new Map(Object.entries(op.previous?.resources ?? {}).map(([id, r]) => [id, { physicalId: r.physicalId, data: r.data }]));
    const grants = (m?: StackModel) => (m ? roleGrants(m.resources, m.providerFunctionId(), m.ctx(live)) : undefined);
    this.iam = new IamSimulation(grants(this.prev), grants(this.next), this.prev?.deps ?? new Map(), this.next?.deps ?? new Map());
  }

  async deploy(): Promise<StackResult> {
    const next = this.next!;
    const previous = this.op.previous;
    const live: Live = new Map(Object.entries(previous?.resources ?? {}).map(([id, r]) => [id, { physicalId: r.physicalId, data: r.data }]));
    const resources: Record<string, DeployedResource> = {};
    const done: Done[] = [];
    let failure: string | undefined;

    for (const id of next.flowIds()) {
      const r = next.resources[id];
      const before = previous?.resources[id];
      const fail = (reason: string, physicalId?: string, data: Record<string, string> = {}) => {
        failure = `${id} failed: ${reason}`;
        this.row(id, 'failed', physicalId, data, reason);
      };
      const oldType = this.prev?.resources[id]?.Type;
      if (oldType !== undefined && oldType !== r.Type) {
        fail(`Update of resource type is not permitted (${oldType} to ${r.Type}); give the resource a new logical id`);
        break;
      }
      let props: Props;
      try {
        props = asEventProperties(resolve(r.Properties ?? {}, next.ctx(live))) as Props;
      } catch (e) {
        fail((e as Error).message, before?.physicalId);
        break;
      }
      if (!before) {
        const a = await this.send('update', 'Create', id, r.Type, props);
        if (a.status === 'FAILED') {
          const physicalId = a.physicalId ?? generatedPhysicalId(this.stackName, id);
          done.push({ kind: 'create-failed', id, type: r.Type, physicalId, props, deletionPolicy: r.DeletionPolicy });
          fail(a.reason, a.physicalId, a.data);
          break;
        }
        live.set(id, { physicalId: a.physicalId!, data: a.data });
        resources[id] = this.deployed(r, a.physicalId!, props, a.data);
        done.push({ kind: 'create', id, type: r.Type, physicalId: a.physicalId!, props, deletionPolicy: r.DeletionPolicy });
        this.row(id, a.data[Attr.ACTION] === 'adopted' ? 'adopted' : 'created', a.physicalId, a.data);
      } else if (sameJson(before.properties, props)) {
        resources[id] = { ...before, deletionPolicy: r.DeletionPolicy, updateReplacePolicy: r.UpdateReplacePolicy };
        this.row(id, 'unchanged', before.physicalId, before.data);
      } else if (before.properties.ServiceToken !== props.ServiceToken) {
        fail('Modifying service token is not allowed.', before.physicalId, before.data);
        break;
      } else {
        const a = await this.send('update', 'Update', id, r.Type, props, { old: before.properties, physicalId: before.physicalId });
        if (a.status === 'FAILED') {
          done.push({ kind: 'update-failed', id, type: r.Type, physicalId: before.physicalId, oldProps: before.properties, props, deletionPolicy: r.DeletionPolicy });
          fail(a.reason, before.physicalId, a.data);
          break;
        }
        const replaced = a.physicalId !== before.physicalId;
        live.set(id, { physicalId: a.physicalId!, data: a.data });
        resources[id] = this.deployed(r, a.physicalId!, props, a.data);
        done.push({ kind: 'update', id, type: r.Type, oldPhysicalId: before.physicalId, physicalId: a.physicalId!, oldProps: before.properties, props, replaced, deletionPolicy: r.DeletionPolicy });
        this.row(id, replaced ? 'replaced' : 'updated', a.physicalId, a.data, replaced ? `replaces flow ${before.physicalId}` : undefined);
      }
    }

    if (failure !== undefined) return this.rollback(done, failure);

    await this.cleanup(done);
    const changed = this.events > 0 || this.rows.some((r) => r.action !== 'unchanged');
    return {
      stackName: this.stackName,
      outcome: !previous ? 'created' : changed ? 'updated' : 'no changes',
      rows: this.rows,
      state: {
        stackName: this.stackName,
        stackId: this.op.env.stackId,
        status: previous ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE',
        updatedAt: new Date().toISOString(),
        template: next.template,
        resources,
        functions: this.op.next!.functions,
      },
      problems: this.problems,
      events: this.events,
    };
  }

  /** The cleanup phase: removed resources and the old physical resources of replacements. */
  private async cleanup(done: Done[]): Promise<void> {
    const next = this.next!;
    const previous = this.op.previous;
    const items: Array<{ id: string; res: DeployedResource; physicalId: string; props: Props; replaced: boolean }> = [];
    for (const [id, res] of Object.entries(previous?.resources ?? {})) {
      if (next.resources[id]?.Type !== RESOURCE_TYPE) items.push({ id, res, physicalId: res.physicalId, props: res.properties, replaced: false });
    }
    for (const d of done) {
      if (d.kind === 'update' && d.replaced) items.push({ id: d.id, res: previous!.resources[d.id], physicalId: d.oldPhysicalId, props: d.oldProps, replaced: true });
    }
    const rank = (id: string) => this.prev?.order.indexOf(id) ?? -1;
    items.sort((a, b) => rank(b.id) - rank(a.id));

    for (const item of items) {
      const { id, res, physicalId } = item;
      if (item.replaced ? next.resources[id].UpdateReplacePolicy === RETAIN : retainedOnDelete(res.deletionPolicy)) {
        this.row(id, 'retained', physicalId, res.data, item.replaced ? `old flow of the replacement, kept (UpdateReplacePolicy ${RETAIN}); no longer managed` : `removed from the app, kept (DeletionPolicy ${res.deletionPolicy}); no longer managed`);
        continue;
      }
      const a = await this.send('cleanup', 'Delete', id, res.type, item.props, { physicalId });
      const why = item.replaced ? 'old flow of the replacement' : 'removed from the app';
      if (a.status === 'SUCCESS') {
        this.row(id, deleteAction(a), physicalId, { ...res.data, ...a.data }, why);
      } else {
        this.row(id, 'failed', physicalId, res.data, `cleanup Delete failed: ${a.reason}`);
        this.problems.push(`${id}: the cleanup Delete of flow ${physicalId} (${why}) failed: ${a.reason}. CloudFormation completes the update and leaves the flow behind, no longer managed`);
      }
    }
  }

  /** Puts the stack back as it was before this deploy. */
  private async rollback(done: Done[], failure: string): Promise<StackResult> {
    const previous = this.op.previous;
    const restored: Record<string, DeployedResource> = { ...(previous?.resources ?? {}) };
    let rollbackFailed = false;

    // Rollback phase: updates are undone, newest first.
    const undoneUpdates = new Map<Done, string>();
    for (const d of [...done].reverse()) {
      if (!((d.kind === 'update' && !d.replaced) || d.kind === 'update-failed')) continue;
      const a = await this.send('rollback', 'Update', d.id, d.type, d.oldProps, { old: d.props, physicalId: d.physicalId });
      if (a.status === 'SUCCESS') {
        restored[d.id] = { ...restored[d.id], physicalId: a.physicalId!, data: a.data };
        undoneUpdates.set(d, a.physicalId!);
        this.row(d.id, 'rolled back', a.physicalId, a.data, 'update undone: the previous properties are back');
      } else {
        rollbackFailed = true;
        this.row(d.id, 'failed', d.physicalId, a.data, `rollback Update failed: ${a.reason}`);
        this.problems.push(`${d.id}: the rollback Update of flow ${d.physicalId} failed: ${a.reason}. CloudFormation would stop in UPDATE_ROLLBACK_FAILED; the flow may keep the new properties`);
      }
    }

    // Rollback cleanup: what this deploy created is deleted, newest first.
    for (const d of [...done].reverse()) {
      let target: { physicalId: string; props: Props; what: string } | undefined;
      if (d.kind === 'create') target = { physicalId: d.physicalId, props: d.props, what: 'creation undone' };
      if (d.kind === 'create-failed') target = { physicalId: d.physicalId, props: d.props, what: 'failed creation cleaned up' };
      if (d.kind === 'update' && d.replaced) target = { physicalId: d.physicalId, props: d.props, what: `replacement undone: flow ${d.oldPhysicalId} is back` };
      const answered = undoneUpdates.get(d);
      if (answered !== undefined && answered !== d.physicalId) {
        target = { physicalId: d.physicalId, props: d.props, what: `replaced by the rollback with flow ${answered}` };
      }
      if (!target) continue;
      if (d.deletionPolicy === RETAIN) {
        this.row(d.id, 'retained', target.physicalId, {}, `created by the failed deploy, kept (DeletionPolicy ${RETAIN}); no longer managed`);
        if (isFlowId(target.physicalId)) this.problems.push(`${d.id}: flow ${target.physicalId}, created by the failed deploy, is kept (DeletionPolicy ${RETAIN}) and no longer managed`);
        continue;
      }
      const a = await this.send('rollback-cleanup', 'Delete', d.id, d.type, target.props, { physicalId: target.physicalId });
      if (a.status === 'SUCCESS') {
        this.row(d.id, 'rolled back', target.physicalId, a.data, target.what);
      } else {
        this.row(d.id, 'failed', target.physicalId, a.data, `rollback Delete failed: ${a.reason}`);
        this.problems.push(
          isFlowId(target.physicalId)
            ? `${d.id}: the rollback Delete of flow ${target.physicalId} failed: ${a.reason}. The flow is left in the emulator, no longer managed`
            : `${d.id}: the rollback Delete of ${target.physicalId} failed: ${a.reason}. CloudFormation would end in a ROLLBACK_FAILED state`,
        );
      }
    }

    return {
      stackName: this.stackName,
      outcome: 'rolled back',
      rows: this.rows,
      state: previous && {
        ...previous,
        status: rollbackFailed ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE',
        updatedAt: new Date().toISOString(),
        resources: restored,
      },
      failure,
      problems: this.problems,
      events: this.events,
    };
  }

  /** A stack deletion. */
  async destroy(): Promise<StackResult> {
    const previous = this.op.previous!;
    const order = this.prev!.order;
    const ids = Object.keys(previous.resources).sort((a, b) => order.indexOf(b) - order.indexOf(a));
    const remaining: Record<string, DeployedResource> = { ...previous.resources };
    let failure: string | undefined;
    for (const id of ids) {
      const res = previous.resources[id];
      if (retainedOnDelete(res.deletionPolicy)) {
        this.row(id, 'retained', res.physicalId, res.data, `kept (DeletionPolicy ${res.deletionPolicy}); no longer managed`);
        delete remaining[id];
        continue;
      }
      const a = await this.send('destroy', 'Delete', id, res.type, res.properties, { physicalId: res.physicalId });
      if (a.status === 'SUCCESS') {
        this.row(id, deleteAction(a), res.physicalId, { ...res.data, ...a.data });
        delete remaining[id];
      } else {
        failure ??= `${id} failed: ${a.reason}`;
        this.row(id, 'failed', res.physicalId, res.data, a.reason);
      }
    }
    const left = Object.keys(remaining).length > 0;
    return {
      stackName: this.stackName,
      outcome: left ? 'delete failed' : 'deleted',
      rows: this.rows,
      state: left ? { ...previous, status: 'DELETE_FAILED', updatedAt: new Date().toISOString(), resources: remaining } : undefined,
      failure,
      problems: this.problems,
      events: this.events,
    };
  }

  private deployed(r: TemplateResource, physicalId: string, properties: Props, data: Record<string, string>): DeployedResource {
    return { type: r.Type, physicalId, properties, data, deletionPolicy: r.DeletionPolicy, updateReplacePolicy: r.UpdateReplacePolicy };
  }

  /** Sends one event to the provider function named by the properties' ServiceToken. */
  private async send(
    phase: Phase,
    requestType: 'Create' | 'Update' | 'Delete',
    id: string,
    type: string,
    props: Props,
    extra: { old?: Props; physicalId?: string } = {},
  ): Promise<Answer> {
    const token = String(props.ServiceToken ?? '');
    // Until the rollback is over the new function runs; after it (rollback cleanup) and for a
    // deletion, the deployed one.
    const models = phase === 'rollback-cleanup' || phase === 'destroy' ? [this.prev, this.next] : [this.next, this.prev];
    const model = models.find((m) => m?.functionOf(token) !== undefined);
    let fn: LambdaFunctionConfig;
    try {
      if (!model) throw new TemplateError(`ServiceToken ${JSON.stringify(token)} is not a Lambda function of stack ${this.stackName}; the local deploy runs only the stack's own functions`);
      fn = model.functionConfig(model.functionOf(token)!, new Map());
    } catch (e) {
      return { status: 'FAILED', reason: (e as Error).message, data: {} };
    }
    const seconds = Number(props.ServiceTimeout);
    const serviceTimeoutMs = (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_SERVICE_TIMEOUT_S) * 1000;
    this.events++;
    const outcome = await this.op.runtime.send(
      fn,
      {
        RequestType: requestType,
        ServiceToken: token,
        StackId: this.op.env.stackId,
        RequestId: randomUUID(),
        LogicalResourceId: id,
        ResourceType: type,
        ResourceProperties: props,
        ...(extra.old ? { OldResourceProperties: extra.old } : {}),
        ...(extra.physicalId !== undefined ? { PhysicalResourceId: extra.physicalId } : {}),
      },
      serviceTimeoutMs,
      this.iam.allowedWabas(phase, id),
    );
    const label = phase === 'rollback' || phase === 'rollback-cleanup' ? `${requestType} (rollback)` : phase === 'cleanup' ? `${requestType} (cleanup)` : requestType;
    this.op.progress?.(
      `${this.stackName} ${label} ${id}${extra.physicalId ? ` ${extra.physicalId}` : ''}: ${outcome.status}` +
        `${outcome.status === 'SUCCESS' && outcome.physicalResourceId !== extra.physicalId ? ` ${outcome.physicalResourceId}` : ''}` +
        `${outcome.status === 'FAILED' ? ` (${outcome.reason})` : ''} ${outcome.durationMs} ms`,
    );
    return { status: outcome.status, reason: outcome.reason, physicalId: outcome.physicalResourceId, data: outcome.data };
  }

  private row(logicalId: string, action: RowAction, physicalId: string | undefined, data: Record<string, string>, note?: string): void {
    this.rows.push({
      stack: this.stackName,
      logicalId,
      action,
      flowId: isFlowId(physicalId) ? physicalId : '-',
      status: data[Attr.FLOW_STATUS] || '-',
      validationErrors: data[Attr.VALIDATION_ERRORS] ?? '',
      previewUrl: data[Attr.PREVIEW_URL] ?? '',
      ...(note ? { note } : {}),
    });
  }
}

function deleteAction(a: Answer): RowAction {
  return a.data[Attr.ACTION] === 'deprecated' ? 'deprecated' : 'deleted';
}

/** The physical id CloudFormation makes up for a resource that never answered one. */
function generatedPhysicalId(stackName: string, logicalId: string): string {
  return `${stackName}-${logicalId}-${randomBytes(6).toString('hex').toUpperCase()}`;
}
