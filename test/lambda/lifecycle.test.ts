/**
 * The provider's lifecycle, end to end: the built handler bundle, the real SDK, real HTTP to the
 * emulator on 127.0.0.1, and CloudFormation-shaped events whose single answer is captured.
 * Each test states the event, then asserts the answer, the service's final state and the exact
 * calls made. The rows follow the lifecycle table in the README.
 */
import { createHash } from 'crypto';
import { FlowJson, FlowValidation, WhatsAppFlow } from '../../lib';
import { CREATE_FAILED_PHYSICAL_ID } from '../../lib/shared/contract';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Handler, OTHER_WABA, propsFor, unpublishableFlow, validFlow, WABA, useHarness } from '../support/cfn';

const h = useHarness({ idSeed: 7 });

const sha = (b: Buffer | undefined) => (b ? createHash('sha256').update(b).digest('hex') : undefined);
const flowJson = (doc: object) => FlowJson.fromObject(doc);
/** For content the test wants Meta (the emulator) to refuse, which synth would stop first. */
const unchecked = FlowValidation.skip('the test sends content that the service must refuse');

/** Creates a flow through the handler and clears the call log, as the starting point of a test. */
async function deployed(props: Record<string, unknown>): Promise<string> {
  const { response } = await h.handler.invoke({ requestType: 'Create', props });
  expect(response.Status).toBe('SUCCESS');
  h.emulator.clearCalls();
  return response.PhysicalResourceId;
}

describe('Create', () => {
  test('creates a draft flow with its name, categories and content, and answers its id', async () => {
    const doc = flowJson(validFlow());
    const { response, puts } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: doc }) });

    expect(puts).toBe(1);
    expect(response.Status).toBe('SUCCESS');
    const flow = h.emulator.flow(response.PhysicalResourceId)!;
    expect(flow).toMatchObject({ flowName: 'signup', categories: ['SIGN_UP'], status: 'DRAFT', wabaId: WABA });
    expect(flow.json!.toString('utf8')).toBe(doc.content);
    expect(response.Data).toMatchObject({ FlowId: flow.flowId, FlowStatus: 'DRAFT', WabaId: WABA, ValidationErrors: '', Action: 'created' });
    expect(h.emulator.operations()).toEqual(['ListWhatsAppFlows', 'CreateWhatsAppFlow']);
  });

  test('creates and publishes in the create call, then checks the status', async () => {
    const { response } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(validFlow()), publish: true }) });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(response.PhysicalResourceId)!.status).toBe('PUBLISHED');
    expect(response.Data!.FlowStatus).toBe('PUBLISHED');
    expect(h.emulator.operations()).toEqual(['ListWhatsAppFlows', 'CreateWhatsAppFlow', 'GetWhatsAppFlow']);
    expect(h.emulator.calls('CreateWhatsAppFlow')[0].input.publish).toBe(true);
  });

  test('fails and deletes the draft when Meta refuses to publish the content, quoting its errors', async () => {
    const { response } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(unpublishableFlow()), publish: true, validation: unchecked }) });

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/cannot be published.*validation errors.*terminal/i);
    expect(response.PhysicalResourceId).toBe(CREATE_FAILED_PHYSICAL_ID);
    expect(h.emulator.flows()).toEqual([]);
    expect(h.emulator.operations()).toEqual(['ListWhatsAppFlows', 'CreateWhatsAppFlow', 'GetWhatsAppFlow', 'DeleteWhatsAppFlow']);
  });

  test('fails without leaving a flow when the service rejects a create that asks to publish invalid content', async () => {
    h.emulator.configure({ publishInvalidOnCreate: 'fail' });
    const { response } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(unpublishableFlow()), publish: true, validation: unchecked }) });

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/CreateWhatsAppFlow failed: InvalidParametersException/);
    expect(h.emulator.flows()).toEqual([]);
  });

  test('fails when the name stays taken by a flow the stack did not create, naming that flow and the way out', async () => {
    const existing = h.emulator.seedFlow({ wabaId: WABA, flowName: 'signup', status: 'PUBLISHED', json: validFlow() });
    const { response } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(validFlow()) }) });

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(existing.flowId);
    expect(response.Reason).toContain('PUBLISHED');
    expect(response.Reason).toMatch(/adoptExisting/);
    expect(h.emulator.flows()).toHaveLength(1);
    // It looked the name up (and whether the holder is exactly this event's flow), waiting in case
    // a sibling was renaming that flow away; it never created.
    expect(h.emulator.operations()).not.toContain('CreateWhatsAppFlow');
    expect(new Set(h.emulator.operations())).toEqual(new Set(['ListWhatsAppFlows', 'GetWhatsAppFlow']));
  });

  test('waits for a name a sibling resource is renaming away in the same deploy, then creates the flow', async () => {
    const sibling = h.emulator.seedFlow({ wabaId: WABA, flowName: 'signup', status: 'PUBLISHED', json: validFlow() });
    const created = h.realTime.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(validFlow()) }) });
    await new Promise((r) => setTimeout(r, 300));
    // The sibling's rename lands while this create waits for the name.
    const renamed = { ...h.emulator.flow(sibling.flowId)!, flowName: 'signup-legacy' };
    h.emulator.removeFlow(sibling.flowId);
    h.emulator.seedFlow(renamed);
    const { response } = await created;

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.flows().map((f) => f.flowName).sort()).toEqual(['signup', 'signup-legacy']);
  });

  test('answers a duplicate delivery of the same event with the same flow, never a second one', async () => {
    const event = h.handler.event({ requestType: 'Create', props: propsFor({ flowJson: flowJson(validFlow()) }) });
    // Delivered again to the same warm container (which runs one event at a time), twice.
    const first = h.handler.send(event);
    const [a, b] = await Promise.all([first.result, h.handler.invoke(event, { container: first.container })]);
    const c = await h.handler.invoke(event, { container: first.container });

    expect(h.emulator.flows()).toHaveLength(1);
    for (const r of [a, b, c]) {
      expect(r.response.Status).toBe('SUCCESS');
      expect(r.response.PhysicalResourceId).toBe(h.emulator.flows()[0].flowId);
    }
    expect(h.emulator.operations().filter((o) => o === 'CreateWhatsAppFlow')).toHaveLength(1);
  });

  test('never takes the name\'s holder after a refused create; the Delete of the failed create removes the flow that matches it exactly', async () => {
    // Another delivery's create lands between this one's name lookup and its own create, which
    // the service refuses: a definitive answer, so this event does not claim that flow (it could
    // as well be another stack's).
    const props = propsFor({ flowJson: flowJson(validFlow()) });
    h.emulator.failNext('CreateWhatsAppFlow', { errorType: 'InvalidParametersException', message: 'Flow name is not unique', afterEffect: true });
    const { response } = await h.handler.invoke({ requestType: 'Create', props });

    expect(response.Status).toBe('FAILED');
    expect(response.PhysicalResourceId).toBe('WhatsAppFlow::CREATE_FAILED');
    expect(response.Reason).toContain(h.emulator.flows()[0].flowId);

    // CloudFormation's rollback: the flow is exactly what the event declared, so it is removed.
    const cleanup = await h.handler.invoke({ requestType: 'Delete', props, physicalId: response.PhysicalResourceId });
    expect(cleanup.response.Status).toBe('SUCCESS');
    expect(h.emulator.flows()).toEqual([]);
  });

  test('clones a flow of the same WABA', async () => {
    const source = h.emulator.seedFlow({ wabaId: WABA, flowName: 'source', status: 'PUBLISHED', json: validFlow('Source') });
    const clone = WhatsAppFlow.fromFlowAttributes(new App(), 'Src', { wabaId: WABA, flowId: source.flowId });
    const { response } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ cloneFrom: clone }) });

    expect(response.Status).toBe('SUCCESS');
    const flow = h.emulator.flow(response.PhysicalResourceId)!;
    expect(flow.flowId).not.toBe(source.flowId);
    expect(sha(flow.json)).toBe(sha(source.json));
    expect(h.emulator.calls('CreateWhatsAppFlow')[0].input.cloneFlowId).toBe(source.flowId);
  });

  test('clones and then sets the declared content when both are given', async () => {
    const source = h.emulator.seedFlow({ wabaId: WABA, flowName: 'source', status: 'PUBLISHED', json: validFlow('Source') });
    h.emulator.configure({ cloneWithJson: 'ignore' });
    const doc = flowJson(validFlow('Mine'));
    const clone = WhatsAppFlow.fromFlowAttributes(new App(), 'Src', { wabaId: WABA, flowId: source.flowId });
    const { response } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ cloneFrom: clone, flowJson: doc, publish: true }) });

    expect(response.Status).toBe('SUCCESS');
    const flow = h.emulator.flow(response.PhysicalResourceId)!;
    expect(flow.json!.toString('utf8')).toBe(doc.content);
    expect(flow.status).toBe('PUBLISHED');
    expect(h.emulator.operations()).toEqual(['ListWhatsAppFlows', 'CreateWhatsAppFlow', 'UpdateWhatsAppFlowAssets', 'PublishWhatsAppFlow', 'GetWhatsAppFlow']);
  });

  test('reads large content from its S3 asset', async () => {
    const doc = flowJson(validFlow('Large', { data: {} }));
    const big = FlowJson.fromObject({ ...(doc.definition as object), screens: [{ ...(doc.definition as any).screens[0], title: 'x'.repeat(5000) }] });
    const props = propsFor({ flowJson: big });
    expect(props.FlowJson).toBeUndefined();
    h.emulator.putObject(String(props.ContentS3Bucket), String(props.ContentS3Key), big.content);
    const { response } = await h.handler.invoke({ requestType: 'Create', props });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(response.PhysicalResourceId)!.json!.toString('utf8')).toBe(big.content);
    expect(h.emulator.operations()).toEqual(['ListWhatsAppFlows', 'S3.GetObject', 'CreateWhatsAppFlow']);
  });

  test('fails with a clear reason when the S3 asset cannot be read, creating nothing', async () => {
    const big = FlowJson.fromObject(validFlow('y'.repeat(5000)));
    const { response } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: big }) });

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/reading the flow content from s3:\/\/.*NoSuchKey/);
    expect(h.emulator.flows()).toEqual([]);
  });

  test('retries a create the service failed with a 5xx, after checking that no flow was made', async () => {
    h.emulator.failNext('CreateWhatsAppFlow', { errorType: 'InternalServiceException' });
    const { response } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(validFlow()) }) });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.flows()).toHaveLength(1);
    expect(h.emulator.operations()).toEqual(['ListWhatsAppFlows', 'CreateWhatsAppFlow', 'ListWhatsAppFlows', 'CreateWhatsAppFlow']);
  });

  test('does not create twice when a create succeeded but its answer was lost', async () => {
    h.emulator.failNext('CreateWhatsAppFlow', { errorType: 'network', afterEffect: true });
    const { response } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(validFlow()), publish: true }) });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.flows()).toHaveLength(1);
    expect(h.emulator.flows()[0].status).toBe('PUBLISHED');
    expect(h.emulator.operations().filter((o) => o === 'CreateWhatsAppFlow')).toHaveLength(1);
  });

  test('retries a read whose connection was dropped', async () => {
    const props = propsFor({ flowJson: flowJson(validFlow()) });
    const id = await deployed(props);
    h.emulator.failNext('GetWhatsAppFlow', { errorType: 'network' });
    const { response } = await h.handler.invoke({ requestType: 'Delete', props, physicalId: id });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(id)).toBeUndefined();
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow', 'GetWhatsAppFlow', 'DeleteWhatsAppFlow']);
  });

  test('rides out throttling with backoff', async () => {
    h.emulator.failNext('ListWhatsAppFlows', { errorType: 'ThrottledRequestException', count: 2 });
    h.emulator.failNext('CreateWhatsAppFlow', { errorType: 'ThrottledRequestException', count: 1 });
    const { response } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(validFlow()) }) });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.flows()).toHaveLength(1);
    // A throttled create was refused, not processed: retried without looking the name up again.
    expect(h.emulator.operations()).toEqual(['ListWhatsAppFlows', 'ListWhatsAppFlows', 'ListWhatsAppFlows', 'CreateWhatsAppFlow', 'CreateWhatsAppFlow']);
  });

  test('fails with the service message on an access denial that outlasts a new grant\'s propagation', async () => {
    h.emulator.setAllowedWabas([OTHER_WABA]);
    const { response } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(validFlow()) }) });

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/ListWhatsAppFlows failed: AccessDeniedException/);
    // Retried for a while (IAM applies a grant made by the same deploy within seconds), then given up.
    expect(new Set(h.emulator.operations())).toEqual(new Set(['ListWhatsAppFlows']));
    expect(h.emulator.operations().length).toBeGreaterThan(1);
  });

  test('rides out an access denial while a new grant propagates', async () => {
    h.emulator.setAllowedWabas([OTHER_WABA]);
    const pending = h.realTime.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(validFlow()) }) });
    await new Promise((r) => setTimeout(r, 300));
    h.emulator.setAllowedWabas(undefined);
    const { response } = await pending;

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.flows()).toHaveLength(1);
  });

  test('fails with a clear reason on properties that cannot describe a flow', async () => {
    const { response } = await h.handler.invoke({ requestType: 'Create', props: { ServiceToken: 'x', WabaId: '12345', FlowName: 'a', Categories: ['SIGN_UP'] } });

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/WabaId must be a linked WABA id/);
    expect(response.PhysicalResourceId).toBe(CREATE_FAILED_PHYSICAL_ID);
    expect(h.emulator.operations()).toEqual([]);
  });
});

describe('Update', () => {
  const base = { flowJson: flowJson(validFlow()) };

  test('makes no write call when nothing changed', async () => {
    const props = propsFor(base);
    const id = await deployed(props);
    const { response } = await h.handler.invoke({ requestType: 'Update', props, oldProps: props, physicalId: id });

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(response.Data!.Action).toBe('unchanged');
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow']);
  });

  test('makes no write call when the file was only reformatted', async () => {
    const before = propsFor({ flowJson: FlowJson.fromString(JSON.stringify(validFlow())) });
    const after = propsFor({ flowJson: FlowJson.fromString(JSON.stringify(validFlow(), null, 4)) });
    expect(after.FlowJson).not.toEqual(before.FlowJson);
    const id = await deployed(before);
    await h.handler.invoke({ requestType: 'Update', props: after, oldProps: before, physicalId: id });

    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow']);
  });

  test('renames the flow in place', async () => {
    const old = propsFor(base);
    const id = await deployed(old);
    const { response } = await h.handler.invoke({ requestType: 'Update', props: propsFor({ ...base, flowName: 'signup-v2' }), oldProps: old, physicalId: id });

    expect(response.PhysicalResourceId).toBe(id);
    expect(h.emulator.flow(id)!.flowName).toBe('signup-v2');
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow', 'UpdateWhatsAppFlow']);
    expect(h.emulator.calls('UpdateWhatsAppFlow')[0].input).toMatchObject({ flowName: 'signup-v2' });
  });

  test('updates only the content of a draft when only the content changed', async () => {
    const old = propsFor(base);
    const id = await deployed(old);
    const doc = flowJson(validFlow('Changed'));
    await h.handler.invoke({ requestType: 'Update', props: propsFor({ flowJson: doc }), oldProps: old, physicalId: id });

    expect(h.emulator.flow(id)!.json!.toString('utf8')).toBe(doc.content);
    expect(h.emulator.flow(id)!.status).toBe('DRAFT');
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow', 'UpdateWhatsAppFlowAssets']);
  });

  test('republishes a published flow whose content changed, even with publish false', async () => {
    const old = propsFor({ ...base, publish: true });
    const id = await deployed(old);
    const { response, logs } = await h.handler.invoke({ requestType: 'Update', props: propsFor({ flowJson: flowJson(validFlow('V2')) }), oldProps: old, physicalId: id });

    expect(response.Data!.FlowStatus).toBe('PUBLISHED');
    expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');
    // The content in place is read first: it is what goes back if Meta refuses the new one.
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow', 'ListWhatsAppFlowAssets', 'Download', 'UpdateWhatsAppFlowAssets', 'PublishWhatsAppFlow']);
    expect(JSON.stringify(logs)).toMatch(/republishing it although publish is false/);
  });

  test('fails quoting Meta\'s errors and puts the live content back when new content cannot be published', async () => {
    const old = propsFor({ ...base, publish: true });
    const id = await deployed(old);
    const { response } = await h.handler.invoke({ requestType: 'Update', props: propsFor({ flowJson: flowJson(unpublishableFlow()), publish: true, validation: unchecked }), oldProps: old, physicalId: id });

    expect(response.Status).toBe('FAILED');
    expect(response.PhysicalResourceId).toBe(id);
    expect(response.Reason).toMatch(/validation errors/);
    const flow = h.emulator.flow(id)!;
    expect(flow.status).toBe('PUBLISHED');
    expect(flow.json!.toString('utf8')).toBe(base.flowJson.content);
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow', 'ListWhatsAppFlowAssets', 'Download', 'UpdateWhatsAppFlowAssets', 'UpdateWhatsAppFlowAssets', 'PublishWhatsAppFlow']);
  });

  test('publishes a draft when publish turns true', async () => {
    const old = propsFor(base);
    const id = await deployed(old);
    await h.handler.invoke({ requestType: 'Update', props: propsFor({ ...base, publish: true }), oldProps: old, physicalId: id });

    expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow', 'PublishWhatsAppFlow']);
  });

  test('leaves a published flow published when publish turns false, and says why', async () => {
    const old = propsFor({ ...base, publish: true });
    const id = await deployed(old);
    const { response, logs } = await h.handler.invoke({ requestType: 'Update', props: propsFor(base), oldProps: old, physicalId: id });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow']);
    expect(JSON.stringify(logs)).toMatch(/cannot return to draft/);
  });

  test('republishes when a metadata update returned the published flow to draft', async () => {
    h.emulator.configure({ metadataUpdateUnpublishes: true });
    const old = propsFor({ ...base, publish: true });
    const id = await deployed(old);
    await h.handler.invoke({ requestType: 'Update', props: propsFor({ ...base, publish: true, flowName: 'renamed' }), oldProps: old, physicalId: id });

    expect(h.emulator.flow(id)).toMatchObject({ flowName: 'renamed', status: 'PUBLISHED' });
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow', 'UpdateWhatsAppFlow', 'GetWhatsAppFlow', 'PublishWhatsAppFlow']);
  });

  test('replaces the flow when the WABA changes: a new flow in the new WABA, the old one untouched', async () => {
    const old = propsFor({ ...base, publish: true });
    const id = await deployed(old);
    const { response } = await h.handler.invoke({ requestType: 'Update', props: propsFor({ ...base, publish: true, wabaId: OTHER_WABA }), oldProps: old, physicalId: id });

    expect(response.Status).toBe('SUCCESS');
    expect(response.PhysicalResourceId).not.toBe(id);
    expect(h.emulator.flow(response.PhysicalResourceId)).toMatchObject({ wabaId: OTHER_WABA, status: 'PUBLISHED' });
    expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');
    expect(response.Data!.Action).toBe('replaced');

    // CloudFormation's cleanup then deletes the old physical resource with the old properties.
    h.emulator.clearCalls();
    const cleanup = await h.handler.invoke({ requestType: 'Delete', props: old, physicalId: id });
    expect(cleanup.response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(id)!.status).toBe('DEPRECATED');
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow', 'UpdateWhatsAppFlow', 'GetWhatsAppFlow', 'DeprecateWhatsAppFlow']);
  });

  test('rolls back a failed WABA move, removing the copy a cancelled move made in the new WABA', async () => {
    const old = propsFor({ ...base, publish: true });
    const id = await deployed(old);
    const moved = propsFor({ ...base, publish: true, wabaId: OTHER_WABA });
    // The move created its flow in the new WABA, but CloudFormation cancelled the update (a
    // sibling failed) before the answer came: it knows nothing of the copy.
    const move = await h.handler.invoke({ requestType: 'Update', props: moved, oldProps: old, physicalId: id });
    const copy = move.response.PhysicalResourceId;
    expect(h.emulator.flow(copy)).toMatchObject({ wabaId: OTHER_WABA, status: 'PUBLISHED' });

    const { response } = await h.handler.invoke({ requestType: 'Update', props: old, oldProps: moved, physicalId: id });

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');
    expect(h.emulator.flow(copy)).toMatchObject({ status: 'DEPRECATED', flowName: `signup (retired ${copy})` });
  });

  test('rolls back a failed WABA move in place: the original flow stays and nothing is created', async () => {
    const old = propsFor({ ...base, publish: true });
    const id = await deployed(old);
    const moved = propsFor({ ...base, publish: true, wabaId: OTHER_WABA });
    h.emulator.setAllowedWabas([WABA]);
    const failed = await h.handler.invoke({ requestType: 'Update', props: moved, oldProps: old, physicalId: id });
    expect(failed.response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
    h.emulator.setAllowedWabas(undefined);
    h.emulator.clearCalls();

    // UPDATE_ROLLBACK: the failed resource gets its old properties back as an Update.
    const { response, logs } = await h.handler.invoke({ requestType: 'Update', props: old, oldProps: moved, physicalId: id });

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(h.emulator.flows()).toHaveLength(1);
    expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');
    // No write: it only looked for a copy the failed move might still make in the other WABA.
    expect(new Set(h.emulator.operations())).toEqual(new Set(['GetWhatsAppFlow', 'ListWhatsAppFlows']));
    expect(JSON.stringify(logs)).toMatch(/rolling back a failed move/);
  });

  test('creates the flow again when it was deleted outside CloudFormation', async () => {
    const old = propsFor(base);
    const id = await deployed(old);
    h.emulator.removeFlow(id);
    const { response } = await h.handler.invoke({ requestType: 'Update', props: old, oldProps: old, physicalId: id });

    expect(response.Status).toBe('SUCCESS');
    expect(response.PhysicalResourceId).not.toBe(id);
    expect(h.emulator.flows().map((f) => f.flowName)).toEqual(['signup']);
  });

  test('fails, saying how to proceed, when a flow deprecated outside CloudFormation still holds the name', async () => {
    const old = propsFor({ ...base, publish: true });
    const id = await deployed(old);
    h.emulator.setStatus(id, 'DEPRECATED');
    const { response } = await h.handler.invoke({ requestType: 'Update', props: old, oldProps: old, physicalId: id });

    expect(response.Status).toBe('FAILED');
    expect(response.PhysicalResourceId).toBe(id);
    expect(response.Reason).toMatch(/deprecated outside CloudFormation.*holds the name.*change flowName/);
    expect(h.emulator.flows()).toHaveLength(1);
  });

  test('re-creates a flow deprecated outside CloudFormation under its new name', async () => {
    const old = propsFor({ ...base, publish: true });
    const id = await deployed(old);
    h.emulator.setStatus(id, 'DEPRECATED');
    const { response } = await h.handler.invoke({ requestType: 'Update', props: propsFor({ ...base, publish: true, flowName: 'signup-2' }), oldProps: old, physicalId: id });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(response.PhysicalResourceId)).toMatchObject({ flowName: 'signup-2', status: 'PUBLISHED' });
  });

  test('rolls back without failing: content and name restored, a flow published by the failed update stays published', async () => {
    const old = propsFor(base);
    const id = await deployed(old);
    const failedUpdate = propsFor({ flowJson: flowJson(validFlow('V2')), publish: true, flowName: 'signup-new' });
    await h.handler.invoke({ requestType: 'Update', props: failedUpdate, oldProps: old, physicalId: id });
    h.emulator.clearCalls();

    // UPDATE_ROLLBACK: the old properties come back as an Update.
    const { response, logs } = await h.handler.invoke({ requestType: 'Update', props: old, oldProps: failedUpdate, physicalId: id });

    expect(response.Status).toBe('SUCCESS');
    const flow = h.emulator.flow(id)!;
    expect(flow.flowName).toBe('signup');
    expect(flow.json!.toString('utf8')).toBe(base.flowJson.content);
    expect(flow.status).toBe('PUBLISHED');
    expect(JSON.stringify(logs)).toMatch(/cannot return to draft/);
  });

  test('answers SUCCESS and logs the divergence when Meta has BLOCKED the flow', async () => {
    const old = propsFor({ ...base, publish: true });
    const id = await deployed(old);
    h.emulator.setStatus(id, 'BLOCKED');
    const { response, logs } = await h.handler.invoke({ requestType: 'Update', props: propsFor({ flowJson: flowJson(validFlow('V2')), publish: true }), oldProps: old, physicalId: id });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow']);
    expect(JSON.stringify(logs)).toMatch(/BLOCKED by Meta/);
  });

  test('moving content between inline and S3 with the same content makes no service call', async () => {
    const doc = FlowJson.fromObject(validFlow('z'.repeat(5000)));
    const s3Props = propsFor({ flowJson: doc });
    const inlineProps = { ...s3Props, FlowJson: doc.content, ContentS3Bucket: undefined, ContentS3Key: undefined };
    h.emulator.putObject(String(s3Props.ContentS3Bucket), String(s3Props.ContentS3Key), doc.content);
    const id = await deployed(inlineProps);
    await h.handler.invoke({ requestType: 'Update', props: s3Props, oldProps: inlineProps, physicalId: id });

    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow']);
  });
});

describe('Delete', () => {
  const base = { flowJson: flowJson(validFlow()) };

  test('deletes a draft', async () => {
    const props = propsFor(base);
    const id = await deployed(props);
    const { response } = await h.handler.invoke({ requestType: 'Delete', props, physicalId: id });

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(h.emulator.flow(id)).toBeUndefined();
    // No other resource of the stack declares the name: no lookup for a flow waiting for it.
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow', 'DeleteWhatsAppFlow']);
  });

  test('deprecates a published flow and never deletes it', async () => {
    const props = propsFor({ ...base, publish: true });
    const id = await deployed(props);
    await h.handler.invoke({ requestType: 'Delete', props, physicalId: id });

    expect(h.emulator.flow(id)!.status).toBe('DEPRECATED');
    expect(h.emulator.operations()).not.toContain('DeleteWhatsAppFlow');
  });

  test('renames a published flow out of the way before deprecating it, so the same code can deploy again', async () => {
    const props = propsFor({ ...base, publish: true });
    const id = await deployed(props);
    await h.handler.invoke({ requestType: 'Delete', props, physicalId: id });

    expect(h.emulator.flow(id)).toMatchObject({ status: 'DEPRECATED', flowName: `signup (retired ${id})` });
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow', 'UpdateWhatsAppFlow', 'GetWhatsAppFlow', 'DeprecateWhatsAppFlow']);
    const again = await h.handler.invoke({ requestType: 'Create', props });
    expect(again.response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(again.response.PhysicalResourceId)).toMatchObject({ flowName: 'signup', status: 'PUBLISHED' });
  });

  test.each(['THROTTLED', 'BLOCKED'])('deprecates a %s flow when the service accepts it', async (status) => {
    const props = propsFor({ ...base, publish: true });
    const id = await deployed(props);
    h.emulator.setStatus(id, status);
    const { response } = await h.handler.invoke({ requestType: 'Delete', props, physicalId: id });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(id)!.status).toBe('DEPRECATED');
  });

  test.each(['THROTTLED', 'BLOCKED'])('succeeds with a warning when the service refuses to deprecate a %s flow', async (status) => {
    h.emulator.configure({ deprecateLocked: 'refuse' });
    const props = propsFor({ ...base, publish: true });
    const id = await deployed(props);
    h.emulator.setStatus(id, status);
    const { response, logs } = await h.handler.invoke({ requestType: 'Delete', props, physicalId: id });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.flow(id)!.status).toBe(status);
    expect(logs.some((l) => l.level === 'WARN' && l.event === 'deprecate-refused')).toBe(true);
    expect(h.emulator.operations()).not.toContain('DeleteWhatsAppFlow');
  });

  test('succeeds without a write for a flow already deprecated', async () => {
    const props = propsFor({ ...base, publish: true });
    const id = await deployed(props);
    h.emulator.setStatus(id, 'DEPRECATED');
    const { response } = await h.handler.invoke({ requestType: 'Delete', props, physicalId: id });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow']);
  });

  test('succeeds for a flow that no longer exists', async () => {
    const props = propsFor(base);
    const { response } = await h.handler.invoke({ requestType: 'Delete', props, physicalId: '1234567890123456' });

    expect(response.Status).toBe('SUCCESS');
    expect(h.emulator.operations()).toEqual(['GetWhatsAppFlow']);
  });

  test('succeeds without any call for a physical id left by a failed create', async () => {
    const { response } = await h.handler.invoke({ requestType: 'Delete', props: { Garbage: true }, physicalId: CREATE_FAILED_PHYSICAL_ID });

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID });
    expect(h.emulator.operations()).toEqual([]);
  });

  test('leaves a retained flow untouched without any call', async () => {
    const props = propsFor({ ...base, removalPolicy: RemovalPolicy.RETAIN });
    const id = await deployed(props);
    await h.handler.invoke({ requestType: 'Delete', props, physicalId: id });

    expect(h.emulator.flow(id)!.status).toBe('DRAFT');
    expect(h.emulator.operations()).toEqual([]);
  });
});

describe('the answer', () => {
  test('is sent once even when the ResponseURL fails twice first', async () => {
    h.capture.failNextPuts(2);
    const { response, puts } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(validFlow()) }) });

    expect(puts).toBe(1);
    expect(response.Status).toBe('SUCCESS');
  });

  test('is FAILED, in time, when the service is too slow for the time left', async () => {
    h.emulator.setLatency(3_000);
    const started = Date.now();
    const { response } = await h.handler.invoke({ requestType: 'Delete', props: propsFor({ flowJson: flowJson(validFlow()) }), physicalId: '1234567890123456' }, { remainingMs: 16_500 });

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/ran out of time|time for this event ran out/);
    // Before CloudFormation's deadline (the time left), whatever the machine's load.
    expect(Date.now() - started).toBeLessThan(16_500);
  });

  test('stays under 4096 bytes with the status intact however long the errors are', async () => {
    const old = propsFor({ flowJson: flowJson(validFlow()), publish: true });
    const id = await deployed(old);
    const huge = { version: '7.3', screens: Array.from({ length: 60 }, (_, i) => ({ id: `S${'x'.repeat(i)}`, layout: { type: 'SingleColumnLayout', children: [] } })) };
    const { response, bytes } = await h.handler.invoke({ requestType: 'Update', props: propsFor({ flowJson: FlowJson.fromObject(huge), publish: true, validation: unchecked }), oldProps: old, physicalId: id });

    expect(bytes).toBeLessThanOrEqual(4096);
    expect(response.Status).toBe('FAILED');
    expect(response.PhysicalResourceId).toBe(id);
  });

  test('is FAILED, with the cause, when the handler fails while loading', async () => {
    const broken = new Handler(h.capture, h.emulator.endpoint, { NODE_OPTIONS: `--require ${require.resolve('../support/break-module-load.js')}` });
    try {
      const { response, puts } = await broken.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(validFlow()) }) });

      expect(puts).toBe(1);
      expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID });
      expect(response.Reason).toMatch(/simulated failure while loading the handler/);
      expect(h.emulator.flows()).toEqual([]);
    } finally {
      await broken.stop();
    }
  });

  test('is FAILED for an unknown request type', async () => {
    const { response } = await h.handler.invoke({ requestType: 'Upgrade' as any, props: propsFor({}), physicalId: '1234567890123456' });

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/unknown RequestType/);
  });

  test('never logs the flow content or the ResponseURL signature', async () => {
    const secret = 'SECRET-CONTENT-MARKER';
    const { logs } = await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: flowJson(validFlow(secret)) }) });
    const text = JSON.stringify(logs);

    expect(text).not.toContain(secret);
    expect(text).not.toContain('X-Amz-Signature');
    expect(text).not.toContain('local-signature');
    expect(logs.some((l) => l.event === 'done')).toBe(true);
  });
});
