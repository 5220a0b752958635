/**
 * The lifecycle decision, as a pure function: what calls an event needs, given what the
 * resource declared before, what it declares now and the flow's state in the service.
 * One branch per row of the README's lifecycle table. No SDK, no I/O.
 *
 * The one copy of these rules: the handler decides with it (lifecycle.ts), and so does
 * `whatsapp-flow diff` (cli/diff/plan.ts), which infers the flow's status from the old template.
 * So it imports only lib/shared and Node built-ins, and test/lambda/plan.test.ts checks it row by
 * row of the README.
 */
import {
  CREATE_FAILED_PHYSICAL_ID, FLOW_ID_PATTERN, parsePhysicalId, RemovalPolicyValue, wabaAccountId,
} from '../lib/shared/contract';
import type { Declarer } from '../lib/shared/holders';
import { ContentRef, FlowSpec } from './props';

export type RequestType = 'Create' | 'Update' | 'Delete';

/** The flow as the service reports it (GetWhatsAppFlow). */
export interface FlowState {
  readonly flowId: string;
  readonly flowName: string;
  readonly status: string;
  readonly categories?: string[];
  readonly validationErrors: string[];
  /** The last preview link generated for the flow, if any. */
  readonly preview?: { readonly previewUrl: string; readonly expiresAt: string };
}

export type Step =
  /** Look the name up, create the flow (or adopt the holder of the name), publish if asked, check. */
  | { readonly kind: 'create'; readonly spec: FlowSpec }
  /** Rename and/or recategorize; a rename whose name another flow holds waits for it, then diverges. */
  | { readonly kind: 'updateMetadata'; readonly flowName?: string; readonly categories?: string[] }
  /**
   * Replace the content. On a live flow the content in place is kept as the restore point (read
   * from the service; `restore` is the declared previous content, used when it cannot be read),
   * so that a refused publish puts it back and the flow stays sendable.
   */
  | { readonly kind: 'updateContent'; readonly content: ContentRef; readonly restore?: ContentRef; readonly publishAfter: boolean; readonly live: boolean }
  | { readonly kind: 'publish' }
  /** After a metadata update of a published flow: republish if the service returned it to DRAFT. */
  | { readonly kind: 'keepPublished' }
  /** A published flow leaves the stack: renamed out of the way (so its name can be used again), then deprecated. */
  | { readonly kind: 'retire' }
  | { readonly kind: 'deprecate'; readonly tolerateRefusal: boolean }
  | { readonly kind: 'delete' }
  /**
   * A Delete whose physical id names no flow (a failed, cancelled or timed-out create): remove the
   * flow of this name that matches the declaration exactly, if one exists; `waitForCreate` keeps
   * looking until a create still in flight must have ended.
   */
  | { readonly kind: 'removeExactMatch'; readonly waitForCreate: boolean }
  /**
   * The rollback of a move to another WABA: the flow the failed move may have created there (its
   * answer may never have reached CloudFormation, when it cancelled the update) is removed if it
   * matches that declaration exactly.
   */
  | { readonly kind: 'removeMovedCopy'; readonly spec: FlowSpec }
  | { readonly kind: 'preview'; readonly invalidate: boolean };

export type PlanAction = 'create' | 'replace' | 'update' | 'delete' | 'deprecate' | 'cleanup' | 'none';

export interface Plan {
  readonly action: PlanAction;
  readonly steps: Step[];
  /** Why, in words, for the log (and divergences the user should know about). */
  readonly notes: string[];
}

export interface PlanInput {
  readonly requestType: RequestType;
  readonly physicalId?: string;
  /** The properties of the event (for Delete: those of the resource being deleted). */
  readonly desired: FlowSpec;
  /** OldResourceProperties of an Update. */
  readonly previous?: FlowSpec;
  /** The flow's state: null when the service does not know the flow, undefined when not read. */
  readonly current?: FlowState | null;
  /**
   * For Delete: which resource of the stack's current template declares the flow's WABA and name
   * (a resource that adopts may hold this very flow now: a construct or logical id changed).
   */
  readonly declarer?: Declarer;
}

export const Status = {
  DRAFT: 'DRAFT',
  PUBLISHED: 'PUBLISHED',
  DEPRECATED: 'DEPRECATED',
  BLOCKED: 'BLOCKED',
  THROTTLED: 'THROTTLED',
} as const;

/** Whether a string is a Meta flow id. */
export function isFlowId(id: string | undefined): id is string {
  return id !== undefined && FLOW_ID_PATTERN.test(id);
}

/** Whether a flow in this status can be sent (a content change would make it a draft). */
export function isLive(status: string | undefined): boolean {
  return status === Status.PUBLISHED || status === Status.THROTTLED;
}

export function plan(input: PlanInput): Plan {
  switch (input.requestType) {
    case 'Create':
      return planCreate(input.desired, []);
    case 'Update':
      return planUpdate(input);
    case 'Delete':
      return planDelete(input);
    default:
      throw new Error(`unknown RequestType ${JSON.stringify(input.requestType)}`);
  }
}

function planCreate(spec: FlowSpec, notes: string[], action: PlanAction = 'create'): Plan {
  const steps: Step[] = [{ kind: 'create', spec }];
  if (spec.preview) steps.push({ kind: 'preview', invalidate: false });
  return { action, steps, notes };
}

function planUpdate(input: PlanInput): Plan {
  const { desired, previous, current } = input;
  const parsed = parsePhysicalId(input.physicalId);
  if (!parsed) {
    return planCreate(desired, [`physical id ${JSON.stringify(input.physicalId)} is not a flow id: creating the flow`], 'replace');
  }
  const physicalId = parsed.flowId;
  const moved = previous !== undefined && wabaAccountId(previous.wabaId) !== wabaAccountId(desired.wabaId);
  if (moved && !current) {
    return planCreate(desired, [`wabaId changed from ${previous.wabaId} to ${desired.wabaId}: creating the flow in the new WABA; CloudFormation then deletes or deprecates flow ${physicalId}`], 'replace');
  }
  if (moved && current!.status !== Status.DEPRECATED) {
    // The flow already lives in the declared WABA: a move that failed is being rolled back. The
    // failed move never touched this flow, so it is as the declaration describes.
    const p = planInPlace(desired, desired, physicalId, current!, [`flow ${physicalId} is already in ${desired.wabaId}: rolling back a failed move, nothing to replace`]);
    return { ...p, steps: [...p.steps, { kind: 'removeMovedCopy', spec: previous }] };
  }
  if (current === null) {
    return planCreate(desired, [`flow ${physicalId} no longer exists (deleted outside CloudFormation): creating it again`], 'replace');
  }
  if (current === undefined) {
    throw new Error('planUpdate needs the flow state');
  }
  if (current.status === Status.DEPRECATED) {
    return planCreate(desired, [`flow ${physicalId} was deprecated outside CloudFormation: creating it again`], 'replace');
  }

  return planInPlace(desired, previous, physicalId, current, []);
}

/**
 * Adoption: make an existing flow match the declaration, starting from what the service says of
 * it. Its deployed content is known only by its hash (undefined when it could not be read).
 */
export function planAdoption(desired: FlowSpec, current: FlowState, deployedContentSha?: string): Plan {
  const asFound: FlowSpec = { ...desired, categories: [], preview: false, content: deployedContentSha === undefined ? undefined : { sha256: deployedContentSha } };
  const p = planInPlace(desired, asFound, current.flowId, current, []);
  return { ...p, steps: p.steps.map((s) => (s.kind === 'updateContent' ? { ...s, restore: undefined } : s)) };
}

function planInPlace(desired: FlowSpec, previous: FlowSpec | undefined, physicalId: string, current: FlowState, notes: string[]): Plan {
  const steps: Step[] = [];
  if (current.status === Status.BLOCKED) {
    notes.push(`flow ${physicalId} is BLOCKED by Meta and refuses changes; the declared state is not applied (contact Meta support, then deploy again)`);
    return { action: 'none', steps, notes };
  }
  const live = isLive(current.status);

  const metadata: { flowName?: string; categories?: string[] } = {};
  if (current.flowName !== desired.flowName) metadata.flowName = desired.flowName;
  const actualCategories = current.categories ?? previous?.categories;
  if (!actualCategories || !sameSet(actualCategories, desired.categories)) metadata.categories = desired.categories;
  if (metadata.flowName !== undefined || metadata.categories !== undefined) {
    steps.push({ kind: 'updateMetadata', ...metadata });
  }

  const contentChanged = desired.content !== undefined && desired.content.sha256 !== previous?.content?.sha256;
  if (contentChanged) {
    const publishAfter = desired.publish || live;
    if (live && !desired.publish) {
      notes.push('the content of a published flow changed: republishing it although publish is false (a content update returns it to DRAFT, which cannot be sent)');
    }
    steps.push({ kind: 'updateContent', content: desired.content!, restore: live ? previous?.content : undefined, publishAfter, live });
  } else {
    if (live && steps.length > 0) steps.push({ kind: 'keepPublished' });
    if (desired.publish && current.status === Status.DRAFT) steps.push({ kind: 'publish' });
  }
  if (!desired.publish && live) {
    notes.push(`publish is false but flow ${physicalId} is ${current.status}: a published flow cannot return to draft, so it stays published (deprecate it by removing it from the stack)`);
  }
  if (desired.preview && (contentChanged || !previous?.preview)) {
    steps.push({ kind: 'preview', invalidate: contentChanged });
  }
  return { action: steps.some((s) => s.kind !== 'preview') ? 'update' : 'none', steps, notes };
}

/** Whether a Delete's decision depends on the flow's state (so GetWhatsAppFlow must be read first). */
export function deleteNeedsState(input: Omit<PlanInput, 'requestType' | 'current'>): boolean {
  const parsed = parsePhysicalId(input.physicalId);
  if (!parsed || input.desired.removalPolicy === RemovalPolicyValue.RETAIN) return false;
  const mayBeHeldElsewhere = input.declarer === 'adopter' || (input.declarer === 'another' && parsed.adopted);
  return !(parsed.adopted && input.desired.removalPolicy === RemovalPolicyValue.DESTROY_KEEP_ADOPTED && !mayBeHeldElsewhere);
}

function planDelete(input: PlanInput): Plan {
  const { desired, current, declarer } = input;
  const parsed = parsePhysicalId(input.physicalId);
  if (desired.removalPolicy === RemovalPolicyValue.RETAIN) {
    return { action: 'none', steps: [], notes: [`removal policy is RETAIN: ${parsed ? `flow ${parsed.flowId}` : 'the flow'} is left as it is`] };
  }
  // Another resource of the stack's current template declares this WABA and name: it holds this
  // very flow if it took it over (it adopts), or if this resource had taken it over from it (a
  // rolled-back handover). Only while the flow still bears that name.
  const handedOver = declarer === 'adopter' || (declarer === 'another' && (parsed?.adopted ?? false));
  if (handedOver && (!parsed || current?.flowName === desired.flowName)) {
    return {
      action: 'none',
      steps: [],
      notes: [`the flow named ${JSON.stringify(desired.flowName)} is held by another resource of this stack (a construct or logical id changed, and one of them took the flow over): left in place`],
    };
  }
  if (!parsed) {
    const definite = input.physicalId === CREATE_FAILED_PHYSICAL_ID;
    return {
      action: 'cleanup',
      steps: [{ kind: 'removeExactMatch', waitForCreate: !definite }],
      notes: [
        definite
          ? 'the create failed: removing a flow of this name that matches the declaration exactly, if a duplicate delivery made one'
          : `physical id ${JSON.stringify(input.physicalId)} is not a flow id (a create cancelled or cut short): removing the flow it may still have made, once it exists`,
      ],
    };
  }
  const flowId = parsed.flowId;
  if (parsed.adopted && desired.removalPolicy === RemovalPolicyValue.DESTROY_KEEP_ADOPTED) {
    return {
      action: 'none',
      steps: [],
      notes: [
        `flow ${flowId} was taken over with adoptExisting, not created by this stack: left in place, no longer managed ` +
          '(a rolled-back adoption cannot be told apart from a removal; to have removing it delete or deprecate it, set removalPolicy DESTROY or deploy once without adoptExisting first)',
      ],
    };
  }
  if (current === null) {
    return { action: 'none', steps: [], notes: [`flow ${flowId} does not exist any more: nothing to delete`] };
  }
  if (current === undefined) {
    throw new Error('planDelete needs the flow state');
  }
  switch (current.status) {
    case Status.DRAFT:
      return { action: 'delete', steps: [{ kind: 'delete' }], notes: [] };
    case Status.PUBLISHED:
      return {
        action: 'deprecate',
        steps: [{ kind: 'retire' }],
        notes: ['published flows cannot be deleted: renaming it out of the way (so its name can be used again) and deprecating it'],
      };
    case Status.THROTTLED:
    case Status.BLOCKED:
      return {
        action: 'deprecate',
        steps: [{ kind: 'deprecate', tolerateRefusal: true }],
        notes: [`flow is ${current.status} (locked by Meta): deprecating if the service accepts it`],
      };
    case Status.DEPRECATED:
      return { action: 'none', steps: [], notes: [`flow ${flowId} is already DEPRECATED`] };
    default:
      return {
        action: 'none',
        steps: [],
        notes: [`flow ${flowId} has status ${JSON.stringify(current.status)}, unknown to this release: left untouched rather than risk deleting a live flow`],
      };
  }
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}
