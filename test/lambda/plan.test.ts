/**
 * The lifecycle decision itself (lambda/plan.ts), row by row of the README's table "What a deploy
 * does to a flow": for each row, the event, the flow's state and the declaration lead to the
 * action and the ordered steps that the handler executes and that `whatsapp-flow diff` describes.
 * Pure: no process, no emulator, milliseconds. How each step is carried out (waits, retries,
 * faults, the answer on the wire) is tested through the built handler in lifecycle.test.ts and its
 * neighbours.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FlowState, plan, PlanInput, Step } from '../../lambda/plan';
import { FlowSpec } from '../../lambda/props';
import { CREATE_FAILED_PHYSICAL_ID, physicalIdOf } from '../../lib/shared/contract';

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const OTHER_WABA = 'waba-fedcba9876543210fedcba9876543210';
const FLOW_ID = '1234567890123456';
const V1 = { sha256: 'a'.repeat(64), inline: '{"version":"7.3"}' };
const V2 = { sha256: 'b'.repeat(64), inline: '{"version":"7.3","screens":[]}' };

/** What a resource declares: a draft named signup with content V1, unless told otherwise. */
function spec(over: Partial<FlowSpec> = {}): FlowSpec {
  return { wabaId: WABA, flowName: 'signup', categories: ['SIGN_UP'], publish: false, removalPolicy: 'destroy', content: V1, adoptExisting: false, preview: false, ...over };
}

/** The flow as GetWhatsAppFlow reports it: as the declaration describes, in this status. */
function state(status: string, over: Partial<FlowState> = {}): FlowState {
  return { flowId: FLOW_ID, flowName: 'signup', status, categories: ['SIGN_UP'], validationErrors: [], ...over };
}

const update = (desired: FlowSpec, previous: FlowSpec, current: FlowState | null): PlanInput => ({ requestType: 'Update', desired, previous, physicalId: FLOW_ID, current });
const remove = (desired: FlowSpec, current: FlowState | null | undefined, more: Partial<PlanInput> = {}): PlanInput => ({ requestType: 'Delete', desired, physicalId: FLOW_ID, current, ...more });

type Expected = { action: string; steps: Array<Partial<Step>> };

/** [README event, README flow state, what this case is, the plan's input, the decision]. */
const ROWS: Array<[string, string, string, PlanInput, Expected]> = [
  ['Create', '—', 'a draft', { requestType: 'Create', desired: spec() }, { action: 'create', steps: [{ kind: 'create' }] }],
  ['Create', '—', 'published, with a preview link', { requestType: 'Create', desired: spec({ publish: true, preview: true }) }, { action: 'create', steps: [{ kind: 'create' }, { kind: 'preview', invalidate: false }] }],
  // Whether the name is free, and what happens when it is not, is decided as the create step runs.
  ['Create', 'name taken', 'adoptExisting set', { requestType: 'Create', desired: spec({ adoptExisting: true }) }, { action: 'create', steps: [{ kind: 'create', spec: spec({ adoptExisting: true }) }] }],
  ['Create', 'call refused (4xx)', 'the create step', { requestType: 'Create', desired: spec() }, { action: 'create', steps: [{ kind: 'create' }] }],
  ['Create', 'call lost (network error, 5xx, timeout)', 'the create step', { requestType: 'Create', desired: spec() }, { action: 'create', steps: [{ kind: 'create' }] }],
  ['Create (duplicate delivery)', '—', 'the same decision again', { requestType: 'Create', desired: spec() }, { action: 'create', steps: [{ kind: 'create' }] }],

  ['Update: name or categories', 'DRAFT / PUBLISHED', 'a draft renamed', update(spec({ flowName: 'signup-v2' }), spec(), state('DRAFT')),
    { action: 'update', steps: [{ kind: 'updateMetadata', flowName: 'signup-v2' }] }],
  ['Update: name or categories', 'DRAFT / PUBLISHED', 'a published flow recategorized: kept published', update(spec({ categories: ['SURVEY'], publish: true }), spec({ publish: true }), state('PUBLISHED')),
    { action: 'update', steps: [{ kind: 'updateMetadata', categories: ['SURVEY'] }, { kind: 'keepPublished' }] }],
  ['Update: name or categories', 'DRAFT / PUBLISHED', 'categories in another order: no change', update(spec({ categories: ['SURVEY', 'SIGN_UP'] }), spec({ categories: ['SIGN_UP', 'SURVEY'] }), state('DRAFT', { categories: ['SIGN_UP', 'SURVEY'] })),
    { action: 'none', steps: [] }],
  // Waiting for the name, stepping aside and reporting the divergence happen as the step runs.
  ['Update: name', 'name held by another flow', 'the rename step', update(spec({ flowName: 'taken' }), spec(), state('DRAFT')),
    { action: 'update', steps: [{ kind: 'updateMetadata', flowName: 'taken' }] }],
  ['Update: content', 'DRAFT', 'a draft stays a draft', update(spec({ content: V2 }), spec(), state('DRAFT')),
    { action: 'update', steps: [{ kind: 'updateContent', content: V2, live: false, publishAfter: false, restore: undefined }] }],
  ['Update: content', 'DRAFT', 'published after, with publish', update(spec({ content: V2, publish: true }), spec(), state('DRAFT')),
    { action: 'update', steps: [{ kind: 'updateContent', content: V2, live: false, publishAfter: true }] }],
  ['Update: content', 'PUBLISHED', 'republished whatever publish says, the content in place kept to restore', update(spec({ content: V2 }), spec({ publish: true }), state('PUBLISHED')),
    { action: 'update', steps: [{ kind: 'updateContent', content: V2, live: true, publishAfter: true, restore: V1 }] }],
  ['Update: `publish` false → true', 'DRAFT', 'published', update(spec({ publish: true }), spec(), state('DRAFT')), { action: 'update', steps: [{ kind: 'publish' }] }],
  ['Update: `publish` true → false', 'PUBLISHED', 'no call', update(spec(), spec({ publish: true }), state('PUBLISHED')), { action: 'none', steps: [] }],
  ['Update: nothing changed', 'any', 'a draft', update(spec(), spec(), state('DRAFT')), { action: 'none', steps: [] }],
  ['Update: nothing changed', 'any', 'a published flow', update(spec({ publish: true }), spec({ publish: true }), state('PUBLISHED')), { action: 'none', steps: [] }],
  // The flow is looked for in the new WABA, where it is not.
  ['Update: `wabaId`', 'any', 'a replacement', update(spec({ wabaId: OTHER_WABA }), spec(), null), { action: 'replace', steps: [{ kind: 'create', spec: spec({ wabaId: OTHER_WABA }) }] }],
  ['Update: `wabaId`', 'any', 'the same WABA by its ARN: no replacement', update(spec({ wabaId: 'arn:aws:social-messaging:us-east-1:123456789012:waba/0123456789abcdef0123456789abcdef' }), spec(), state('DRAFT')),
    { action: 'none', steps: [] }],
  ['Update', 'deleted outside CloudFormation', 're-created', update(spec({ flowName: 'signup-v2' }), spec(), null), { action: 'replace', steps: [{ kind: 'create' }] }],
  ['Update', 'DEPRECATED outside CloudFormation', 're-created', update(spec({ flowName: 'signup-v2' }), spec(), state('DEPRECATED')), { action: 'replace', steps: [{ kind: 'create' }] }],
  ['Update', 'BLOCKED', 'nothing applied, the divergence reported', update(spec({ flowName: 'signup-v2', content: V2 }), spec(), state('BLOCKED')), { action: 'none', steps: [] }],
  ['Update (rollback)', 'any', 'the old name back', update(spec(), spec({ flowName: 'signup-v2' }), state('DRAFT', { flowName: 'signup-v2' })),
    { action: 'update', steps: [{ kind: 'updateMetadata', flowName: 'signup' }] }],
  ['Update (rollback)', 'any', 'a failed WABA move: the flow is where it was, the copy the move may have made is removed', update(spec(), spec({ wabaId: OTHER_WABA }), state('DRAFT')),
    { action: 'none', steps: [{ kind: 'removeMovedCopy', spec: spec({ wabaId: OTHER_WABA }) }] }],
  ['Update (rollback)', 'any', 'a flow the failed update published stays published', update(spec(), spec({ publish: true }), state('PUBLISHED')), { action: 'none', steps: [] }],

  ['Delete', 'DRAFT', 'deleted', remove(spec(), state('DRAFT')), { action: 'delete', steps: [{ kind: 'delete' }] }],
  ['Delete', 'PUBLISHED', 'renamed out of the way, then deprecated', remove(spec({ publish: true }), state('PUBLISHED')), { action: 'deprecate', steps: [{ kind: 'retire' }] }],
  ['Delete', 'PUBLISHED', 'also when publish is false now', remove(spec(), state('PUBLISHED')), { action: 'deprecate', steps: [{ kind: 'retire' }] }],
  ['Delete', 'THROTTLED / BLOCKED', 'THROTTLED', remove(spec(), state('THROTTLED')), { action: 'deprecate', steps: [{ kind: 'deprecate', tolerateRefusal: true }] }],
  ['Delete', 'THROTTLED / BLOCKED', 'BLOCKED', remove(spec(), state('BLOCKED')), { action: 'deprecate', steps: [{ kind: 'deprecate', tolerateRefusal: true }] }],
  ['Delete', 'DEPRECATED / not found', 'DEPRECATED', remove(spec(), state('DEPRECATED')), { action: 'none', steps: [] }],
  ['Delete', 'DEPRECATED / not found', 'not found', remove(spec(), null), { action: 'none', steps: [] }],
  ['Delete', 'name now declared by another resource', 'that resource adopts', remove(spec(), state('PUBLISHED'), { declarer: 'adopter' }), { action: 'none', steps: [] }],
  ['Delete', 'name now declared by another resource', 'another resource that only creates: this flow is not its', remove(spec(), state('DRAFT'), { declarer: 'another' }), { action: 'delete', steps: [{ kind: 'delete' }] }],
  ['Delete', 'taken over (`adoptExisting`)', 'left in place by default', remove(spec({ removalPolicy: 'destroy-keep-adopted' }), undefined, { physicalId: physicalIdOf(FLOW_ID, true) }), { action: 'none', steps: [] }],
  ['Delete', 'taken over (`adoptExisting`)', 'removed with DESTROY', remove(spec({ publish: true }), state('PUBLISHED'), { physicalId: physicalIdOf(FLOW_ID, true) }), { action: 'deprecate', steps: [{ kind: 'retire' }] }],
  ['Delete', 'failed, cancelled or timed-out create', 'a create that failed: no wait', remove(spec(), undefined, { physicalId: CREATE_FAILED_PHYSICAL_ID }),
    { action: 'cleanup', steps: [{ kind: 'removeExactMatch', waitForCreate: false }] }],
  ['Delete', 'failed, cancelled or timed-out create', 'an id CloudFormation generated for a cancelled create: waits for it', remove(spec(), undefined, { physicalId: 'FlowStack-Flow-1A2B3C4D5E6F' }),
    { action: 'cleanup', steps: [{ kind: 'removeExactMatch', waitForCreate: true }] }],
  ['Delete', '`RETAIN`', 'no call', remove(spec({ removalPolicy: 'retain' }), undefined), { action: 'none', steps: [] }],
];

/** The `event | flow state` of each row of the README's lifecycle table, in order. */
function readmeRows(): string[] {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## What a deploy does to a flow'));
  const lines = table.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| event | flow state |'));
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [event, flowState] = line.split(' | ');
    rows.push(`${event.replace(/^\| /, '')} | ${flowState}`);
  }
  return rows;
}

describe("the README's lifecycle table, decided by plan()", () => {
  test('has a case for every row of the table, in its order', () => {
    const covered = [...new Set(ROWS.map(([event, flowState]) => `${event} | ${flowState}`))];
    expect(covered).toEqual(readmeRows());
  });

  test.each(ROWS)('%s | %s: %s', (_event, _state, _case, input, expected) => {
    const decided = plan(input);

    expect({ action: decided.action, steps: decided.steps }).toMatchObject(expected);
  });
});
