/**
 * The ten WhatsApp Flow operations of the emulator, driven through the real
 * @aws-sdk/client-socialmessaging over HTTP on 127.0.0.1 (no mocks).
 */
import {
  CreateWhatsAppFlowCommand,
  DeleteWhatsAppFlowCommand,
  DeprecateWhatsAppFlowCommand,
  GetWhatsAppFlowCommand,
  GetWhatsAppFlowPreviewCommand,
  InvalidParametersException,
  ListWhatsAppFlowAssetsCommand,
  ListWhatsAppFlowsCommand,
  paginateListWhatsAppFlows,
  PublishWhatsAppFlowCommand,
  ResourceNotFoundException,
  SocialMessagingClient,
  UpdateWhatsAppFlowAssetsCommand,
  UpdateWhatsAppFlowCommand,
  ValidationException,
} from '@aws-sdk/client-socialmessaging';
import { createHash } from 'crypto';
import { FlowEmulator } from '../../../local/emulator';
import { bytes, client, useEmulatorAndClient, OTHER_WABA, rejection, validFlow, WABA, WABA_ARN } from './support';

const t = useEmulatorAndClient({ idSeed: 'flow-operations' });

async function create(name: string, extra: Partial<ConstructorParameters<typeof CreateWhatsAppFlowCommand>[0]> = {}): Promise<string> {
  const out = await t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: name, categories: ['OTHER'], flowJson: bytes(validFlow()), ...extra }));
  return out.flowId!;
}

describe('CreateWhatsAppFlow', () => {
  test('creates a DRAFT flow with a 16-digit numeric id and no validation errors', async () => {
    const out = await t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'signup', categories: ['SIGN_UP', 'OTHER'], flowJson: bytes(validFlow()) }));

    expect(out.flowId).toMatch(/^[1-9][0-9]{15}$/);
    expect(out.validationErrors).toEqual([]);
    expect(t.emu.flow(out.flowId!)).toEqual({
      wabaId: WABA, flowId: out.flowId, flowName: 'signup', categories: ['SIGN_UP', 'OTHER'], status: 'DRAFT',
      json: Buffer.from(JSON.stringify(validFlow())), validationErrors: [],
    });
  });

  test('gives flows unique ids that do not look sequential, the same ones for the same idSeed', async () => {
    const idsOf = async (seed: string) => {
      const e = await FlowEmulator.start({ idSeed: seed });
      const c = client(e);
      const ids: string[] = [];
      for (const name of ['a', 'b', 'c']) ids.push((await c.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: name, categories: ['OTHER'] }))).flowId!);
      c.destroy();
      await e.close();
      return ids;
    };

    const ids = await idsOf('seed-1');

    expect(new Set(ids).size).toBe(3);
    expect(ids.every((id) => /^[1-9][0-9]{15}$/.test(id))).toBe(true);
    expect(Math.abs(Number(BigInt(ids[1]) - BigInt(ids[0])))).toBeGreaterThan(1000);
    expect(await idsOf('seed-1')).toEqual(ids);
    expect(await idsOf('seed-2')).not.toEqual(ids);
  });

  test('publishes in the same call when publish is true and the JSON is valid', async () => {
    const flowId = await create('now', { publish: true });
    expect(t.emu.flow(flowId)?.status).toBe('PUBLISHED');
  });

  test('saves a draft with its validation errors when publish is true and the JSON is invalid (default)', async () => {
    const out = await t.sm.send(new CreateWhatsAppFlowCommand({
      id: WABA, flowName: 'broken', categories: ['OTHER'], publish: true, flowJson: bytes({ ...validFlow(), version: '4.0' }),
    }));

    expect(out.validationErrors).toHaveLength(1);
    expect(JSON.parse(out.validationErrors![0])).toEqual({
      error: 'INVALID_PROPERTY_VALUE',
      error_type: 'FLOW_JSON_ERROR',
      message: expect.stringContaining("'version'"),
      pointers: [{ path: 'version' }],
    });
    expect(t.emu.flow(out.flowId!)).toMatchObject({ status: 'DRAFT', validationErrors: out.validationErrors });
  });

  test('fails and creates nothing when publish is true with invalid JSON and publishInvalidOnCreate is fail', async () => {
    t.emu.configure({ publishInvalidOnCreate: 'fail' });

    const err = await rejection(t.sm.send(new CreateWhatsAppFlowCommand({
      id: WABA, flowName: 'broken', categories: ['OTHER'], publish: true, flowJson: bytes({ version: '7.3', screens: [] }),
    })));

    expect(err).toBeInstanceOf(InvalidParametersException);
    expect(err.message).toContain('139002');
    expect(t.emu.flows()).toEqual([]);
  });

  test('creates a flow without JSON, which cannot be published', async () => {
    const out = await t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'empty', categories: ['OTHER'] }));
    expect(out.validationErrors).toEqual([]);
    expect(t.emu.flow(out.flowId!)?.json).toBeUndefined();

    const err = await rejection(t.sm.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId: out.flowId! })));
    expect(err).toBeInstanceOf(InvalidParametersException);
    expect(err.message).toMatch(/139002.*no Flow JSON/);
  });

  test('accepts a Flow JSON of exactly 10,485,760 bytes', async () => {
    const doc = JSON.stringify(validFlow());
    const big = Buffer.from(doc + ' '.repeat(10_485_760 - doc.length));

    const flowId = await create('big', { flowJson: big });

    expect(t.emu.flow(flowId)?.json?.length).toBe(10_485_760);
    expect(t.emu.calls('CreateWhatsAppFlow')[0].input.flowJson).toEqual({ bytes: 10_485_760, sha256: createHash('sha256').update(big).digest('hex') });
  });

  test('fails with "Flow name is not unique" when the name is taken in the WABA, by any status including DEPRECATED', async () => {
    const flowId = await create('taken', { publish: true });
    await t.sm.send(new DeprecateWhatsAppFlowCommand({ id: WABA, flowId }));

    const err = await rejection(create('taken'));

    expect(err).toBeInstanceOf(InvalidParametersException);
    expect(err.message).toContain('Flow name is not unique');
    expect(t.emu.flows()).toHaveLength(1);
  });

  test('answers the configured error type for a name conflict (nameConflictError)', async () => {
    t.emu.configure({ nameConflictError: 'ValidationException' });
    await create('taken');
    expect(await rejection(create('taken'))).toBeInstanceOf(ValidationException);
  });

  test('compares names exactly by default and ignoring case with nameComparison caseInsensitive', async () => {
    await create('Survey');
    await expect(create('survey')).resolves.toMatch(/^[0-9]+$/);
    t.emu.configure({ nameComparison: 'caseInsensitive' });
    expect(await rejection(create('SURVEY'))).toBeInstanceOf(InvalidParametersException);
  });

  test('accepts the same name in another WABA and again after the draft using it was deleted', async () => {
    const first = await create('shared');
    await t.sm.send(new CreateWhatsAppFlowCommand({ id: OTHER_WABA, flowName: 'shared', categories: ['OTHER'] }));
    await t.sm.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId: first }));

    await expect(create('shared')).resolves.toMatch(/^[0-9]+$/);
    expect(t.emu.flows().map((f) => [f.wabaId, f.flowName])).toEqual([[OTHER_WABA, 'shared'], [WABA, 'shared']]);
  });

  test('clones the source JSON into a new flow in the same WABA', async () => {
    const source = await create('source', { publish: true });
    const clone = await t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'copy', categories: ['SURVEY'], cloneFlowId: source }));

    expect(clone.flowId).not.toBe(source);
    expect(t.emu.flow(clone.flowId!)).toMatchObject({ status: 'DRAFT', categories: ['SURVEY'], json: t.emu.flow(source)!.json });
  });

  test('uses the supplied JSON over the cloned one by default, and the source JSON with cloneWithJson ignore', async () => {
    const source = await create('source');
    const mine = bytes(validFlow('7.1'));

    const overridden = await create('override', { cloneFlowId: source, flowJson: mine });
    t.emu.configure({ cloneWithJson: 'ignore' });
    const ignored = await create('ignore', { cloneFlowId: source, flowJson: mine });

    expect(t.emu.flow(overridden)?.json).toEqual(Buffer.from(mine));
    expect(t.emu.flow(ignored)?.json).toEqual(t.emu.flow(source)?.json);
  });

  test('fails with ResourceNotFoundException when the clone source does not exist in the same WABA', async () => {
    const elsewhere = (await t.sm.send(new CreateWhatsAppFlowCommand({ id: OTHER_WABA, flowName: 'x', categories: ['OTHER'] }))).flowId!;

    expect(await rejection(create('copy', { cloneFlowId: elsewhere }))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(create('copy', { cloneFlowId: '42' }))).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('validation errors of the Flow JSON', () => {
  const screen = (extra: Record<string, unknown> = {}) => ({ id: 'A', terminal: true, layout: { type: 'SingleColumnLayout', children: [] }, ...extra });
  test.each([
    ['is not JSON', '{"version": ', 'INVALID_JSON', undefined],
    ['is not an object', '[1, 2]', 'INVALID_PROPERTY_TYPE', ''],
    ['has no version', { screens: [screen()] }, 'MISSING_REQUIRED_PROPERTY', 'version'],
    ['has a numeric version', { version: 7.3, screens: [screen()] }, 'INVALID_PROPERTY_VALUE', 'version'],
    ['has an unsupported version', { version: '4.0', screens: [screen()] }, 'INVALID_PROPERTY_VALUE', 'version'],
    ['has no screens', { version: '7.3' }, 'MISSING_REQUIRED_PROPERTY', 'screens'],
    ['has an empty screens array', { version: '7.3', screens: [] }, 'INVALID_PROPERTY_VALUE', 'screens'],
    ['has a screen without id', { version: '7.3', screens: [screen({ id: undefined })] }, 'MISSING_REQUIRED_PROPERTY', 'screens[0].id'],
    ['has a screen with a numeric id', { version: '7.3', screens: [screen({ id: 1 })] }, 'INVALID_PROPERTY_TYPE', 'screens[0].id'],
    ['has a screen without layout', { version: '7.3', screens: [screen({ layout: undefined })] }, 'MISSING_REQUIRED_PROPERTY', 'screens[0].layout'],
    ['has no terminal screen', { version: '7.3', screens: [screen({ terminal: false })] }, 'INVALID_PROPERTY_VALUE', 'screens'],
    ['declares data_api_version', { version: '7.3', data_api_version: '3.0', screens: [screen()] }, 'INVALID_PROPERTY_VALUE', 'data_api_version'],
    ['uses a data_exchange action', {
      version: '7.3',
      screens: [screen({ layout: { type: 'SingleColumnLayout', children: [{ type: 'Footer', 'on-click-action': { name: 'data_exchange' } }] } })],
    }, 'INVALID_PROPERTY_VALUE', 'screens[0].layout.children[0].on-click-action.name'],
  ])('reports a document that %s', async (_what, doc, error, path) => {
    const out = await t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'v', categories: ['OTHER'], flowJson: bytes(doc) }));

    expect(out.validationErrors).toHaveLength(1);
    const parsed = JSON.parse(out.validationErrors![0]);
    expect(parsed).toMatchObject({ error, error_type: 'FLOW_JSON_ERROR', message: expect.any(String) });
    expect(parsed.pointers).toEqual(path === undefined ? [] : [{ path }]);
  });

  test.each(['5.1', '6.0', '6.1', '6.2', '6.3', '7.0', '7.1', '7.2', '7.3'])('accepts Flow JSON version %s', async (version) => {
    const out = await t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'v', categories: ['OTHER'], flowJson: bytes(validFlow(version)) }));
    expect(out.validationErrors).toEqual([]);
  });

  test('returns plain messages with validationErrorFormat text', async () => {
    t.emu.configure({ validationErrorFormat: 'text' });
    const out = await t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'v', categories: ['OTHER'], flowJson: bytes({ version: '7.3' }) }));
    expect(out.validationErrors).toEqual(["Missing required property 'screens'"]);
  });

  test('stores the errors on the flow, where they block publishing', async () => {
    const flowId = await create('bad', { flowJson: bytes({ version: '7.3', screens: [] }) });

    const err = await rejection(t.sm.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId })));
    expect(err).toBeInstanceOf(InvalidParametersException);
    expect(err.message).toMatch(/139002.*1 validation error/);

    const got = await t.sm.send(new GetWhatsAppFlowCommand({ id: WABA, flowId }));
    expect(got.validationErrors).toHaveLength(1);
    expect(t.emu.flow(flowId)?.status).toBe('DRAFT');
  });
});

describe('lifecycle rules', () => {
  test('publishes a DRAFT flow, and refuses to publish one that is already PUBLISHED', async () => {
    const flowId = await create('p');
    await t.sm.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId }));
    expect(t.emu.flow(flowId)?.status).toBe('PUBLISHED');

    const err = await rejection(t.sm.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId })));
    expect(err).toBeInstanceOf(InvalidParametersException);
    expect(err.message).toContain('139002');
  });

  test('deprecates a PUBLISHED flow and refuses DRAFT and DEPRECATED ones (Meta 139003)', async () => {
    const draft = await create('d');
    const published = await create('p', { publish: true });

    await t.sm.send(new DeprecateWhatsAppFlowCommand({ id: WABA, flowId: published }));
    expect(t.emu.flow(published)?.status).toBe('DEPRECATED');

    for (const flowId of [draft, published]) {
      const err = await rejection(t.sm.send(new DeprecateWhatsAppFlowCommand({ id: WABA, flowId })));
      expect(err).toBeInstanceOf(InvalidParametersException);
      expect(err.message).toContain('139003');
    }
  });

  test('answers success for deprecating a DEPRECATED flow with deprecateDeprecated succeed', async () => {
    t.emu.configure({ deprecateDeprecated: 'succeed' });
    const flowId = t.emu.seedFlow({ wabaId: WABA, flowName: 'old', status: 'DEPRECATED' }).flowId;
    await t.sm.send(new DeprecateWhatsAppFlowCommand({ id: WABA, flowId }));
    expect(t.emu.flow(flowId)?.status).toBe('DEPRECATED');
  });

  test('deprecates THROTTLED and BLOCKED flows by default, and refuses them with deprecateLocked refuse', async () => {
    const throttled = t.emu.seedFlow({ wabaId: WABA, flowName: 't', status: 'THROTTLED', json: validFlow() }).flowId;
    const blocked = t.emu.seedFlow({ wabaId: WABA, flowName: 'b', status: 'BLOCKED', json: validFlow() }).flowId;

    await t.sm.send(new DeprecateWhatsAppFlowCommand({ id: WABA, flowId: throttled }));
    expect(t.emu.flow(throttled)?.status).toBe('DEPRECATED');

    t.emu.configure({ deprecateLocked: 'refuse' });
    expect(await rejection(t.sm.send(new DeprecateWhatsAppFlowCommand({ id: WABA, flowId: blocked })))).toBeInstanceOf(InvalidParametersException);
    expect(t.emu.flow(blocked)?.status).toBe('BLOCKED');
  });

  test('deletes a DRAFT flow and refuses PUBLISHED and DEPRECATED ones (Meta 139004)', async () => {
    const draft = await create('d');
    const published = await create('p', { publish: true });
    const deprecated = t.emu.seedFlow({ wabaId: WABA, flowName: 'x', status: 'DEPRECATED' }).flowId;

    await t.sm.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId: draft }));
    expect(t.emu.flow(draft)).toBeUndefined();

    for (const flowId of [published, deprecated]) {
      const err = await rejection(t.sm.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId })));
      expect(err).toBeInstanceOf(InvalidParametersException);
      expect(err.message).toContain('139004');
    }
  });

  test('answers ResourceNotFoundException for deleting a flow that is already gone', async () => {
    const flowId = await create('d');
    await t.sm.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId }));
    expect(await rejection(t.sm.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId })))).toBeInstanceOf(ResourceNotFoundException);
  });

  test('an asset update keeps a DRAFT in DRAFT and returns a PUBLISHED flow to DRAFT', async () => {
    const draft = await create('d');
    const published = await create('p', { publish: true });

    for (const flowId of [draft, published]) {
      const out = await t.sm.send(new UpdateWhatsAppFlowAssetsCommand({ id: WABA, flowId, flowJson: bytes(validFlow('7.2')) }));
      expect(out.validationErrors).toEqual([]);
      expect(t.emu.flow(flowId)).toMatchObject({ status: 'DRAFT', json: Buffer.from(JSON.stringify(validFlow('7.2'))) });
    }
    await t.sm.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId: published }));
    expect(t.emu.flow(published)?.status).toBe('PUBLISHED');
  });

  test('an asset update returns the validation errors of the new JSON and stores them', async () => {
    const flowId = await create('d');
    const out = await t.sm.send(new UpdateWhatsAppFlowAssetsCommand({ id: WABA, flowId, flowJson: bytes({ version: '7.3', screens: [] }) }));
    expect(out.validationErrors).toHaveLength(1);
    expect(t.emu.flow(flowId)?.validationErrors).toEqual(out.validationErrors);
  });

  test.each(['DEPRECATED', 'BLOCKED', 'THROTTLED'])('refuses asset and metadata updates of a %s flow (Meta 139001)', async (status) => {
    const flowId = t.emu.seedFlow({ wabaId: WABA, flowName: 'locked', status, json: validFlow() }).flowId;

    for (const command of [
      new UpdateWhatsAppFlowAssetsCommand({ id: WABA, flowId, flowJson: bytes(validFlow('7.0')) }),
      new UpdateWhatsAppFlowCommand({ id: WABA, flowId, flowName: 'renamed' }),
    ]) {
      const err = await rejection(t.sm.send(command as any));
      expect(err).toBeInstanceOf(InvalidParametersException);
      expect(err.message).toContain('139001');
    }
    expect(t.emu.flow(flowId)).toMatchObject({ status, flowName: 'locked', json: Buffer.from(JSON.stringify(validFlow())) });
  });

  test('answers the configured stateErrorType for every lifecycle violation', async () => {
    t.emu.configure({ stateErrorType: 'ValidationException' });
    const published = await create('p', { publish: true });
    expect(await rejection(t.sm.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId: published })))).toBeInstanceOf(ValidationException);
  });

  test('updates name and categories of a DRAFT flow without touching its JSON', async () => {
    const flowId = await create('before');
    await t.sm.send(new UpdateWhatsAppFlowCommand({ id: WABA, flowId, flowName: 'after', categories: ['SURVEY', 'CONTACT_US'] }));
    expect(t.emu.flow(flowId)).toMatchObject({ flowName: 'after', categories: ['SURVEY', 'CONTACT_US'], status: 'DRAFT', json: Buffer.from(JSON.stringify(validFlow())) });
  });

  test('keeps a PUBLISHED flow published on a metadata update, and unpublishes it with metadataUpdateUnpublishes', async () => {
    const flowId = await create('p', { publish: true });
    await t.sm.send(new UpdateWhatsAppFlowCommand({ id: WABA, flowId, categories: ['SURVEY'] }));
    expect(t.emu.flow(flowId)?.status).toBe('PUBLISHED');

    t.emu.configure({ metadataUpdateUnpublishes: true });
    await t.sm.send(new UpdateWhatsAppFlowCommand({ id: WABA, flowId, categories: ['OTHER'] }));
    expect(t.emu.flow(flowId)?.status).toBe('DRAFT');
  });

  test('refuses a rename to a name another flow of the WABA uses, but accepts the flow\'s own name', async () => {
    await create('one');
    const two = await create('two');

    expect(await rejection(t.sm.send(new UpdateWhatsAppFlowCommand({ id: WABA, flowId: two, flowName: 'one' })))).toBeInstanceOf(InvalidParametersException);
    await t.sm.send(new UpdateWhatsAppFlowCommand({ id: WABA, flowId: two, flowName: 'two' }));
    expect(t.emu.flow(two)?.flowName).toBe('two');
  });
});

describe('reading flows', () => {
  test('GetWhatsAppFlow returns the flow, its JSON version and, once generated, its preview', async () => {
    const flowId = await create('g', { categories: ['SHOPPING'] });

    const before = await t.sm.send(new GetWhatsAppFlowCommand({ id: WABA, flowId }));
    expect(before).toMatchObject({ flowId, flowName: 'g', flowStatus: 'DRAFT', categories: ['SHOPPING'], validationErrors: [], jsonVersion: '7.3' });
    expect(before.preview).toBeUndefined();

    const { preview } = await t.sm.send(new GetWhatsAppFlowPreviewCommand({ id: WABA, flowId }));
    const after = await t.sm.send(new GetWhatsAppFlowCommand({ id: WABA, flowId }));
    expect(after.preview).toEqual(preview);
  });

  test('GetWhatsAppFlow returns the endpoint members of a flow created outside AWS', async () => {
    const { flowId } = t.emu.seedFlow({ wabaId: WABA, flowName: 'ext', endpointUri: 'https://example.com/flow', dataApiVersion: '3.0' });
    const got = await t.sm.send(new GetWhatsAppFlowCommand({ id: WABA, flowId }));
    expect(got).toMatchObject({ endpointUri: 'https://example.com/flow', dataApiVersion: '3.0' });
  });

  test('does not find a flow through another WABA, in Get or in List', async () => {
    const flowId = await create('mine');

    expect(await rejection(t.sm.send(new GetWhatsAppFlowCommand({ id: OTHER_WABA, flowId })))).toBeInstanceOf(ResourceNotFoundException);
    expect((await t.sm.send(new ListWhatsAppFlowsCommand({ id: OTHER_WABA }))).flows).toEqual([]);
  });

  test('treats the waba- id and the WABA ARN as the same account', async () => {
    const out = await t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA_ARN, flowName: 'arn', categories: ['OTHER'] }));

    const got = await t.sm.send(new GetWhatsAppFlowCommand({ id: WABA, flowId: out.flowId! }));
    expect(got.flowName).toBe('arn');
    expect(t.emu.flows(WABA_ARN).map((f) => f.wabaId)).toEqual([WABA]);
    expect(await rejection(t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'arn', categories: ['OTHER'] })))).toBeInstanceOf(InvalidParametersException);
  });

  test('keeps the same preview link until invalidate is true, each valid for 30 days', async () => {
    const flowId = await create('pv');
    const t0 = Date.now();

    const first = await t.sm.send(new GetWhatsAppFlowPreviewCommand({ id: WABA, flowId }));
    const second = await t.sm.send(new GetWhatsAppFlowPreviewCommand({ id: WABA, flowId, invalidate: false }));
    const fresh = await t.sm.send(new GetWhatsAppFlowPreviewCommand({ id: WABA, flowId, invalidate: true }));

    expect(first.flowId).toBe(flowId);
    expect(first.preview?.previewUrl).toMatch(new RegExp(`^https://business\\.facebook\\.com/wa/manage/flows/${flowId}/preview/\\?token=[0-9a-f-]{36}$`));
    expect(second.preview).toEqual(first.preview);
    expect(fresh.preview?.previewUrl).not.toBe(first.preview?.previewUrl);
    const days = (Date.parse(first.preview!.expiresAt!) - t0) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThan(30.01);
    expect(t.emu.flow(flowId)?.previewUrl).toBe(fresh.preview?.previewUrl);
  });

  test('lists flow summaries page by page in creation order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await create(`f${i}`, i === 0 ? { publish: true } : {}));

    const pages: string[][] = [];
    for await (const page of paginateListWhatsAppFlows({ client: t.sm, pageSize: 3 }, { id: WABA })) {
      pages.push(page.flows!.map((f) => f.flowId!));
    }

    expect(pages).toEqual([ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
    const first = await t.sm.send(new ListWhatsAppFlowsCommand({ id: WABA, maxResults: 1 }));
    expect(first.flows).toEqual([{ flowId: ids[0], flowName: 'f0', flowStatus: 'PUBLISHED', flowCategories: ['OTHER'], validationErrors: [] }]);
    expect(first.nextToken).toEqual(expect.any(String));
  });

  test('uses defaultPageSize when maxResults is omitted', async () => {
    t.emu.configure({ defaultPageSize: 2 });
    for (let i = 0; i < 3; i++) await create(`f${i}`);
    const page = await t.sm.send(new ListWhatsAppFlowsCommand({ id: WABA }));
    expect(page.flows).toHaveLength(2);
    expect(page.nextToken).toBeDefined();
  });

  test('fails with ValidationException for a nextToken it did not issue for this WABA', async () => {
    for (let i = 0; i < 2; i++) await create(`f${i}`);
    const { nextToken } = await t.sm.send(new ListWhatsAppFlowsCommand({ id: WABA, maxResults: 1 }));

    expect(await rejection(t.sm.send(new ListWhatsAppFlowsCommand({ id: OTHER_WABA, nextToken })))).toBeInstanceOf(ValidationException);
    expect(await rejection(t.sm.send(new ListWhatsAppFlowsCommand({ id: WABA, nextToken: 'garbage' })))).toBeInstanceOf(ValidationException);
  });

  test('lists the flow.json asset with a download URL that serves the JSON bytes', async () => {
    const doc = bytes(validFlow('6.3'));
    const flowId = await create('assets', { flowJson: doc });

    const out = await t.sm.send(new ListWhatsAppFlowAssetsCommand({ id: WABA, flowId }));

    expect(out.flowAssets).toEqual([{ name: 'flow.json', assetType: 'FLOW_JSON', downloadUrl: expect.stringMatching(new RegExp(`^${t.emu.endpoint}/_download/[A-Za-z0-9_-]+$`)) }]);
    expect(out.nextToken).toBeUndefined();
    const res = await fetch(out.flowAssets![0].downloadUrl!);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from(doc));
  });

  test('lists no asset for a flow without JSON', async () => {
    const out = await t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'none', categories: ['OTHER'] }));
    expect((await t.sm.send(new ListWhatsAppFlowAssetsCommand({ id: WABA, flowId: out.flowId! }))).flowAssets).toEqual([]);
  });

  test('answers 403 for a download URL after downloadUrlTtlMs', async () => {
    const flowId = await create('ttl');
    const { flowAssets } = await t.sm.send(new ListWhatsAppFlowAssetsCommand({ id: WABA, flowId }));

    t.emu.advanceTime(5 * 60 * 1000);

    expect((await fetch(flowAssets![0].downloadUrl!)).status).toBe(403);
    expect((await fetch(`${t.emu.endpoint}/_download/unknown`)).status).toBe(404);
  });

  test('fails with ResourceNotFoundException for the assets of an unknown flow', async () => {
    expect(await rejection(t.sm.send(new ListWhatsAppFlowAssetsCommand({ id: WABA, flowId: '123' })))).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('call log', () => {
  test('records every request in order with its parsed input, flowJson as size and digest', async () => {
    const doc = bytes(validFlow());
    t.emu.seedFlow({ wabaId: WABA, flowName: 'seeded' });

    const flowId = await create('logged', { flowJson: doc, publish: true });
    await t.sm.send(new GetWhatsAppFlowCommand({ id: WABA_ARN, flowId }));
    await rejection(t.sm.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId })));
    await t.sm.send(new ListWhatsAppFlowsCommand({ id: WABA, maxResults: 10 }));

    expect(t.emu.operations()).toEqual(['CreateWhatsAppFlow', 'GetWhatsAppFlow', 'DeleteWhatsAppFlow', 'ListWhatsAppFlows']);
    expect(t.emu.calls()).toEqual([
      {
        operation: 'CreateWhatsAppFlow',
        input: { id: WABA, flowName: 'logged', categories: ['OTHER'], flowJson: { bytes: doc.length, sha256: createHash('sha256').update(doc).digest('hex') }, publish: true },
        httpStatus: 200,
      },
      { operation: 'GetWhatsAppFlow', input: { id: WABA_ARN, flowId }, httpStatus: 200 },
      { operation: 'DeleteWhatsAppFlow', input: { id: WABA, flowId }, httpStatus: 400, errorType: 'InvalidParametersException' },
      { operation: 'ListWhatsAppFlows', input: { id: WABA, maxResults: 10 }, httpStatus: 200 },
    ]);
    expect(t.emu.calls('GetWhatsAppFlow')).toHaveLength(1);

    t.emu.clearCalls();
    expect(t.emu.operations()).toEqual([]);
  });

  test('the SDK honours AWS_ENDPOINT_URL_SOCIALMESSAGING, as the handler uses it', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_SOCIALMESSAGING;
    process.env.AWS_ENDPOINT_URL_SOCIALMESSAGING = t.emu.endpoint;
    const fromEnv = new SocialMessagingClient({ region: 'us-east-1', maxAttempts: 1 });
    try {
      await fromEnv.send(new ListWhatsAppFlowsCommand({ id: WABA }));
      expect(t.emu.operations()).toEqual(['ListWhatsAppFlows']);
    } finally {
      fromEnv.destroy();
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SOCIALMESSAGING;
      else process.env.AWS_ENDPOINT_URL_SOCIALMESSAGING = saved;
    }
  });
});
