/**
 * Flows of every size the service accepts deploy: a 10 MB flow and a real-looking document of
 * more than 1 MB with base64 images go through their S3 asset, each read from S3 once per event.
 * (How much memory the handler needs for them is a measurement: `npm run bench` prints it.)
 */
import * as fs from 'fs';
import { FlowJson } from '../../lib';
import { MAX_FLOW_JSON_BYTES } from '../../lib/shared/contract';
import { propsFor, validFlow, useHarness } from '../support/cfn';
import { corpusFile, corpusFileNames, corpusTest, largeImageFlow } from '../support/documents';

const MB = 1024 * 1024;

const h = useHarness();

/** A valid, publishable document of about `bytes` bytes (the bulk in a declared data example). */
function documentOfSize(bytes: number, marker: string): FlowJson {
  const base = validFlow(marker);
  const overhead = JSON.stringify(base, undefined, 2).length + 200;
  const screen = (base.screens as any[])[0];
  const doc = { ...base, screens: [{ ...screen, data: { blob: { type: 'string', __example__: marker[0].repeat(bytes - overhead) } } }] };
  return FlowJson.fromObject(doc);
}

function withAsset(doc: FlowJson, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const props = propsFor({ flowJson: doc, ...extra });
  h.emulator.putObject(String(props.ContentS3Bucket), String(props.ContentS3Key), doc.content);
  return props;
}

/** The S3 reads the handler made since the last call. */
function s3Reads(): number {
  const n = h.emulator.calls('S3.GetObject').length;
  h.emulator.clearCalls();
  return n;
}

test('creates, updates and deletes a flow of 10 MB through its S3 asset, reading the object once per event', async () => {
  const v1 = documentOfSize(MAX_FLOW_JSON_BYTES - 1024, 'a');
  const v2 = documentOfSize(MAX_FLOW_JSON_BYTES - 1024, 'b');
  expect(v1.sizeBytes).toBeGreaterThan(10 * MB - 4096);
  expect(v1.sizeBytes).toBeLessThanOrEqual(MAX_FLOW_JSON_BYTES);
  const p1 = withAsset(v1, { publish: true });
  const p2 = withAsset(v2, { publish: true });
  h.emulator.clearCalls();

  const created = await h.handler.invoke({ requestType: 'Create', props: p1 });
  expect(created.response.Status).toBe('SUCCESS');
  expect(s3Reads()).toBe(1);
  const id = created.response.PhysicalResourceId;
  expect(h.emulator.flow(id)!.json!.equals(Buffer.from(v1.content))).toBe(true);
  expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');

  const updated = await h.handler.invoke({ requestType: 'Update', props: p2, oldProps: p1, physicalId: id });
  expect(updated.response.Status).toBe('SUCCESS');
  expect(s3Reads()).toBe(1);
  expect(h.emulator.flow(id)!.json!.equals(Buffer.from(v2.content))).toBe(true);

  h.emulator.setStatus(id, 'DRAFT');
  const deleted = await h.handler.invoke({ requestType: 'Delete', props: p2, physicalId: id });
  expect(deleted.response.Status).toBe('SUCCESS');
  expect(s3Reads()).toBe(0);
  expect(h.emulator.flow(id)).toBeUndefined();
  for (const r of [created, updated, deleted]) {
    expect(JSON.stringify(r.logs).length).toBeLessThan(20_000);
  }
});

/** Deploys a large endpoint flow as a draft: it is stored as written, with Meta's findings. */
async function expectDraftWithFindings(doc: FlowJson): Promise<void> {
  expect(doc.sizeBytes).toBeGreaterThan(MB);
  const { response } = await h.handler.invoke({ requestType: 'Create', props: withAsset(doc) });

  expect(response.Status).toBe('SUCCESS');
  const flow = h.emulator.flow(response.PhysicalResourceId)!;
  expect(flow.status).toBe('DRAFT');
  expect(flow.json!.toString('utf8')).toBe(doc.content);
  expect(response.Data!.ValidationErrors).not.toBe('');
}

test('deploys a generated endpoint flow of more than 1 MB of base64 images as a draft with Meta\'s findings', async () => {
  await expectDraftWithFindings(FlowJson.fromString(largeImageFlow()));
});

corpusTest('deploys the largest document of the third-party corpus (an endpoint flow) as a draft with Meta\'s findings', async () => {
  const file = corpusFileNames().map(corpusFile).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  await expectDraftWithFindings(FlowJson.fromFile(file));
});
