/**
 * The lifecycle decision, as a pure function: what calls an event needs, given what the
 * resource declared before, what it declares now and the flow's state in the service.
 * One branch per row of the README's lifecycle table. No SDK, no I/O.
 */
import { FLOW_ID_PATTERN } from '../lib/private/contract';
import { ContentRef, FlowSpec, wabaKey } from './props';

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
  | { readonly kind: 'updateMetadata'; readonly flowName?: string; readonly categories?: string[] }
  /** Replace the content; `restore` is what to put back if a later step fails on a live flow. */
  | { readonly kind: 'updateContent'; readonly content: ContentRef; readonly restore?: ContentRef; readonly publishAfter: boolean }
  | { readonly kind: 'publish' }
  /** After a metadata update of a published flow: republish if the service returned it to DRAFT. */
  | { readonly kind: 'keepPublished' }
  | { readonly kind: 'deprecate'; readonly tolerateRefusal: boolean }
  | { readonly kind: 'delete' }
  | { readonly kind: 'preview'; readonly invalidate: boolean };

export type PlanAction = 'create' | 'replace' | 'update' | 'delete' | 'deprecate' | 'none';

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
   * For Delete: which resource of the stack holds the flow by adoption, per the provider's
   * adoption map: this one, another one, or none recorded.
   */
  readonly adoptedBy?: 'this' | 'another' | 'none';
}

export const Status = {
  DRAFT: 'DRAFT',
  PUBLISHED: 'PUBLISHED',
  DEPRECATED: 'DEPRECATED',
  BLOCKED: 'BLOCKED',
  THROTTLED: 'THROTTLED',
} as const;

/** Whether a physical id names a flow (and not a marker left by a failed create). */
export function isFlowId(id: string | undefined): id is string {
  return id !== undefined && FLOW_ID_PATTERN.test(id);
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
  const { desired, previous, physicalId, current } = input;
  if (!isFlowId(physicalId)) {
    return planCreate(desired, [`physical id ${JSON.stringify(physicalId)} is not a flow id: creating the flow`], 'replace');
  }
  const moved = previous !== undefined && wabaKey(previous.wabaId) !== wabaKey(desired.wabaId);
  if (moved && !current) {
    return planCreate(desired, [`wabaId changed from ${previous.wabaId} to ${desired.wabaId}: creating the flow in the new WABA; CloudFormation then deletes or deprecates flow ${physicalId}`], 'replace');
  }
  if (moved && current!.status !== Status.DEPRECATED) {
    // The flow already lives in the declared WABA: a move that failed is being rolled back. The
    // failed move never touched this flow, so it is as the declaration describes.
    return planInPlace(desired, desired, physicalId, current!, [`flow ${physicalId} is already in ${desired.wabaId}: rolling back a failed move, nothing to replace`]);
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
 * it. Its deployed content is known only by its hash (undefined when it could not be read), so
 * it cannot be put back if a later step fails.
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
  const live = current.status === Status.PUBLISHED || current.status === Status.THROTTLED;

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
    steps.push({ kind: 'updateContent', content: desired.content!, restore: live ? previous?.content : undefined, publishAfter });
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

function planDelete(input: PlanInput): Plan {
  const { physicalId, desired, current } = input;
  if (!isFlowId(physicalId)) {
    return { action: 'none', steps: [], notes: [`physical id ${JSON.stringify(physicalId)} is not a flow id (left by a failed create): nothing to delete`] };
  }
  if (desired.removalPolicy === 'retain') {
    return { action: 'none', steps: [], notes: [`removal policy is RETAIN: flow ${physicalId} is left as it is`] };
  }
  if (input.adoptedBy === 'another') {
    return {
      action: 'none',
      steps: [],
      notes: [`flow ${physicalId} is now held by another resource of this stack, which adopted it (a construct or logical id changed): left in place`],
    };
  }
  if (desired.adoptExisting && input.adoptedBy !== 'this') {
    return {
      action: 'none',
      steps: [],
      notes: [
        `this resource adopted flow ${physicalId}, but the stack no longer names it as the flow's holder (the adoption is being rolled back, or the flow went back to its former holder): left in place`,
      ],
    };
  }
  if (current === null) {
    return { action: 'none', steps: [], notes: [`flow ${physicalId} does not exist any more: nothing to delete`] };
  }
  if (current === undefined) {
    throw new Error('planDelete needs the flow state');
  }
  switch (current.status) {
    case Status.DRAFT:
      return { action: 'delete', steps: [{ kind: 'delete' }], notes: [] };
    case Status.PUBLISHED:
      return { action: 'deprecate', steps: [{ kind: 'deprecate', tolerateRefusal: false }], notes: ['published flows cannot be deleted: deprecating'] };
    case Status.THROTTLED:
    case Status.BLOCKED:
      return {
        action: 'deprecate',
        steps: [{ kind: 'deprecate', tolerateRefusal: true }],
        notes: [`flow is ${current.status} (locked by Meta): deprecating if the service accepts it`],
      };
    case Status.DEPRECATED:
      return { action: 'none', steps: [], notes: [`flow ${physicalId} is already DEPRECATED`] };
    default:
      return {
        action: 'none',
        steps: [],
        notes: [`flow ${physicalId} has status ${JSON.stringify(current.status)}, unknown to this release: left untouched rather than risk deleting a live flow`],
      };
  }
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}
