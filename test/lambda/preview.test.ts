/**
 * Preview links for reviewers: fetched after a create or a content change, best effort.
 */
import { FlowJson } from '../../lib';
import { propsFor, validFlow, useHarness } from '../support/cfn';

const h = useHarness();

const v1 = { flowJson: FlowJson.fromObject(validFlow('One')), preview: true };
const v2 = { flowJson: FlowJson.fromObject(validFlow('Two')), preview: true };

test('exposes a preview link and its expiry after a create', async () => {
  const { response } = await h.handler.invoke({ requestType: 'Create', props: propsFor(v1) });

  expect(response.Status).toBe('SUCCESS');
  expect(response.Data!.PreviewUrl).toMatch(/^https:\/\/business\.facebook\.com\/wa\/manage\/flows\/\d+\/preview\//);
  expect(Date.parse(response.Data!.PreviewExpiresAt)).toBeGreaterThan(Date.now());
  expect(h.emulator.operations()).toContain('GetWhatsAppFlowPreview');
});

test('refreshes the link after a content change and keeps it after other updates', async () => {
  const created = await h.handler.invoke({ requestType: 'Create', props: propsFor(v1) });
  const id = created.response.PhysicalResourceId;

  const changed = await h.handler.invoke({ requestType: 'Update', props: propsFor(v2), oldProps: propsFor(v1), physicalId: id });
  expect(changed.response.Data!.PreviewUrl).not.toBe(created.response.Data!.PreviewUrl);
  expect(h.emulator.calls('GetWhatsAppFlowPreview').at(-1)!.input.invalidate).toBe(true);

  h.emulator.clearCalls();
  const renamed = await h.handler.invoke({ requestType: 'Update', props: propsFor({ ...v2, flowName: 'renamed' }), oldProps: propsFor(v2), physicalId: id });
  expect(renamed.response.Data!.PreviewUrl).toBe(changed.response.Data!.PreviewUrl);
  expect(h.emulator.operations()).not.toContain('GetWhatsAppFlowPreview');
});

test('never fails a deploy over a preview: a warning and an empty attribute', async () => {
  h.emulator.failNext('GetWhatsAppFlowPreview', { errorType: 'AccessDeniedByMetaException', message: 'preview not available' });
  const { response, logs } = await h.handler.invoke({ requestType: 'Create', props: propsFor(v1) });

  expect(response.Status).toBe('SUCCESS');
  expect(response.Data!.PreviewUrl).toBe('');
  expect(logs.some((l) => l.level === 'WARN' && l.event === 'preview-failed')).toBe(true);
});

test('makes no preview call for a flow that does not ask for one', async () => {
  await h.handler.invoke({ requestType: 'Create', props: propsFor({ flowJson: v1.flowJson }) });

  expect(h.emulator.operations()).not.toContain('GetWhatsAppFlowPreview');
});
