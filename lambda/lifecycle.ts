/**
 * One CloudFormation event, from parsed properties to the answer: read the flow's state, plan,
 * execute, and say what happened in one decision log line.
 */
import { Attr, CREATE_FAILED_PHYSICAL_ID, CREATE_UNCERTAIN_PHYSICAL_ID, parsePhysicalId, wabaAccountId } from '../lib/shared/contract';
import { declarer, HOLDERS_ENV } from '../lib/shared/holders';
import { CfnAnswer } from './cfn-response';
import { CreateUncertain, EventContext, Executor, FailureWithFlow, formatErrors, Outcome, pendingName, Progress } from './execute';
import { Logger } from './log';
import { deleteNeedsState, FlowState, plan, Plan, RequestType } from './plan';
import { FlowSpec, parseProps, PropsError } from './props';
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
  /** When CloudFormation sent the event (epoch ms), or when it arrived if that is unknown. */
  readonly issuedAt: number;
}

/** Longest ValidationErrors attribute, so that the whole answer stays under 4 KB. */
const MAX_ERRORS_ATTRIBUTE = 1500;
/** Longest Divergence attribute. */
const MAX_DIVERGENCE_ATTRIBUTE = 1000;

export async function run(event: CfnEvent, options: RunOptions): Promise<CfnAnswer> {
  const started = Date.now();
  const { log } = options;
  const service = new FlowService({ ...options, region: regionOf(event.StackId), issuedAt: options.issuedAt });
  const ctx: EventContext = { logicalId: event.LogicalResourceId, holders: process.env[HOLDERS_ENV], issuedAt: options.issuedAt };
  const executor = new Executor(service, log, options.progress, ctx);
  const physicalId = event.PhysicalResourceId;
  const parsed = parsePhysicalId(physicalId);
  let current: FlowState | null | undefined;
  let thePlan: Plan | undefined;
  let desired: FlowSpec | undefined;
  let result: Outcome | undefined;
  try {
    try {
      desired = parseProps(event.ResourceProperties);
    } catch (e) {
      if (!(e instanceof PropsError) || event.RequestType !== 'Delete') throw e;
      // A resource whose properties never described a flow never made one (its create failed on
      // them): nothing to delete, and a Delete must not fail on it.
      log.info({ event: 'plan', requestType: 'Delete', physicalId, action: 'none', notes: [`the properties do not describe a flow (${e.message}): nothing to delete`] });
      return { status: 'SUCCESS', reason: 'nothing to delete', physicalResourceId: physicalId ?? CREATE_FAILED_PHYSICAL_ID, data: {} };
    }
    switch (event.RequestType) {
      case 'Create':
        thePlan = plan({ requestType: 'Create', desired });
        logPlan(log, event, thePlan, undefined);
        result = await executor.create(desired, thePlan);
        break;
      case 'Update': {
        const previous = parseLenient(event.OldResourceProperties);
        if (parsed) {
          const moved = previous !== undefined && wabaAccountId(previous.wabaId) !== wabaAccountId(desired.wabaId);
          // After a WABA change, look for the flow in the declared WABA: found there, the move is
          // being rolled back (the failed move never touched it); not found, it is a replacement.
          current = moved ? await service.probe(desired.wabaId, parsed.flowId) : await service.get(desired.wabaId, parsed.flowId);
        }
        thePlan = plan({ requestType: 'Update', desired, previous, physicalId, current });
        logPlan(log, event, thePlan, current);
        if (thePlan.action === 'replace') {
          result = await executor.create(desired, thePlan, parsed ? { flowId: parsed.flowId, status: current?.status } : undefined);
        } else {
          // The properties say the name or categories change, but the flow already has them: the
          // event that was to change them back may be a cancelled one still under way (a rollback
          // runs while the update it undoes still runs).
          const watch = previous !== undefined && current != null && (
            (previous.flowName !== desired.flowName && current.flowName === desired.flowName) ||
            (!sameSet(previous.categories, desired.categories) && current.categories !== undefined && sameSet(current.categories, desired.categories)));
          result = await executor.update(physicalId!, parsed!.flowId, desired, current!, thePlan, watch);
        }
        break;
      }
      case 'Delete': {
        let holder = declarer(ctx.holders, desired.wabaId, desired.flowName, event.LogicalResourceId);
        if (parsed && (holder === 'adopter' || (holder === 'another' && parsed.adopted))) {
          // The resource that declares the name may hold this flow, unless it waits for the name
          // under a flow of its own (a rename that found the name taken): then this one is not its.
          const name = desired.flowName;
          const flows = await service.listFlows(desired.wabaId);
          if (flows.some((f) => f.flowName === pendingName(name, f.flowId))) holder = 'none';
        }
        // The flow's state is read only when the decision depends on it.
        if (parsed && deleteNeedsState({ desired, physicalId, declarer: holder })) current = await service.get(desired.wabaId, parsed.flowId);
        thePlan = plan({ requestType: 'Delete', desired, physicalId, current, declarer: holder });
        logPlan(log, event, thePlan, current);
        result = await executor.delete(physicalId ?? '', parsed?.flowId, desired, current, thePlan);
        break;
      }
      default:
        throw new FlowError(`unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}`);
    }
    const answer: CfnAnswer = {
      status: 'SUCCESS',
      reason: `${result.action}: flow ${result.flowId || physicalId} (${result.status || 'no status'})${result.divergence.length ? `; ${result.divergence.join('; ')}` : ''}`,
      physicalResourceId: event.RequestType === 'Delete' ? (physicalId ?? CREATE_FAILED_PHYSICAL_ID) : result.physicalId,
      data: data(desired, result),
    };
    log.info({
      event: 'done',
      requestType: event.RequestType,
      flowId: result.flowId,
      statusBefore: current?.status,
      statusAfter: result.status,
      action: result.action,
      divergence: result.divergence.length ? result.divergence : undefined,
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
    return { status: 'FAILED', reason, physicalResourceId: failurePhysicalId(event, e, options.progress) };
  }
}

/**
 * The physical id of a FAILED answer: the event's own; for a Create, the flow it could not
 * remove, or a marker saying whether a flow may still appear.
 */
export function failurePhysicalId(event: Partial<CfnEvent>, e?: unknown, progress?: Progress): string {
  if (event.RequestType !== 'Create') return event.PhysicalResourceId ?? CREATE_FAILED_PHYSICAL_ID;
  if (e instanceof FailureWithFlow) return e.flowId;
  if (progress?.createdFlowId) return progress.createdFlowId;
  if (e instanceof CreateUncertain || progress?.createInFlight) return CREATE_UNCERTAIN_PHYSICAL_ID;
  return CREATE_FAILED_PHYSICAL_ID;
}

export function reasonOf(e: unknown, desired?: FlowSpec): string {
  const prefix = desired ? `flow ${JSON.stringify(desired.flowName)}: ` : '';
  if (e instanceof Error && (e.name === 'FlowError' || e.name === 'PropsError' || e instanceof FlowError)) return `${prefix}${e.message}`;
  const err = e as { name?: string; message?: string };
  return `${prefix}unexpected ${err?.name ?? 'error'}: ${err?.message ?? String(e)}`;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
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

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function data(desired: FlowSpec, r: Outcome): Record<string, string> {
  return {
    [Attr.FLOW_ID]: r.flowId,
    [Attr.FLOW_STATUS]: r.status,
    [Attr.WABA_ID]: desired.wabaId,
    [Attr.VALIDATION_ERRORS]: cap(formatErrors(r.validationErrors), MAX_ERRORS_ATTRIBUTE),
    [Attr.PREVIEW_URL]: r.previewUrl,
    [Attr.PREVIEW_EXPIRES_AT]: r.previewExpiresAt,
    [Attr.ACTION]: r.action,
    [Attr.DIVERGENCE]: cap(r.divergence.join('; '), MAX_DIVERGENCE_ATTRIBUTE),
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
