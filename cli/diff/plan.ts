/**
 * What a deploy would do to one flow, decided offline from the old and new template alone.
 *
 * This mirrors the handler's lifecycle (lambda/plan.ts, the README's table "What a deploy does
 * to a flow"), with one difference: the handler reads the flow's status from the service, and
 * this cannot. The status is taken from the old `Publish` property: `true` means the flow is
 * PUBLISHED (a deploy that publishes succeeds only once the flow is), `false` means a DRAFT. A
 * flow published by an earlier deploy and then set back to `publish: false` is still published;
 * the wording says so where it matters. Pure: no I/O.
 */
import { RemovalPolicyValue, wabaAccountId } from '../../lib/shared/contract';
import { canonicalJson } from '../../lib/shared/canonical-json';
import { FlowDecl, Value } from './assembly-flows';

export const Action = {
  CREATE: 'create',
  DELETE: 'delete',
  DEPRECATE: 'deprecate',
  DELETE_OR_DEPRECATE: 'delete or deprecate',
  RETAIN: 'retained',
  REPLACE: 'replace',
  UPDATE: 'update',
  /** The declared properties changed, but the deploy makes no call to the service. */
  NO_CALL: 'no call',
  UNCHANGED: 'unchanged',
} as const;
export type Action = (typeof Action)[keyof typeof Action];

/** Why publishing cannot be undone. */
export const PUBLISH_IS_FINAL =
  'publishing cannot be undone: a published flow never returns to draft, each later content change goes live at once, and it can only be deprecated, never deleted';
/** Why deprecating cannot be undone. */
export const DEPRECATE_IS_FINAL =
  'deprecating cannot be undone: the flow can no longer be sent, edited or published (it is renamed out of the way first, so its name can be used again)';

export interface FlowPlan {
  readonly action: Action;
  /** What changed, in a few words each, for the summary: `rename`, `content`, `publish`. */
  readonly tags: string[];
  /** What the deploy does, in sentences, in order. */
  readonly effects: string[];
  /** What the reviewer should know besides. */
  readonly notes: string[];
  /** Why a step of this deploy cannot be undone (publishing, deprecating), one line each. */
  readonly irreversible: string[];
  /** The new content differs from the old one (by ContentSha256), or is new. */
  readonly contentChanged: boolean;
  /** The new content should be validated: it is new, changed, or is about to be published. */
  readonly validate: boolean;
  /** The new content ends up published (so the validator checks it for publishing). */
  readonly publishes: boolean;
}

/** Flows of the other side that a plan needs to know about. */
export interface PlanContext {
  /** Flows that leave the stacks (no new counterpart). */
  readonly removed: FlowDecl[];
  /** Flows that join the stacks (no old counterpart). */
  readonly created: FlowDecl[];
}

/** The plan for a flow present in the old assembly, the new one, or both. */
export function planFlow(oldFlow: FlowDecl | undefined, newFlow: FlowDecl | undefined, context: PlanContext): FlowPlan {
  if (newFlow && !oldFlow) return planCreate(newFlow, context);
  if (oldFlow && !newFlow) return planRemoval(oldFlow, context);
  if (oldFlow && newFlow) {
    return sameWaba(oldFlow.wabaId, newFlow.wabaId) === false ? planReplace(oldFlow, newFlow) : planUpdate(oldFlow, newFlow);
  }
  throw new Error('planFlow needs a flow');
}

/** README: "Create | — | CreateWhatsAppFlow … with `publish` …". */
function planCreate(n: FlowDecl, context: PlanContext): FlowPlan {
  const effects = [creation(n)];
  const notes: string[] = [];
  const tags: string[] = [];
  if (n.publish === true) tags.push('publish');
  const holder = context.removed.find((o) => holdsName(o, n));
  if (holder) {
    if (n.adoptExisting) {
      notes.push(`takes over the flow of ${where(holder)}, which leaves the stack in the same deploy (adoptExisting): that flow is neither deleted nor deprecated`);
    } else {
      notes.push(
        `${where(holder)} has the same name in this WABA and leaves the stack in the same deploy, but CloudFormation creates before it deletes: ` +
          'this creation would find the name taken and fail. Keep the construct id, or set adoptExisting: true to take the flow over',
      );
    }
  } else if (n.adoptExisting) {
    notes.push('adoptExisting: if a flow of that name exists in the WABA, it is taken over and updated instead of created');
  }
  const irreversible = n.publish === true ? [PUBLISH_IS_FINAL] : [];
  return { action: Action.CREATE, tags, effects, notes, irreversible, contentChanged: n.content !== undefined, validate: n.content !== undefined, publishes: n.publish === true };
}

/** README: "Delete | DRAFT / PUBLISHED / failed create or RETAIN". */
function planRemoval(o: FlowDecl, context: PlanContext): FlowPlan {
  const base = { tags: [], notes: [] as string[], irreversible: [] as string[], contentChanged: false, validate: false, publishes: false };
  if (retained(o.deletionPolicy, o.removalPolicy)) {
    return { ...base, action: Action.RETAIN, effects: [`leaves flow ${name(o)} untouched (removal policy RETAIN): it stays in the WABA, no longer managed by the stack`] };
  }
  const taker = context.created.find((n) => n.adoptExisting && holdsName(o, n));
  if (taker) {
    return { ...base, action: Action.RETAIN, effects: [`leaves flow ${name(o)} in place: ${where(taker)} takes it over (adoptExisting)`] };
  }
  const fate = removalFate(o, `flow ${name(o)}`);
  const notes = fate.note ? [fate.note] : [];
  if (o.removalPolicy === RemovalPolicyValue.DESTROY_KEEP_ADOPTED) {
    notes.push('if this resource took the flow over (adoptExisting) rather than creating it, the flow is left in place instead (set removalPolicy DESTROY to remove it too)');
  }
  return { ...base, action: fate.action, effects: [fate.text], notes, irreversible: fate.final ? [fate.final] : [] };
}

/** README: "Update: `wabaId` | any | Replacement". */
function planReplace(o: FlowDecl, n: FlowDecl): FlowPlan {
  const effects = [creation(n)];
  const notes: string[] = [];
  const irreversible = n.publish === true ? [PUBLISH_IS_FINAL] : [];
  if (o.updateReplacePolicy === 'Retain' || retained(o.deletionPolicy, o.removalPolicy)) {
    effects.push(`leaves the old flow ${name(o)} in ${o.wabaId.text} untouched (removal policy RETAIN)`);
  } else {
    const fate = removalFate(o, `the old flow ${name(o)} in ${o.wabaId.text}`);
    effects.push(`then ${fate.text}`);
    if (fate.note) notes.push(fate.note);
    if (fate.final) irreversible.push(`the old flow: ${fate.final}`);
  }
  if (o.wabaId.literal === undefined || n.wabaId.literal === undefined) {
    notes.push(`WabaId is resolved at deploy (${n.wabaId.text}): this is a replacement only if it names another WABA than before`);
  }
  const contentChanged = n.content !== undefined && n.content.sha256 !== o.content?.sha256;
  return { action: Action.REPLACE, tags: ['WABA'], effects, notes, irreversible, contentChanged, validate: n.content !== undefined, publishes: n.publish === true };
}

/** README: the "Update: …" rows. */
function planUpdate(o: FlowDecl, n: FlowDecl): FlowPlan {
  const tags: string[] = [];
  const effects: string[] = [];
  const notes: string[] = [];
  let calls = false;
  let declared = false;
  // The status before the deploy, as far as the template tells.
  const live = o.publish;

  if (!same(o.wabaId, n.wabaId)) {
    declared = true;
    notes.push(`WabaId is written differently (${o.wabaId.text} → ${n.wabaId.text}) but names the same WABA: no replacement`);
  }

  let metadata = false;
  if (!same(o.flowName, n.flowName)) {
    metadata = true;
    tags.push('rename');
    effects.push(`renames it from ${quote(o.flowName)} to ${quote(n.flowName)}`);
  }
  if (!sameCategories(o, n)) {
    metadata = true;
    tags.push('categories');
    effects.push(`changes its categories from ${categories(o)} to ${categories(n)}`);
  }
  calls ||= metadata;

  const contentChanged = n.content !== undefined && n.content.sha256 !== o.content?.sha256;
  if (contentChanged) {
    calls = true;
    tags.push('content');
    const verb = o.content ? 'updates the content' : 'sets the content';
    if (live === true) {
      effects.push(`${verb} and republishes it`);
      if (n.publish !== true) notes.push('republished although publish is false: a content update returns a published flow to draft, and a live flow is never left unsendable');
    } else if (n.publish === true) {
      effects.push(`${verb} and publishes it`);
    } else if (live === false) {
      effects.push(`${verb} of the draft (a flow still published by an earlier deploy is republished)`);
    } else {
      effects.push(`${verb} (and republishes it if the flow is published)`);
    }
  } else if (metadata && live === true) {
    notes.push('the flow stays published: it is republished if the update returns it to draft');
  }
  if (n.content === undefined && o.content !== undefined) {
    declared = true;
    tags.push('content unmanaged');
    effects.push('stops managing the content: the flow keeps its current content (no call)');
  } else if (!contentChanged && n.content && o.content && (n.content.where !== o.content.where || n.content.bytes !== o.content.bytes || n.content.inline !== o.content.inline)) {
    notes.push(`content reformatted${n.content.where !== o.content.where ? ` (moved ${o.content.where === 'inline' ? 'from inline to S3' : 'from S3 to inline'})` : ''}: same canonical content, no call`);
  }

  if (o.publish !== n.publish || !same(o.publishValue, n.publishValue)) {
    if (n.publish === true && o.publish !== true) {
      tags.push('publish');
      if (!contentChanged) {
        calls = true;
        effects.push(o.publish === false ? 'publishes it' : 'publishes it, unless it is already published');
      }
    } else if (n.publish === false && o.publish === true) {
      declared = true;
      tags.push('publish off (no effect)');
      // With a content change, the note on republishing says it already.
      if (!contentChanged) effects.push('publish true → false has no effect: a published flow stays published (remove it from the stack to deprecate it)');
    } else {
      declared = true;
      tags.push('publish');
      effects.push(`publish ${o.publishValue.text} → ${n.publishValue.text}: resolved at deploy`);
    }
  }

  if (o.removalPolicy !== n.removalPolicy || o.deletionPolicy !== n.deletionPolicy) {
    declared = true;
    tags.push('removal policy');
    effects.push(`removal policy ${o.removalPolicy} → ${n.removalPolicy}: no call now; it decides what happens when the flow leaves the stack`);
  }
  if (n.preview && (!o.preview || contentChanged)) {
    calls = true;
    if (!o.preview) tags.push('preview');
    effects.push(contentChanged ? 'fetches a new preview link' : 'fetches a preview link');
  } else if (o.preview && !n.preview) {
    declared = true;
    tags.push('preview off');
    effects.push('no longer fetches a preview link (no call)');
  }
  if (o.adoptExisting !== n.adoptExisting || !sameOptional(o.cloneFlowId, n.cloneFlowId)) {
    declared = true;
    tags.push(o.adoptExisting !== n.adoptExisting ? 'adoptExisting' : 'cloneFrom');
    effects.push(`${o.adoptExisting !== n.adoptExisting ? 'adoptExisting' : 'cloneFrom'} changed: used at creation only, no effect on the existing flow`);
  }

  const publishes = contentChanged ? n.publish === true || live === true : n.publish === true;
  const action = calls ? Action.UPDATE : declared ? Action.NO_CALL : Action.UNCHANGED;
  // Publishing a flow that was a draft (as far as the old template tells) is the one-way step.
  const irreversible = n.publish === true && o.publish !== true ? [PUBLISH_IS_FINAL] : [];
  return { action, tags, effects, notes, irreversible, contentChanged, validate: contentChanged || (n.publish === true && o.publish !== true && n.content !== undefined), publishes };
}

/** "creates flow "x" in waba-… and publishes it". */
function creation(n: FlowDecl): string {
  const parts = [`creates flow ${name(n)} in ${n.wabaId.text}`];
  if (n.cloneFlowId) parts.push(`as a copy of flow ${n.cloneFlowId.text}`);
  if (!n.content && !n.cloneFlowId) parts.push('with no content');
  if (n.publish === true) parts.push('and publishes it');
  else if (n.publish === undefined) parts.push(`(publish: ${n.publishValue.text}, resolved at deploy)`);
  else parts.push('as a draft');
  return parts.join(' ');
}

/** What CloudFormation's Delete does to a flow that is not retained, by its last declared `Publish`. */
function removalFate(o: FlowDecl, subject: string): { action: Action; text: string; note?: string; final?: string } {
  if (o.publish === true) {
    return { action: Action.DEPRECATE, text: `renames ${subject} out of the way and deprecates it (published flows cannot be deleted)`, final: DEPRECATE_IS_FINAL };
  }
  if (o.publish === false) {
    return { action: Action.DELETE, text: `deletes ${subject}, a draft`, note: 'if an earlier deploy published it, it is deprecated instead (published flows cannot be deleted)' };
  }
  return { action: Action.DELETE_OR_DEPRECATE, text: `deprecates ${subject} if it is published, deletes it if it is a draft`, final: `if it is published, ${DEPRECATE_IS_FINAL}` };
}

function retained(deletionPolicy: string, removalPolicy: string): boolean {
  return deletionPolicy === 'Retain' || deletionPolicy === 'RetainExceptOnCreate' || removalPolicy === RemovalPolicyValue.RETAIN || removalPolicy === RemovalPolicyValue.RETAIN_EXCEPT_ON_CREATE;
}

/** Whether two WabaIds name the same WABA: true, false, or by the written values when not literal. */
function sameWaba(a: Value, b: Value): boolean {
  if (a.literal !== undefined && b.literal !== undefined) return wabaAccountId(a.literal) === wabaAccountId(b.literal);
  return same(a, b);
}

/** Whether a removed flow and a created one have the same WABA and name (so the creation finds the name taken). */
function holdsName(o: FlowDecl, n: FlowDecl): boolean {
  return o.flowName.literal !== undefined && o.flowName.literal === n.flowName.literal && sameWaba(o.wabaId, n.wabaId);
}

function sameCategories(o: FlowDecl, n: FlowDecl): boolean {
  if (o.categories && n.categories) {
    // The handler compares them as sets.
    return o.categories.length === n.categories.length && n.categories.every((c) => o.categories!.includes(c));
  }
  return same(o.categoriesValue, n.categoriesValue);
}

function same(a: Value, b: Value): boolean {
  return canonicalJson(a.raw) === canonicalJson(b.raw);
}

function sameOptional(a: Value | undefined, b: Value | undefined): boolean {
  return a === undefined || b === undefined ? a === b : same(a, b);
}

function categories(f: FlowDecl): string {
  return f.categories ? f.categories.join(', ') || '(none)' : f.categoriesValue.text;
}

function quote(v: Value): string {
  return v.literal !== undefined ? JSON.stringify(v.literal) : v.text;
}

function name(f: FlowDecl): string {
  return quote(f.flowName);
}

function where(f: FlowDecl): string {
  return `${f.stack}/${f.logicalId} (${name(f)})`;
}
