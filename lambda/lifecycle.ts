/**
 * One CloudFormation event, from parsed properties to the answer: read the flow's state, plan,
 * execute, and say what happened in one decision log line.
 */
import { ADOPTIONS_ENV, adoptionKey, holderKey } from '../lib/private/adoption';
import { Attr, CREATE_FAILED_PHYSICAL_ID } from '../lib/private/contract';
import { CfnAnswer } from './cfn-response';
import { Executor, FailureWithFlow, formatErrors, Outcome, Progress } from './execute';
import { Logger } from './log';
import { FlowState, isFlowId, plan, Plan, RequestType } from './plan';
import { FlowSpec, parseProps, wabaKey } from './props';
import { FlowError, FlowService } from './service';

export interface CfnEvent {
  readonly RequestType: RequestType;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

export interface RunOptions {
  readonly deadline: number;
  readonly stopped: () => boolean;
  readonly log: Logger;
  readonly progress: Progress;
}

/** Longest ValidationErrors attribute, so that the whole answer stays under 4 KB. */
const MAX_ERRORS_ATTRIBUTE = 1500;

export async function run(event: CfnEvent, options: RunOptions): Promise<CfnAnswer> {
  const started = Date.now();
  const { log } = options;
  const service = new FlowService({ ...options, region: regionOf(event.StackId) });
  const executor = new Executor(service, log, options.progress);
  const physicalId = event.PhysicalResourceId;
  let current: FlowState | null | undefined;
  let thePlan: Plan | undefined;
  let desired: FlowSpec | undefined;
  let result: Outcome | undefined;
  try {
    if (event.RequestType === 'Delete' && !isFlowId(physicalId)) {
      // Left by a failed create (or never a flow): nothing to do, whatever the properties say.
      log.info({ event: 'plan', requestType: 'Delete', physicalId, action: 'none', notes: [`physical id ${JSON.stringify(physicalId)} is not a flow id: nothing to delete`] });
      return { status: 'SUCCESS', reason: 'nothing to delete', physicalResourceId: physicalId ?? CREATE_FAILED_PHYSICAL_ID, data: {} };
    }
    desired = parseProps(event.ResourceProperties);
    switch (event.RequestType) {
      case 'Create':
        thePlan = plan({ requestType: 'Create', desired });
        logPlan(log, event, thePlan, undefined);
        result = await executor.create(desired, thePlan);
        break;
      case 'Update': {
        const previous = parseLenient(event.OldResourceProperties);
        if (isFlowId(physicalId)) {
          const moved = previous !== undefined && wabaKey(previous.wabaId) !== wabaKey(desired.wabaId);
          // After a WABA change, look for the flow in the declared WABA: found there, the move is
          // being rolled back (the failed move never touched it); not found, it is a replacement.
          current = moved ? await service.probe(desired.wabaId, physicalId) : await service.get(desired.wabaId, physicalId);
        }
        thePlan = plan({ requestType: 'Update', desired, previous, physicalId, current });
        logPlan(log, event, thePlan, current);
        if (thePlan.action === 'replace') {
          result = await executor.create(desired, thePlan, isFlowId(physicalId) ? { flowId: physicalId, status: current?.status } : undefined);
        } else {
          result = await executor.update(physicalId!, desired, current!, thePlan);
        }
        break;
      }
      case 'Delete': {
        const holder = adoptedBy(desired, event.LogicalResourceId, log);
        const heldElsewhere = holder === 'another' || (desired.adoptExisting && holder !== 'this');
        if (isFlowId(physicalId) && desired.removalPolicy !== 'retain' && !heldElsewhere) {
          current = await service.get(desired.wabaId, physicalId);
        }
        thePlan = plan({ requestType: 'Delete', desired, physicalId, current, adoptedBy: holder });
        logPlan(log, event, thePlan, current);
        result = await executor.delete(physicalId ?? '', desired, current, thePlan);
        break;
      }
      default:
        throw new FlowError(`unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}`);
    }
    const answer: CfnAnswer = {
      status: 'SUCCESS',
      reason: `${result.action}: flow ${result.flowId || physicalId} (${result.status || 'no status'})`,
      physicalResourceId: event.RequestType === 'Delete' ? physicalId! : result.flowId,
      data: data(desired, result),
    };
    log.info({
      event: 'done',
      requestType: event.RequestType,
      flowId: result.flowId,
      statusBefore: current?.status,
      statusAfter: result.status,
      action: result.action,
      calls: service.calls,
      durationMs: Date.now() - started,
    });
    return answer;
  } catch (e) {
    const reason = reasonOf(e, desired);
    log.error({
      event: 'failed',
      requestType: event.RequestType,
      physicalId,
      statusBefore: current?.status,
      planned: thePlan?.steps.map((s) => s.kind),
      calls: service.calls,
      error: (e as Error)?.name,
      reason,
      durationMs: Date.now() - started,
    });
    return { status: 'FAILED', reason, physicalResourceId: failurePhysicalId(event, e) };
  }
}

/** The physical id of a FAILED answer: the event's own, or for a Create the flow it could not remove. */
export function failurePhysicalId(event: Partial<CfnEvent>, e?: unknown): string {
  if (e instanceof FailureWithFlow) return event.RequestType === 'Create' ? e.flowId : (event.PhysicalResourceId ?? e.flowId);
  return event.PhysicalResourceId ?? CREATE_FAILED_PHYSICAL_ID;
}

export function reasonOf(e: unknown, desired?: FlowSpec): string {
  const prefix = desired ? `flow ${JSON.stringify(desired.flowName)}: ` : '';
  if (e instanceof Error && (e.name === 'FlowError' || e.name === 'PropsError' || e instanceof FlowError)) return `${prefix}${e.message}`;
  const err = e as { name?: string; message?: string };
  return `${prefix}unexpected ${err?.name ?? 'error'}: ${err?.message ?? String(e)}`;
}

/** Reads the provider's adoption map (see lib/private/adoption.ts) for the flow of a Delete. */
function adoptedBy(desired: FlowSpec, logicalId: string, log: Logger): 'this' | 'another' | 'none' {
  const raw = process.env[ADOPTIONS_ENV];
  if (!raw) return 'none';
  let map: Record<string, string>;
  try {
    map = JSON.parse(raw);
  } catch {
    log.warn({ event: 'adoptions-unreadable', note: `${ADOPTIONS_ENV} is not JSON: treated as empty` });
    return 'none';
  }
  const holder = map[adoptionKey(desired.wabaId, desired.flowName)];
  if (holder === undefined) return 'none';
  return holder === holderKey(logicalId) ? 'this' : 'another';
}

/** The Region in an ARN (the stack's), if any. */
function regionOf(arn: unknown): string | undefined {
  return typeof arn === 'string' && arn.startsWith('arn:') ? arn.split(':')[3] || undefined : undefined;
}

function parseLenient(raw: unknown): FlowSpec | undefined {
  try {
    return parseProps(raw, 'OldResourceProperties');
  } catch {
    return undefined;
  }
}

function data(desired: FlowSpec, r: Outcome): Record<string, string> {
  const errors = formatErrors(r.validationErrors);
  return {
    [Attr.FLOW_ID]: r.flowId,
    [Attr.FLOW_STATUS]: r.status,
    [Attr.WABA_ID]: desired.wabaId,
    [Attr.VALIDATION_ERRORS]: errors.length > MAX_ERRORS_ATTRIBUTE ? `${errors.slice(0, MAX_ERRORS_ATTRIBUTE - 1)}…` : errors,
    [Attr.PREVIEW_URL]: r.previewUrl,
    [Attr.PREVIEW_EXPIRES_AT]: r.previewExpiresAt,
    [Attr.ACTION]: r.action,
  };
}

function logPlan(log: Logger, event: CfnEvent, p: Plan, current: FlowState | null | undefined): void {
  log.info({
    event: 'plan',
    requestType: event.RequestType,
    physicalId: event.PhysicalResourceId,
    statusBefore: current === null ? 'NOT_FOUND' : current?.status,
    action: p.action,
    planned: p.steps.map((s) => s.kind),
    notes: p.notes.length ? p.notes : undefined,
  });
}
