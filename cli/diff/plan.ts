/**
 * What a deploy would do to one flow, decided offline from the old and new template alone, by the
 * handler's own decision (lambda/plan.ts, the README's table "What a deploy does to a flow"): this
 * module knows what CloudFormation does (which events it sends, and when a DeletionPolicy or an
 * UpdateReplacePolicy keeps it from sending a Delete), asks plan() what each event does, and says
 * it in words.
 *
 * The handler reads the flow's status from the service; this cannot. The status is inferred from
 * the old `Publish` property: `true` means the flow is PUBLISHED (a deploy that publishes succeeds
 * only once the flow is), `false` a DRAFT, and a value resolved at deploy either, in which case
 * both are planned and the words say what depends on it. A flow published by an earlier deploy
 * and then set back to `publish: false` is still published; the wording says so where it matters.
 * Pure: no I/O.
 */
import { FlowState, Plan, plan, Status, Step } from '../../lambda/plan';
import { FlowSpec, removalPolicyOf } from '../../lambda/props';
import { canonicalJson } from '../../lib/shared/canonical-json';
import { physicalIdOf, wabaAccountId } from '../../lib/shared/contract';
import type { Declarer } from '../../lib/shared/holders';
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

/** The physical id the deployed flow stands for in the plans (its real id is not in the template). */
const DEPLOYED_FLOW_ID = '0';

/** README: "Create | — | CreateWhatsAppFlow … with `publish` …". */
function planCreate(n: FlowDecl, context: PlanContext): FlowPlan {
  const decided = plan({ requestType: 'Create', desired: specOf(n) });
  if (decided.action !== 'create') throw new Error(`a Create plans ${decided.action}`);
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

/** README: "Delete | DRAFT / PUBLISHED / name now declared by another resource / `RETAIN`". */
function planRemoval(o: FlowDecl, context: PlanContext): FlowPlan {
  const base = { tags: [], notes: [] as string[], irreversible: [] as string[], contentChanged: false, validate: false, publishes: false };
  if (retainedByCloudFormation(o.deletionPolicy)) {
    return { ...base, action: Action.RETAIN, effects: [`leaves flow ${name(o)} untouched (removal policy RETAIN): it stays in the WABA, no longer managed by the stack`] };
  }
  // The cleanup Delete runs with the new template's map of declared flows: a new resource that
  // takes the name over (adoptExisting) holds this flow.
  const taker = context.created.find((n) => n.adoptExisting && holdsName(o, n));
  const fate = removalFate(o, `flow ${name(o)}`, taker ? 'adopter' : 'none');
  if (fate.action === Action.RETAIN) {
    // Left alone for the taker's sake, or by the removal policy whoever declares the name.
    const effect = taker && removalFate(o, `flow ${name(o)}`, 'none').action !== Action.RETAIN
      ? `leaves flow ${name(o)} in place: ${where(taker)} takes it over (adoptExisting)`
      : `leaves flow ${name(o)} untouched (removal policy RETAIN): it stays in the WABA, no longer managed by the stack`;
    return { ...base, action: Action.RETAIN, effects: [effect] };
  }
  return { ...base, action: fate.action, effects: [fate.text], notes: fate.notes, irreversible: fate.final ? [fate.final] : [] };
}

/** README: "Update: `wabaId` | any | Replacement". */
function planReplace(o: FlowDecl, n: FlowDecl): FlowPlan {
  // The handler looks for the flow in the new WABA and does not find it there: a replacement.
  const decided = plan({ requestType: 'Update', desired: specOf(n), previous: specOf(o), physicalId: DEPLOYED_FLOW_ID, current: null });
  if (decided.action !== 'replace') throw new Error(`a WABA change plans ${decided.action}`);
  const effects = [creation(n)];
  const notes: string[] = [];
  const irreversible = n.publish === true ? [PUBLISH_IS_FINAL] : [];
  // CloudFormation then deletes the old physical resource, unless UpdateReplacePolicy keeps it.
  const fate = o.updateReplacePolicy === 'Retain' || retainedByCloudFormation(o.deletionPolicy) ? undefined : removalFate(o, `the old flow ${name(o)} in ${o.wabaId.text}`, 'none');
  if (fate === undefined || fate.action === Action.RETAIN) {
    effects.push(`leaves the old flow ${name(o)} in ${o.wabaId.text} untouched (removal policy RETAIN)`);
  } else {
    effects.push(`then ${fate.text}`);
    notes.push(...fate.notes);
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
  let declared = false;
  const desired = specOf(n);
  // Same WABA (written alike or not): the handler finds the flow there and updates it in place.
  const previous: FlowSpec = { ...specOf(o), wabaId: desired.wabaId };
  const plans = statusesOf(o).map((status) => plan({ requestType: 'Update', desired, previous, physicalId: DEPLOYED_FLOW_ID, current: stateOf(o, status) }));
  const stepsOf = <K extends Step['kind']>(kind: K): Array<Extract<Step, { kind: K }> | undefined> =>
    plans.map((p) => p.steps.find((s): s is Extract<Step, { kind: K }> => s.kind === kind));
  const calls = plans.some((p) => p.steps.length > 0);

  if (!same(o.wabaId, n.wabaId)) {
    declared = true;
    notes.push(`WabaId is written differently (${o.wabaId.text} → ${n.wabaId.text}) but names the same WABA: no replacement`);
  }

  // Metadata does not depend on the status: every plan has the same.
  const metadata = stepsOf('updateMetadata')[0];
  if (metadata?.flowName !== undefined) {
    tags.push('rename');
    effects.push(`renames it from ${quote(o.flowName)} to ${quote(n.flowName)}`);
  }
  if (metadata?.categories !== undefined) {
    tags.push('categories');
    effects.push(`changes its categories from ${categories(o)} to ${categories(n)}`);
  }

  const contents = stepsOf('updateContent');
  const contentChanged = contents[0] !== undefined;
  if (contentChanged) {
    tags.push('content');
    const verb = o.content ? 'updates the content' : 'sets the content';
    if (contents.every((c) => c?.live)) {
      effects.push(`${verb} and republishes it`);
      if (!desired.publish) notes.push('republished although publish is false: a content update returns a published flow to draft, and a live flow is never left unsendable');
    } else if (contents.every((c) => c?.publishAfter)) {
      effects.push(`${verb} and publishes it`);
    } else if (contents.every((c) => !c?.live)) {
      effects.push(`${verb} of the draft (a flow still published by an earlier deploy is republished)`);
    } else {
      effects.push(`${verb} (and republishes it if the flow is published)`);
    }
  } else if (stepsOf('keepPublished').every((s) => s !== undefined)) {
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
      const publishes = stepsOf('publish');
      if (publishes.some((p) => p !== undefined)) {
        effects.push(publishes.every((p) => p !== undefined) ? 'publishes it' : 'publishes it, unless it is already published');
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
  const preview = stepsOf('preview')[0];
  if (preview) {
    if (!o.preview) tags.push('preview');
    effects.push(preview.invalidate ? 'fetches a new preview link' : 'fetches a preview link');
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

  const publishes = contentChanged ? contents.every((c) => c?.publishAfter) : desired.publish;
  const action = calls ? Action.UPDATE : declared ? Action.NO_CALL : Action.UNCHANGED;
  // Publishing a flow that may be a draft (as far as the old template tells) is the one-way step.
  const publishesDraft = plans.some((p) => p.steps.some((s) => s.kind === 'publish' || (s.kind === 'updateContent' && s.publishAfter && !s.live)));
  const irreversible = publishesDraft ? [PUBLISH_IS_FINAL] : [];
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

/** What a flow that leaves the stack becomes: the handler's plan for CloudFormation's Delete, in words. */
interface Fate {
  readonly action: Action;
  readonly text: string;
  readonly notes: string[];
  /** Why it cannot be undone, when it cannot. */
  readonly final?: string;
}

/**
 * The handler's decision for CloudFormation's Delete of the flow `o` declares (a flow this stack
 * created: its physical id is the flow id), by the status inferred from its last `Publish`.
 */
function removalFate(o: FlowDecl, subject: string, declarer: Declarer): Fate {
  const desired = specOf(o);
  const deleteOf = (physicalId: string, status: string): Plan =>
    plan({ requestType: 'Delete', desired, physicalId, declarer, current: stateOf(o, status) });
  const statuses = statusesOf(o);
  const plans = statuses.map((status) => deleteOf(DEPLOYED_FLOW_ID, status));
  if (plans.every((p) => p.action === 'none')) return { action: Action.RETAIN, text: `leaves ${subject} untouched`, notes: [] };
  const notes: string[] = [];
  let fate: Fate;
  if (plans.every((p) => p.action === 'deprecate')) {
    fate = { action: Action.DEPRECATE, text: `renames ${subject} out of the way and deprecates it (published flows cannot be deleted)`, notes, final: DEPRECATE_IS_FINAL };
  } else if (plans.every((p) => p.action === 'delete')) {
    fate = { action: Action.DELETE, text: `deletes ${subject}, a draft`, notes };
    // Inferred from Publish: a flow that an earlier deploy published is deprecated instead.
    if (deleteOf(DEPLOYED_FLOW_ID, Status.PUBLISHED).action === 'deprecate') notes.push('if an earlier deploy published it, it is deprecated instead (published flows cannot be deleted)');
  } else {
    fate = { action: Action.DELETE_OR_DEPRECATE, text: `deprecates ${subject} if it is published, deletes it if it is a draft`, notes, final: `if it is published, ${DEPRECATE_IS_FINAL}` };
  }
  // Whether the stack created the flow or took it over is in the physical id, which the template lacks.
  if (statuses.every((status) => deleteOf(physicalIdOf(DEPLOYED_FLOW_ID, true), status).action === 'none')) {
    notes.push('if this resource took the flow over (adoptExisting) rather than creating it, the flow is left in place instead (set removalPolicy DESTROY to remove it too)');
  }
  return fate;
}

/** Whether CloudFormation keeps the resource on deletion without sending its Delete (DeletionPolicy). */
function retainedByCloudFormation(deletionPolicy: string): boolean {
  return deletionPolicy === 'Retain' || deletionPolicy === 'RetainExceptOnCreate';
}

/** The statuses the flow may have before the deploy, as its last declared `Publish` tells. */
function statusesOf(o: FlowDecl): string[] {
  if (o.publish === true) return [Status.PUBLISHED];
  if (o.publish === false) return [Status.DRAFT];
  return [Status.DRAFT, Status.PUBLISHED];
}

/** The flow as the service would report it, as far as the old template tells. */
function stateOf(o: FlowDecl, status: string): FlowState {
  const spec = specOf(o);
  return { flowId: DEPLOYED_FLOW_ID, flowName: spec.flowName, status, categories: spec.categories, validationErrors: [] };
}

/**
 * What the handler would parse from the declaration. A value resolved at deploy stands as its
 * written form, so that two declarations compare as the diff compares them: by what is written.
 */
function specOf(d: FlowDecl): FlowSpec {
  return {
    wabaId: d.wabaId.literal ?? written(d.wabaId),
    flowName: d.flowName.literal ?? written(d.flowName),
    categories: d.categories ?? [written(d.categoriesValue)],
    publish: d.publish === true,
    removalPolicy: removalPolicyOf(d.removalPolicy),
    content: d.content ? { sha256: d.content.sha256 } : undefined,
    cloneFlowId: d.cloneFlowId ? d.cloneFlowId.literal ?? written(d.cloneFlowId) : undefined,
    adoptExisting: d.adoptExisting,
    preview: d.preview,
  };
}

function written(v: Value): string {
  return canonicalJson(v.raw);
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
