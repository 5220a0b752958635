/**
 * Bringing existing flows under code: `adoptExisting` takes over a flow of the same name. No
 * sequence CloudFormation runs around an adoption can lose the flow or leave two owners, and a
 * flow taken over leaves the stack the way its removal policy says.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { FlowCategory, FlowJson, WhatsAppFlow } from '../../lib';
import { OTHER_WABA, synthFlows, validFlow, WABA, useHarness } from '../support/cfn';

const h = useHarness();

const content = FlowJson.fromObject(validFlow('Signup'));

function signup(stack: Stack, id: string, extra: { adoptExisting?: boolean; flowJson?: FlowJson; removalPolicy?: RemovalPolicy; wabaId?: string } = {}): void {
  new WhatsAppFlow(stack, id, { wabaId: WABA, flowName: 'signup', categories: [FlowCategory.SIGN_UP], flowJson: content, publish: true, ...extra });
}

/** A flow made in the console, then adopted by resource "Signup" of a stack; returns what was deployed. */
async function adoptConsoleFlow(extra: { removalPolicy?: RemovalPolicy } = {}) {
  const console = h.emulator.seedFlow({ wabaId: WABA, flowName: 'signup', categories: ['OTHER'], status: 'PUBLISHED', json: validFlow('Console') });
  const stack = synthFlows((s) => signup(s, 'Signup', { adoptExisting: true, ...extra }));
  await h.handler.fresh(stack.env);
  const adopted = await h.handler.invoke({ requestType: 'Create', props: stack.props.Signup, logicalId: stack.logicalIds.Signup });
  expect(adopted.response.Status).toBe('SUCCESS');
  return { console, stack, physicalId: adopted.response.PhysicalResourceId };
}

test('adopts a flow made in the console and makes it match the code, marking its physical id as adopted', async () => {
  const console = h.emulator.seedFlow({ wabaId: WABA, flowName: 'signup', categories: ['OTHER'], status: 'PUBLISHED', json: validFlow('Console') });
  const { props, logicalIds, env } = synthFlows((s) => signup(s, 'Signup', { adoptExisting: true }));
  await h.handler.fresh(env);

  const { response, logs } = await h.handler.invoke({ requestType: 'Create', props: props.Signup, logicalId: logicalIds.Signup });

  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `adopted:${console.flowId}` });
  expect(response.Data).toMatchObject({ Action: 'adopted', FlowStatus: 'PUBLISHED', FlowId: console.flowId });
  expect(h.emulator.flows()).toHaveLength(1);
  expect(h.emulator.flow(console.flowId)).toMatchObject({ categories: ['SIGN_UP'], status: 'PUBLISHED' });
  expect(h.emulator.flow(console.flowId)!.json!.toString('utf8')).toBe(content.content);
  expect(logs.some((l) => l.event === 'adopting')).toBe(true);
});

test('adopts a flow whose content already matches without re-uploading it', async () => {
  const existing = h.emulator.seedFlow({ wabaId: WABA, flowName: 'signup', categories: ['SIGN_UP'], status: 'PUBLISHED', json: JSON.stringify(validFlow('Signup')) });
  const { props, logicalIds, env } = synthFlows((s) => signup(s, 'Signup', { adoptExisting: true }));
  await h.handler.fresh(env);
  h.emulator.clearCalls();

  const { response } = await h.handler.invoke({ requestType: 'Create', props: props.Signup, logicalId: logicalIds.Signup });

  expect(response.PhysicalResourceId).toBe(`adopted:${existing.flowId}`);
  expect(h.emulator.operations()).toEqual(['ListWhatsAppFlows', 'GetWhatsAppFlow', 'ListWhatsAppFlowAssets', 'Download']);
});

test('updates an adopted flow in place under its adopted physical id', async () => {
  const { console, physicalId } = await adoptConsoleFlow();
  const v2 = synthFlows((s) => signup(s, 'Signup', { adoptExisting: true, flowJson: FlowJson.fromObject(validFlow('V2')) }));
  const before = synthFlows((s) => signup(s, 'Signup', { adoptExisting: true }));

  const { response } = await h.handler.invoke({ requestType: 'Update', props: v2.props.Signup, oldProps: before.props.Signup, physicalId, logicalId: v2.logicalIds.Signup });

  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId });
  expect(h.emulator.flow(console.flowId)).toMatchObject({ status: 'PUBLISHED' });
  expect(h.emulator.flow(console.flowId)!.json!.toString('utf8')).toContain('V2');
});

test('keeps the flow when a logical id change makes the new resource adopt it and CloudFormation then deletes the old one', async () => {
  // v1: the flow is created by resource "Old".
  const v1 = synthFlows((s) => signup(s, 'Old'));
  await h.handler.fresh(v1.env);
  const created = await h.handler.invoke({ requestType: 'Create', props: v1.props.Old, logicalId: v1.logicalIds.Old });
  const flowId = created.response.PhysicalResourceId;
  expect(h.emulator.flow(flowId)!.status).toBe('PUBLISHED');

  // v2: the construct moved (new logical id "New") and adopts the flow by name.
  const v2 = synthFlows((s) => signup(s, 'New', { adoptExisting: true }));
  await h.handler.fresh(v2.env); // the function's environment is updated before the resources that use it
  const adopted = await h.handler.invoke({ requestType: 'Create', props: v2.props.New, logicalId: v2.logicalIds.New });
  expect(adopted.response.PhysicalResourceId).toBe(`adopted:${flowId}`);

  // Cleanup: Delete for the old resource, with the same flow id and its old properties.
  h.emulator.clearCalls();
  const cleanup = await h.handler.invoke({ requestType: 'Delete', props: v1.props.Old, physicalId: flowId, logicalId: v1.logicalIds.Old });

  expect(cleanup.response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(flowId)!.status).toBe('PUBLISHED');
  // Only reads: whether a flow waits for the name (then this one would not be the holder's), and its state.
  expect(h.emulator.operations()).toEqual(['ListWhatsAppFlows', 'GetWhatsAppFlow']);
  expect(JSON.stringify(cleanup.logs)).toMatch(/held by another resource of this stack/);
});

test('keeps the flow with its former holder when the adoption is rolled back', async () => {
  const v1 = synthFlows((s) => signup(s, 'Old'));
  await h.handler.fresh(v1.env);
  const flowId = (await h.handler.invoke({ requestType: 'Create', props: v1.props.Old, logicalId: v1.logicalIds.Old })).response.PhysicalResourceId;
  const v2 = synthFlows((s) => signup(s, 'New', { adoptExisting: true, removalPolicy: RemovalPolicy.DESTROY }));
  await h.handler.fresh(v2.env);
  const adopted = await h.handler.invoke({ requestType: 'Create', props: v2.props.New, logicalId: v2.logicalIds.New });

  // Another resource fails: the rollback restores the old function environment, then deletes
  // "New". Even with DESTROY, the flow is declared by "Old" in that environment: left alone.
  await h.handler.fresh(v1.env);
  h.emulator.clearCalls();
  const rollback = await h.handler.invoke({ requestType: 'Delete', props: v2.props.New, physicalId: adopted.response.PhysicalResourceId, logicalId: v2.logicalIds.New });

  expect(rollback.response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(flowId)!.status).toBe('PUBLISHED');
  expect(h.emulator.operations()).toEqual(['ListWhatsAppFlows', 'GetWhatsAppFlow']);
});

describe('an adopted flow leaving the stack', () => {
  test('is left in place, and says so, by default: a removal cannot be told apart from a rolled-back adoption', async () => {
    const { console, stack, physicalId } = await adoptConsoleFlow();
    await h.handler.fresh({});
    h.emulator.clearCalls();

    const removed = await h.handler.invoke({ requestType: 'Delete', props: stack.props.Signup, physicalId, logicalId: stack.logicalIds.Signup });

    expect(removed.response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(console.flowId)).toMatchObject({ status: 'PUBLISHED', flowName: 'signup' });
    expect(h.emulator.operations()).toEqual([]);
    expect(JSON.stringify(removed.logs)).toMatch(/taken over with adoptExisting[^"]*left in place/);
  });

  test('is renamed out of the way and deprecated with removalPolicy DESTROY', async () => {
    const { console, stack, physicalId } = await adoptConsoleFlow({ removalPolicy: RemovalPolicy.DESTROY });
    await h.handler.fresh({});

    const removed = await h.handler.invoke({ requestType: 'Delete', props: stack.props.Signup, physicalId, logicalId: stack.logicalIds.Signup });

    expect(removed.response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(console.flowId)).toMatchObject({ status: 'DEPRECATED', flowName: `signup (retired ${console.flowId})` });
  });

  test('is deprecated once its resource no longer sets adoptExisting', async () => {
    const { console, stack, physicalId } = await adoptConsoleFlow();
    // Deploy once without adoptExisting: an Update that changes only the property.
    const owned = synthFlows((s) => signup(s, 'Signup'));
    await h.handler.fresh(owned.env);
    const update = await h.handler.invoke({ requestType: 'Update', props: owned.props.Signup, oldProps: stack.props.Signup, physicalId, logicalId: owned.logicalIds.Signup });
    expect(update.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId });

    await h.handler.fresh({});
    const removed = await h.handler.invoke({ requestType: 'Delete', props: owned.props.Signup, physicalId, logicalId: owned.logicalIds.Signup });

    expect(removed.response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(console.flowId)!.status).toBe('DEPRECATED');
  });

  test('moves to another WABA with removalPolicy DESTROY: the new WABA gets the flow, the old adopted flow is deprecated', async () => {
    const { console, stack, physicalId } = await adoptConsoleFlow({ removalPolicy: RemovalPolicy.DESTROY });
    const moved = synthFlows((s) => signup(s, 'Signup', { adoptExisting: true, removalPolicy: RemovalPolicy.DESTROY, wabaId: OTHER_WABA }));
    await h.handler.fresh(moved.env);
    const replaced = await h.handler.invoke({ requestType: 'Update', props: moved.props.Signup, oldProps: stack.props.Signup, physicalId, logicalId: moved.logicalIds.Signup });
    expect(replaced.response.Status).toBe('SUCCESS');
    expect(replaced.response.PhysicalResourceId).not.toBe(physicalId);

    // Cleanup phase: the old physical id, with the old properties.
    const cleanup = await h.handler.invoke({ requestType: 'Delete', props: stack.props.Signup, physicalId, logicalId: stack.logicalIds.Signup });

    expect(cleanup.response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(console.flowId)!.status).toBe('DEPRECATED');
    expect(h.emulator.flows(OTHER_WABA)).toEqual([expect.objectContaining({ flowName: 'signup', status: 'PUBLISHED' })]);
  });
});

test('changes nothing on a live flow whose deployed content cannot be read, which adoption needs as its restore point', async () => {
  const console = h.emulator.seedFlow({ wabaId: WABA, flowName: 'signup', categories: ['OTHER'], status: 'PUBLISHED', json: validFlow('Console') });
  const { props, logicalIds, env } = synthFlows((s) => signup(s, 'Signup', { adoptExisting: true }));
  await h.handler.fresh(env);
  h.emulator.failNext('ListWhatsAppFlowAssets', { errorType: 'ValidationException', count: 5 });

  const { response } = await h.handler.invoke({ requestType: 'Create', props: props.Signup, logicalId: logicalIds.Signup });

  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toMatch(/cannot be read[^"]*nothing was changed/);
  expect(h.emulator.flow(console.flowId)).toMatchObject({ categories: ['OTHER'], status: 'PUBLISHED' });
  expect(h.emulator.operations()).not.toContain('UpdateWhatsAppFlowAssets');
});

test('fails synth when two flows of an app claim the same WABA and name, naming both', () => {
  expect(() =>
    synthFlows((s) => {
      signup(s, 'A', { adoptExisting: true });
      signup(s, 'B', { adoptExisting: true });
    }),
  ).toThrow(/FlowStack\/B: flowName "signup" is already declared for WABA "waba-[0-9a-f]+" by FlowStack\/A/);
});
