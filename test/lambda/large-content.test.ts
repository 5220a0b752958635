/**
 * Flows of every size the service accepts deploy: a 10 MB flow and the corpus's largest real
 * document go through their S3 asset, with the handler's memory kept to a few times the content.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FlowJson } from '../../lib';
import { MAX_FLOW_JSON_BYTES } from '../../lib/private/contract';
import { propsFor, validFlow, useHarness } from '../support/cfn';

const corpus = path.resolve(__dirname, '../../../shared/corpus/flows');
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

test('creates, updates and deletes a flow of 10 MB through its S3 asset, in a handler that stays within a few times the content', async () => {
  const v1 = documentOfSize(MAX_FLOW_JSON_BYTES - 1024, 'a');
  const v2 = documentOfSize(MAX_FLOW_JSON_BYTES - 1024, 'b');
  expect(v1.sizeBytes).toBeGreaterThan(10 * MB - 4096);
  expect(v1.sizeBytes).toBeLessThanOrEqual(MAX_FLOW_JSON_BYTES);
  const p1 = withAsset(v1, { publish: true });
  const p2 = withAsset(v2, { publish: true });

  await h.handler.fresh();
  // Warm the container on a small flow through S3, so that loading the S3 client is not counted.
  const small = withAsset(documentOfSize(2 * 4096, 's'));
  const warm = await h.handler.invoke({ requestType: 'Create', props: small });
  expect(warm.response.Status).toBe('SUCCESS');
  await h.handler.invoke({ requestType: 'Delete', props: small, physicalId: warm.response.PhysicalResourceId });

  const created = await h.handler.invoke({ requestType: 'Create', props: p1 });
  expect(created.response.Status).toBe('SUCCESS');
  const id = created.response.PhysicalResourceId;
  expect(h.emulator.flow(id)!.json!.equals(Buffer.from(v1.content))).toBe(true);
  expect(h.emulator.flow(id)!.status).toBe('PUBLISHED');

  const updated = await h.handler.invoke({ requestType: 'Update', props: p2, oldProps: p1, physicalId: id });
  expect(updated.response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(id)!.json!.equals(Buffer.from(v2.content))).toBe(true);

  // Each event's peak memory above the loaded handler's resident memory as the event arrived
  // (the runner collects the previous events' garbage first): about 4× the content, the bytes
  // plus the SDK's base64 JSON body, and no more when V8 is kept from collecting during the event
  // (a 4 GB initial heap: 4.1×). A further copy of the content, or parsing it, breaks the bound.
  for (const event of [created, updated]) {
    expect((event.maxRss - event.rssBefore) / v1.sizeBytes).toBeLessThan(6);
  }

  h.emulator.setStatus(id, 'DRAFT');
  const deleted = await h.handler.invoke({ requestType: 'Delete', props: p2, physicalId: id });
  expect(deleted.response.Status).toBe('SUCCESS');
  expect(h.emulator.flow(id)).toBeUndefined();
  for (const r of [created, updated, deleted]) {
    expect(JSON.stringify(r.logs).length).toBeLessThan(20_000);
  }
});

test('deploys the largest real document of the corpus (an endpoint flow) as a draft with Meta\'s findings', async () => {
  const file = fs
    .readdirSync(corpus)
    .map((f) => path.join(corpus, f))
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  const doc = FlowJson.fromFile(file);
  expect(doc.sizeBytes).toBeGreaterThan(MB);

  const { response } = await h.handler.invoke({ requestType: 'Create', props: withAsset(doc) });

  expect(response.Status).toBe('SUCCESS');
  const flow = h.emulator.flow(response.PhysicalResourceId)!;
  expect(flow.status).toBe('DRAFT');
  expect(flow.json!.toString('utf8')).toBe(doc.content);
  expect(response.Data!.ValidationErrors).not.toBe('');
});
