/**
 * Preview links for reviewers: fetched after a create or a content change, best effort.
 */
import { FlowEmulator } from '../../emulator';
import { FlowJson } from '../../lib';
import { Handler, propsFor, ResponseCapture, validFlow } from '../support/cfn';

let emulator: FlowEmulator;
let capture: ResponseCapture;
let handler: Handler;

beforeAll(async () => {
  emulator = await FlowEmulator.start({});
  capture = await ResponseCapture.start();
  handler = new Handler(capture, emulator.endpoint);
});

afterAll(async () => {
  await handler.stop();
  await emulator.close();
  await capture.close();
});

beforeEach(() => {
  emulator.reset();
  emulator.clearFaults();
});

const v1 = { flowJson: FlowJson.fromObject(validFlow('One')), preview: true };
const v2 = { flowJson: FlowJson.fromObject(validFlow('Two')), preview: true };

test('exposes a preview link and its expiry after a create', async () => {
  const { response } = await handler.invoke({ requestType: 'Create', props: propsFor(v1) });

  expect(response.Status).toBe('SUCCESS');
  expect(response.Data!.PreviewUrl).toMatch(/^https:\/\/business\.facebook\.com\/wa\/manage\/flows\/\d+\/preview\//);
  expect(Date.parse(response.Data!.PreviewExpiresAt)).toBeGreaterThan(Date.now());
  expect(emulator.operations()).toContain('GetWhatsAppFlowPreview');
});

test('refreshes the link after a content change and keeps it after other updates', async () => {
  const created = await handler.invoke({ requestType: 'Create', props: propsFor(v1) });
  const id = created.response.PhysicalResourceId;

  const changed = await handler.invoke({ requestType: 'Update', props: propsFor(v2), oldProps: propsFor(v1), physicalId: id });
  expect(changed.response.Data!.PreviewUrl).not.toBe(created.response.Data!.PreviewUrl);
  expect(emulator.calls('GetWhatsAppFlowPreview').at(-1)!.input.invalidate).toBe(true);

  emulator.clearCalls();
  const renamed = await handler.invoke({ requestType: 'Update', props: propsFor({ ...v2, flowName: 'renamed' }), oldProps: propsFor(v2), physicalId: id });
  expect(renamed.response.Data!.PreviewUrl).toBe(changed.response.Data!.PreviewUrl);
  expect(emulator.operations()).not.toContain('GetWhatsAppFlowPreview');
});

test('never fails a deploy over a preview: a warning and an empty attribute', async () => {
  emulator.failNext('GetWhatsAppFlowPreview', { errorType: 'AccessDeniedByMetaException', message: 'preview not available' });
  const { response, logs } = await handler.invoke({ requestType: 'Create', props: propsFor(v1) });

  expect(response.Status).toBe('SUCCESS');
  expect(response.Data!.PreviewUrl).toBe('');
  expect(logs.some((l) => l.level === 'WARN' && l.event === 'preview-failed')).toBe(true);
});

test('makes no preview call for a flow that does not ask for one', async () => {
  await handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: v1.flowJson }) });

  expect(emulator.operations()).not.toContain('GetWhatsAppFlowPreview');
});
