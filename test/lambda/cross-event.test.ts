/**
 * Events do not come one at a time: CloudFormation runs siblings in parallel, cancels creates in
 * flight, deletes removed resources after the update and rolls back in reverse. One test per
 * defect found that way (issue 10, D1-D8), each a sequence of events as CloudFormation sends
 * them, through the built handler against the emulator.
 */
import { SocialMessagingClient, UpdateWhatsAppFlowCommand } from '@aws-sdk/client-socialmessaging';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FlowCategory, FlowJson, FlowValidation, WhatsAppFlow } from '../../lib';
import { encodeHolders, HOLDERS_ENV } from '../../lib/shared/holders';
import { FLOW_ACTIONS } from '../../lib/provider';
import { propsFor, synthFlows, unpublishableFlow, validFlow, WABA, useHarness } from '../support/cfn';

const h = useHarness();

const unchecked = { validation: FlowValidation.skip('the test sends content that the service must refuse') };

/** Creates a flow through the handler and returns its physical id. */
async function created(props: Record<string, unknown>, logicalId = 'Flow'): Promise<string> {
  const { response } = await h.handler.invoke({ requestType: 'Create', props, logicalId });
  expect(response.Status).toBe('SUCCESS');
  return response.PhysicalResourceId;
}

const named = (flowName: string, extra: Record<string, unknown> = {}) => propsFor({ flowName, flowJson: FlowJson.fromObject(validFlow(flowName)), publish: true, ...extra });

/** The provider's environment for a template whose resources declare these flow names (logical id: name). */
const declaring = (flows: Record<string, string>) => ({ [HOLDERS_ENV]: encodeHolders(Object.entries(flows).map(([logicalId, flowName]) => ({ wabaId: WABA, flowName, logicalId, adopts: false }))) });

test('D1: a flow taken over and later removed from the stack is deprecated when its removal policy says DESTROY', async () => {
  const console = h.emulator.seedFlow({ wabaId: WABA, flowName: 'signup', status: 'PUBLISHED', json: validFlow('Console') });
  const stack = synthFlows((s) => new WhatsAppFlow(s, 'Signup', {
    wabaId: WABA, flowName: 'signup', categories: [FlowCategory.SIGN_UP], flowJson: FlowJson.fromObject(validFlow()), publish: true, adoptExisting: true, removalPolicy: RemovalPolicy.DESTROY,
  }));
  await h.handler.fresh(stack.env);
  const adopted = await h.handler.invoke({ requestType: 'Create', props: stack.props.Signup, logicalId: stack.logicalIds.Signup });

  // The next deploy removes it: the function's environment no longer names it, then cleanup.
  await h.handler.fresh({});
  const removed = await h.handler.invoke({ requestType: 'Delete', props: stack.props.Signup, physicalId: adopted.response.PhysicalResourceId, logicalId: stack.logicalIds.Signup });

  expect(removed.response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(console.flowId)!.status).toBe('DEPRECATED');
});

test('D2: the provider may read a flow\'s deployed content (ListWhatsAppFlowAssets), which adoption and restore points need', () => {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
  new WhatsAppFlow(stack, 'Signup', { wabaId: WABA, flowName: 'signup', categories: [FlowCategory.SIGN_UP], adoptExisting: true });
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');

  expect(FLOW_ACTIONS).toContain('social-messaging:ListWhatsAppFlowAssets');
  expect(Object.values(policies).some((p: any) => JSON.stringify(p.Properties.PolicyDocument).includes('social-messaging:ListWhatsAppFlowAssets'))).toBe(true);
});

test('D3: two resources creating one name at the same time never both claim the flow: the one the service refuses answers FAILED', async () => {
  const props = named('signup');
  // Both look the name up before either creates it (two stacks, or two constructs, in parallel).
  h.emulator.setLatency(300);
  const [one, two] = await Promise.all([
    h.handler.invoke({ requestType: 'Create', props, logicalId: 'A' }),
    h.handler.invoke({ requestType: 'Create', props, logicalId: 'B' }),
  ]);
  h.emulator.setLatency(0);

  expect([one, two].map((r) => r.response.Status).sort()).toEqual(['FAILED', 'SUCCESS']);
  const winner = [one, two].find((r) => r.response.Status === 'SUCCESS')!;
  const loser = [one, two].find((r) => r.response.Status === 'FAILED')!;
  expect(loser.response.PhysicalResourceId).not.toBe(winner.response.PhysicalResourceId);
  expect(h.emulator.flows()).toHaveLength(1);
});

test('a second delivery of a create, waiting for the name its twin holds, does not create once the rollback has renamed that flow out of the way', async () => {
  const props = named('signup');
  const event = h.handler.event({ requestType: 'Create', props });
  const first = await h.handler.invoke(event);
  expect(first.response.Status).toBe('SUCCESS');
  const flowId = first.response.PhysicalResourceId!;

  // Lambda delivers the event again, to a new container: it finds the name held by exactly what
  // the event declares, and waits in case a sibling is renaming it away.
  await h.handler.fresh();
  const lists = h.emulator.calls('ListWhatsAppFlows').length;
  const second = h.handler.invoke(event);
  while (h.emulator.calls('ListWhatsAppFlows').length < lists + 2) await new Promise((r) => setTimeout(r, 20));
  // Meanwhile a sibling failed, and the rollback retires the published flow: renamed out of the
  // way, its deprecation still to come.
  const sm = new SocialMessagingClient({ endpoint: h.emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await sm.send(new UpdateWhatsAppFlowCommand({ id: WABA, flowId, flowName: `signup (retired ${flowId})` }));
  sm.destroy();

  const again = await second;
  expect(again.response.Status).toBe('FAILED');
  expect(again.response.Reason).toMatch(/nothing is created/);
  expect(h.emulator.flows().map((f) => f.flowName)).toEqual([`signup (retired ${flowId})`]);
});

test('the rollback of a rename and publish completes when the service refuses, with a ValidationException, to rename the published flow', async () => {
  // Whether the service refuses edits of a published flow, and with which exception, is not documented.
  h.emulator.configure({ metadataUpdatePublished: 'refuse', stateErrorType: 'ValidationException' });
  const before = named('signup', { publish: false });
  const after = named('signup-v2', { publish: true });
  const id = await created(before);
  const forward = await h.handler.invoke({ requestType: 'Update', props: after, oldProps: before, physicalId: id });
  expect(forward.response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(id)).toMatchObject({ flowName: 'signup-v2', status: 'PUBLISHED' });

  // A sibling fails: CloudFormation rolls the update back with the properties swapped.
  const rollback = await h.handler.invoke({ requestType: 'Update', props: before, oldProps: after, physicalId: id });

  expect(rollback.response.Status).toBe('SUCCESS');
  expect(rollback.response.Data?.Divergence).toMatch(/refused to rename flow [0-9]+ to "signup"/);
  expect(h.emulator.flow(id)).toMatchObject({ flowName: 'signup-v2', status: 'PUBLISHED' });
});

describe('D4: a create that CloudFormation cancelled or that outlived its deadline leaves no flow behind', () => {
  test('the Delete with the physical id CloudFormation generated removes the flow the create makes after it', async () => {
    const props = named('signup');
    h.emulator.setLatency(800);
    // The create is under way when a sibling fails; CloudFormation cancels it and sends a Delete.
    const create = h.realTime.invoke({ requestType: 'Create', props });
    const cleanup = h.realTime.invoke({ requestType: 'Delete', props, physicalId: 'FlowStack-Flow-1A2B3C4D5E6F' });
    const [c, d] = await Promise.all([create, cleanup]);

    expect(c.response.Status).toBe('SUCCESS'); // ignored by CloudFormation: the create was cancelled
    expect(d.response.Status).toBe('SUCCESS');
    expect(h.emulator.flows().filter((f) => f.status !== 'DEPRECATED')).toEqual([]);
    h.emulator.setLatency(0);
    // The same code deploys again.
    expect(await created(props)).toMatch(/^[0-9]+$/);
  });

  test('a create whose call is cut at the deadline answers that the flow may exist, and its Delete removes it', async () => {
    const props = named('signup', { publish: false });
    h.emulator.failNext('CreateWhatsAppFlow', { errorType: 'timeout', hangMs: 60_000, afterEffect: true });
    const create = await h.handler.invoke({ requestType: 'Create', props }, { remainingMs: 40_000 });

    expect(create.response.Status).toBe('FAILED');
    expect(create.response.PhysicalResourceId).toBe('WhatsAppFlow::CREATE_UNCERTAIN');
    expect(h.emulator.flows()).toHaveLength(1);

    const cleanup = await h.handler.invoke({ requestType: 'Delete', props, physicalId: create.response.PhysicalResourceId });
    expect(cleanup.response.Status).toBe('SUCCESS');
    expect(h.emulator.flows()).toEqual([]);
  });
});

test('D5: the rollback of a name handover completes: the flow that gave up the name gets it back once the rollback frees it', async () => {
  const oldA = named('signup');
  const a = await created(oldA, 'A');
  // Forward: A is renamed away, C (a copy) takes the name; then a third resource fails.
  await h.handler.fresh(declaring({ A: 'signup-legacy', C: 'signup' }));
  const newA = named('signup-legacy');
  expect((await h.handler.invoke({ requestType: 'Update', props: newA, oldProps: oldA, physicalId: a, logicalId: 'A' })).response.Status).toBe('SUCCESS');
  const cProps = named('signup');
  const c = await created(cProps, 'C');

  // Rollback phase: A wants its old name back while C still holds it: A waits under a name that
  // says so, and the event succeeds reporting it.
  const rollback = await h.handler.invoke({ requestType: 'Update', props: oldA, oldProps: newA, physicalId: a, logicalId: 'A' });
  expect(rollback.response.Status).toBe('SUCCESS');
  expect(rollback.response.Data!.Divergence).toMatch(/could not be renamed to "signup": flow \d+ \(PUBLISHED\) holds that name; it waits under the name "signup \(renaming \d+\)"/);
  expect(h.emulator.flow(a)!.flowName).toBe(`signup (renaming ${a})`);

  // Rollback cleanup (the function's environment is the old template's again): C goes (renamed
  // out of the way, deprecated), and A takes the name it frees.
  await h.handler.fresh(declaring({ A: 'signup' }));
  expect((await h.handler.invoke({ requestType: 'Delete', props: cProps, physicalId: c, logicalId: 'C' })).response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(c)).toMatchObject({ status: 'DEPRECATED' });
  expect(h.emulator.flow(a)).toMatchObject({ flowName: 'signup', status: 'PUBLISHED' });
  // The same deploy, tried again, succeeds.
  expect((await h.handler.invoke({ requestType: 'Update', props: newA, oldProps: oldA, physicalId: a, logicalId: 'A' })).response.Status).toBe('SUCCESS');
  expect(await created(cProps, 'C')).toMatch(/^[0-9]+$/);
});

test('a rename to the name of a flow that leaves the stack in the same deploy completes in the cleanup phase', async () => {
  const x = await created(named('x'), 'X');
  const y = await created(named('y'), 'Y');
  // Y takes the name "x" while X is removed: the update phase runs first, the cleanup after.
  await h.handler.fresh(declaring({ Y: 'x' }));
  const renamed = await h.handler.invoke({ requestType: 'Update', props: named('x'), oldProps: named('y'), physicalId: y, logicalId: 'Y' });
  expect(renamed.response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(y)!.flowName).toBe(`x (renaming ${y})`);

  const removed = await h.handler.invoke({ requestType: 'Delete', props: named('x'), physicalId: x, logicalId: 'X' });

  expect(removed.response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(x)).toMatchObject({ status: 'DEPRECATED', flowName: `x (retired ${x})` });
  expect(h.emulator.flow(y)).toMatchObject({ flowName: 'x', status: 'PUBLISHED' });
});

test('D6: a live flow whose earlier content was never declared keeps it when Meta refuses the new one, and the rollback completes', async () => {
  const source = h.emulator.seedFlow({ wabaId: WABA, flowName: 'source', status: 'PUBLISHED', json: validFlow('Source') });
  const clone = WhatsAppFlow.fromFlowAttributes(new App(), 'Src', { wabaId: WABA, flowId: source.flowId });
  const cloned = propsFor({ cloneFrom: clone, publish: true });
  const id = await created(cloned);
  expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');

  const refused = propsFor({ cloneFrom: clone, publish: true, flowJson: FlowJson.fromObject(unpublishableFlow()), ...unchecked });
  const update = await h.handler.invoke({ requestType: 'Update', props: refused, oldProps: cloned, physicalId: id });
  expect(update.response.Status).toBe('FAILED');
  expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');
  expect(h.emulator.flow(id)!.json!.toString('utf8')).toContain('Source');

  const rollback = await h.handler.invoke({ requestType: 'Update', props: cloned, oldProps: refused, physicalId: id });
  expect(rollback.response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');
});

describe('D7: renames that hand names over succeed whatever order CloudFormation picks', () => {
  test('a chain (A x→z, B y→x) with B first', async () => {
    const [ax, by] = [named('x'), named('y')];
    const a = await created(ax, 'A');
    const b = await created(by, 'B');
    const [az, bx] = [named('z'), named('x')];

    const bFirst = h.realTime.invoke({ requestType: 'Update', props: bx, oldProps: by, physicalId: b, logicalId: 'B' });
    await new Promise((r) => setTimeout(r, 300));
    const aLater = h.realTime.invoke({ requestType: 'Update', props: az, oldProps: ax, physicalId: a, logicalId: 'A' });
    const results = await Promise.all([bFirst, aLater]);

    expect(results.map((r) => r.response.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(results.map((r) => r.response.Data!.Divergence)).toEqual(['', '']);
    expect([h.emulator.flow(a)!.flowName, h.emulator.flow(b)!.flowName]).toEqual(['z', 'x']);
  });

  test('a swap (A x→y, B y→x) at the same time', async () => {
    const [ax, by] = [named('x'), named('y')];
    const a = await created(ax, 'A');
    const b = await created(by, 'B');

    const results = await Promise.all([
      h.realTime.invoke({ requestType: 'Update', props: named('y'), oldProps: ax, physicalId: a, logicalId: 'A' }),
      h.realTime.invoke({ requestType: 'Update', props: named('x'), oldProps: by, physicalId: b, logicalId: 'B' }),
    ]);

    expect(results.map((r) => r.response.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect([h.emulator.flow(a)!.flowName, h.emulator.flow(b)!.flowName]).toEqual(['y', 'x']);
    expect(h.emulator.flows().every((f) => f.status === 'PUBLISHED')).toBe(true);
  });
});

test('D8: content that differs only in what JavaScript cannot tell apart is still a change, and is uploaded', async () => {
  const doc = (n: string) => FlowJson.fromString(JSON.stringify(validFlow()).replace('"title":"Welcome"', `"title":"Welcome","data":{"n":{"type":"number","__example__":${n}}}`));
  const before = propsFor({ flowJson: doc('12345678901234567890') });
  const after = propsFor({ flowJson: doc('12345678901234567891') });
  expect(after.ContentSha256).not.toBe(before.ContentSha256);

  const id = await created(before);
  await h.handler.invoke({ requestType: 'Update', props: after, oldProps: before, physicalId: id });

  expect(h.emulator.flow(id)!.json!.toString('utf8')).toContain('12345678901234567891');
});
