/**
 * Bringing existing flows under code: `adoptExisting` takes over a flow of the same name, and no
 * sequence CloudFormation runs around an adoption can lose the flow.
 */
import { Stack } from 'aws-cdk-lib';
import { FlowCategory, FlowJson, WhatsAppFlow } from '../../lib';
import { synthFlows, validFlow, WABA, useHarness } from '../support/cfn';

const h = useHarness();

const content = FlowJson.fromObject(validFlow('Signup'));

function signup(stack: Stack, id: string, extra: { adoptExisting?: boolean; flowJson?: FlowJson } = {}): void {
  new WhatsAppFlow(stack, id, { wabaId: WABA, flowName: 'signup', categories: [FlowCategory.SIGN_UP], flowJson: content, publish: true, ...extra });
}

test('adopts a flow made in the console and makes it match the code', async () => {
  const console = h.emulator.seedFlow({ wabaId: WABA, flowName: 'signup', categories: ['OTHER'], status: 'PUBLISHED', json: validFlow('Console') });
  const { props, logicalIds, env } = synthFlows((s) => signup(s, 'Signup', { adoptExisting: true }));
  await h.handler.fresh(env);

  const { response, logs } = await h.handler.invoke({ requestType: 'Create', props: props.Signup, logicalId: logicalIds.Signup });

  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: console.flowId });
  expect(response.Data).toMatchObject({ Action: 'adopted', FlowStatus: 'PUBLISHED' });
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

  expect(response.PhysicalResourceId).toBe(existing.flowId);
  expect(h.emulator.operations()).toEqual(['ListWhatsAppFlows', 'GetWhatsAppFlow', 'ListWhatsAppFlowAssets', 'Download']);
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
  expect(adopted.response.PhysicalResourceId).toBe(flowId);

  // Cleanup: Delete for the old resource, with the same flow id and its old properties.
  h.emulator.clearCalls();
  const cleanup = await h.handler.invoke({ requestType: 'Delete', props: v1.props.Old, physicalId: flowId, logicalId: v1.logicalIds.Old });

  expect(cleanup.response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(flowId)!.status).toBe('PUBLISHED');
  expect(h.emulator.operations()).toEqual([]);
  expect(JSON.stringify(cleanup.logs)).toMatch(/held by another resource of this stack/);

  // Later the stack is deleted: the holder deprecates the flow.
  const teardown = await h.handler.invoke({ requestType: 'Delete', props: v2.props.New, physicalId: flowId, logicalId: v2.logicalIds.New });
  expect(teardown.response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(flowId)!.status).toBe('DEPRECATED');
});

test('keeps the flow with its former holder when the adoption is rolled back', async () => {
  const v1 = synthFlows((s) => signup(s, 'Old'));
  await h.handler.fresh(v1.env);
  const flowId = (await h.handler.invoke({ requestType: 'Create', props: v1.props.Old, logicalId: v1.logicalIds.Old })).response.PhysicalResourceId;
  const v2 = synthFlows((s) => signup(s, 'New', { adoptExisting: true }));
  await h.handler.fresh(v2.env);
  await h.handler.invoke({ requestType: 'Create', props: v2.props.New, logicalId: v2.logicalIds.New });

  // Another resource fails: the rollback restores the old function environment, then deletes "New".
  await h.handler.fresh(v1.env);
  h.emulator.clearCalls();
  const rollback = await h.handler.invoke({ requestType: 'Delete', props: v2.props.New, physicalId: flowId, logicalId: v2.logicalIds.New });

  expect(rollback.response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(flowId)!.status).toBe('PUBLISHED');
  expect(h.emulator.operations()).toEqual([]);
});

test('fails synth when two flows of a stack adopt the same flow', () => {
  expect(() =>
    synthFlows((s) => {
      signup(s, 'A', { adoptExisting: true });
      signup(s, 'B', { adoptExisting: true });
    }),
  ).toThrow(/two flows of this stack adopt the flow named "signup"/);
});
