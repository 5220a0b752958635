/**
 * Errors as the real SDK sees them: every declared exception class, model-constraint
 * ValidationExceptions, unknown operations, and the fault controls (failNext, rate limit,
 * latency, simulated IAM, known WABAs).
 */
import {
  AccessDeniedByMetaException,
  AccessDeniedException,
  CreateWhatsAppFlowCommand,
  DependencyException,
  GetWhatsAppFlowCommand,
  InternalServiceException,
  InvalidParametersException,
  ListWhatsAppFlowAssetsCommand,
  ListWhatsAppFlowsCommand,
  PublishWhatsAppFlowCommand,
  ResourceNotFoundException,
  SocialMessagingClient,
  SocialMessagingServiceException,
  ThrottledRequestException,
  UpdateWhatsAppFlowAssetsCommand,
  ValidationException,
} from '@aws-sdk/client-socialmessaging';
import { FlowEmulator } from '../../../local/emulator';
import { bytes, client, useEmulatorAndClient, OTHER_WABA, rejection, validFlow, WABA, WABA_ARN } from './support';

const t = useEmulatorAndClient();
beforeEach(() => {
  t.emu.setLatency(0);
  t.emu.setRateLimit(undefined);
  t.emu.setAllowedWabas(undefined);
  t.emu.setKnownWabas(undefined);
});

const get = (flowId: string, id = WABA) => t.sm.send(new GetWhatsAppFlowCommand({ id, flowId }));

describe('error types', () => {
  test.each<[string, new (...args: any[]) => Error, number, string]>([
    ['AccessDeniedByMetaException', AccessDeniedByMetaException, 403, 'client'],
    ['AccessDeniedException', AccessDeniedException, 403, 'client'],
    ['DependencyException', DependencyException, 502, 'server'],
    ['InternalServiceException', InternalServiceException, 500, 'server'],
    ['InvalidParametersException', InvalidParametersException, 400, 'client'],
    ['ResourceNotFoundException', ResourceNotFoundException, 404, 'client'],
    ['ThrottledRequestException', ThrottledRequestException, 429, 'client'],
    ['ValidationException', ValidationException, 400, 'client'],
  ])('delivers %s as its SDK exception class with its status and fault', async (name, cls, status, fault) => {
    t.emu.failNext('GetWhatsAppFlow', { errorType: name });

    const err = await rejection(get('1'));

    expect(err).toBeInstanceOf(cls);
    expect(err.name).toBe(name);
    expect(err.message).toBe(`Injected fault: ${name}`);
    expect(err.$metadata.httpStatusCode).toBe(status);
    expect(err.$fault).toBe(fault);
    expect(t.emu.calls()).toEqual([{ operation: 'GetWhatsAppFlow', input: { id: WABA, flowId: '1' }, httpStatus: status, errorType: name }]);
  });

  test('delivers an undeclared error type as a generic SocialMessagingServiceException of that name', async () => {
    t.emu.failNext('GetWhatsAppFlow', { errorType: 'LimitExceededException', message: 'too many' });
    const err = await rejection(get('1'));
    expect(err).toBeInstanceOf(SocialMessagingServiceException);
    expect(err).toMatchObject({ name: 'LimitExceededException', message: 'too many' });
  });

  test('answers 404 UnknownOperationException for an unknown path or method under /v1/whatsapp/', async () => {
    for (const [method, path] of [['POST', '/v1/whatsapp/flow'], ['GET', '/v1/whatsapp/flows'], ['PUT', '/v1/whatsapp/flow/create']]) {
      const res = await fetch(`${t.emu.endpoint}${path}`, { method });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
      expect(await res.json()).toEqual({ message: expect.stringContaining(path) });
    }
    expect(t.emu.operations()).toEqual(['UnknownOperation', 'UnknownOperation', 'UnknownOperation']);
  });

  test('answers 400 SerializationException for a body that is not a JSON object', async () => {
    const res = await fetch(`${t.emu.endpoint}/v1/whatsapp/flow/publish`, { method: 'POST', body: '[1]', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException');
  });
});

describe('model constraints', () => {
  const TOO_BIG = Buffer.alloc(10_485_761, 0x20);
  const create = (input: Record<string, unknown>) =>
    t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'n', categories: ['OTHER'], ...input } as any));

  test.each<[string, () => Promise<unknown>, string]>([
    ['a missing id', () => t.sm.send(new GetWhatsAppFlowCommand({ flowId: '1' } as any)), "Value null at 'id' failed to satisfy constraint: Member must not be null"],
    ['an id that is neither waba- nor a WABA ARN', () => get('1', 'account-1'), "at 'id' failed to satisfy constraint: Member must satisfy regular expression pattern"],
    ['a WABA ARN of another service', () => get('1', 'arn:aws:sns:us-east-1:123456789012:waba/abc'), "at 'id'"],
    ['an id of 116 characters', () => get('1', `waba-${'a'.repeat(111)}`), "at 'id' failed to satisfy constraint: Member must have length less than or equal to 115"],
    ['a non-numeric flowId', () => get('12a'), "Value '12a' at 'flowId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+"],
    ['a flowId of 101 digits', () => get('1'.repeat(101)), "at 'flowId' failed to satisfy constraint: Member must have length less than or equal to 100"],
    ['a non-numeric cloneFlowId', () => create({ cloneFlowId: 'abc' }), "at 'cloneFlowId'"],
    ['an empty flowName', () => create({ flowName: '' }), "at 'flowName' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    ['a flowName of 201 characters', () => create({ flowName: 'x'.repeat(201) }), "at 'flowName' failed to satisfy constraint: Member must have length less than or equal to 200"],
    ['no categories', () => create({ categories: [] }), "at 'categories' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    ['ten categories', () => create({ categories: [...Array(9).fill('OTHER'), 'SURVEY'] }), "at 'categories' failed to satisfy constraint: Member must have length less than or equal to 9"],
    ['an unknown category', () => create({ categories: ['MARKETING'] }), 'Member must satisfy enum value set'],
    ['a flowJson of 10,485,761 bytes', () => create({ flowJson: TOO_BIG }), "at 'flowJson' failed to satisfy constraint: Member must have length less than or equal to 10485760"],
    ['an empty flowJson', () => create({ flowJson: new Uint8Array(0) }), "at 'flowJson' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    ['a missing flowJson on an asset update', () => t.sm.send(new UpdateWhatsAppFlowAssetsCommand({ id: WABA, flowId: '1' } as any)), "Value null at 'flowJson'"],
    ['maxResults 0', () => t.sm.send(new ListWhatsAppFlowsCommand({ id: WABA, maxResults: 0 })), "at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ['maxResults 101', () => t.sm.send(new ListWhatsAppFlowAssetsCommand({ id: WABA, flowId: '1', maxResults: 101 })), "at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"],
  ])('fails with ValidationException for %s', async (_what, call, message) => {
    const err = await rejection(call());

    expect(err).toBeInstanceOf(ValidationException);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toContain(message);
    expect(t.emu.flows()).toEqual([]);
  });

  test('lists every violation of a call in one message', async () => {
    const err = await rejection(t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA } as any)));
    expect(err.message).toBe("2 validation errors detected: Value null at 'flowName' failed to satisfy constraint: Member must not be null; "
      + "Value null at 'categories' failed to satisfy constraint: Member must not be null");
  });

  test('accepts the boundary values: a 200-character name and all nine categories', async () => {
    const all = ['SIGN_UP', 'SIGN_IN', 'APPOINTMENT_BOOKING', 'LEAD_GENERATION', 'SHOPPING', 'CONTACT_US', 'CUSTOMER_SUPPORT', 'SURVEY', 'OTHER'];
    await create({ flowName: 'é'.repeat(200), categories: all });
    expect(t.emu.flows()[0]).toMatchObject({ flowName: 'é'.repeat(200), categories: all });
  });

  test('keeps duplicate categories by default and rejects them with duplicateCategories reject', async () => {
    await create({ categories: ['OTHER', 'OTHER'] });
    expect(t.emu.flows()[0].categories).toEqual(['OTHER', 'OTHER']);

    t.emu.configure({ duplicateCategories: 'reject' });
    expect(await rejection(create({ flowName: 'n2', categories: ['OTHER', 'OTHER'] }))).toBeInstanceOf(ValidationException);
  });
});

describe('fault injection', () => {
  test('fails only the next call of the named operation, then answers normally', async () => {
    const { flowId } = t.emu.seedFlow({ wabaId: WABA, flowName: 'f', json: validFlow() });
    t.emu.failNext('PublishWhatsAppFlow', { errorType: 'InvalidParametersException', message: 'nope' });

    await get(flowId);
    expect(await rejection(t.sm.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId })))).toMatchObject({ name: 'InvalidParametersException', message: 'nope' });
    expect(t.emu.flow(flowId)?.status).toBe('DRAFT');
    await t.sm.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId }));

    expect(t.emu.calls().map((c) => [c.operation, c.httpStatus])).toEqual([
      ['GetWhatsAppFlow', 200], ['PublishWhatsAppFlow', 400], ['PublishWhatsAppFlow', 200],
    ]);
  });

  test('fails `count` calls, which the SDK retries for a 5xx until one succeeds', async () => {
    const { flowId } = t.emu.seedFlow({ wabaId: WABA, flowName: 'f' });
    t.emu.failNext('GetWhatsAppFlow', { errorType: 'InternalServiceException', count: 2 });
    const retrying = client(t.emu, 3);
    try {
      const out = await retrying.send(new GetWhatsAppFlowCommand({ id: WABA, flowId }));
      expect(out.$metadata.attempts).toBe(3);
    } finally {
      retrying.destroy();
    }
    expect(t.emu.calls().map((c) => c.httpStatus)).toEqual([500, 500, 200]);
  });

  test('applies the operation before failing with afterEffect, an ambiguous failure', async () => {
    t.emu.failNext('CreateWhatsAppFlow', { errorType: 'InternalServiceException', afterEffect: true });

    const err = await rejection(t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'maybe', categories: ['OTHER'] })));

    expect(err).toBeInstanceOf(InternalServiceException);
    expect(t.emu.flows().map((f) => f.flowName)).toEqual(['maybe']);
  });

  test('matches any request with operation *', async () => {
    t.emu.failNext('*', { errorType: 'DependencyException' });
    expect(await rejection(t.sm.send(new ListWhatsAppFlowsCommand({ id: WABA })))).toBeInstanceOf(DependencyException);
  });

  test('drops the connection without an answer for a network fault', async () => {
    t.emu.failNext('CreateWhatsAppFlow', { errorType: 'network' });

    const err = await rejection(t.sm.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'lost', categories: ['OTHER'] })));

    expect(err).not.toBeInstanceOf(SocialMessagingServiceException);
    expect(err.message).toMatch(/socket hang up|ECONNRESET/);
    expect(t.emu.flows()).toEqual([]);
    expect(t.emu.calls()).toEqual([expect.objectContaining({ operation: 'CreateWhatsAppFlow', httpStatus: 0, errorType: 'network' })]);
  });

  test('holds the request past the client timeout for a timeout fault', async () => {
    t.emu.failNext('GetWhatsAppFlow', { errorType: 'timeout', hangMs: 3000 });
    const impatient = new SocialMessagingClient({
      endpoint: t.emu.endpoint, region: 'us-east-1', maxAttempts: 1, requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true },
    });
    try {
      // A TimeoutError is the client giving up: the emulator answered nothing within its 200 ms.
      const err = await rejection(impatient.send(new GetWhatsAppFlowCommand({ id: WABA, flowId: '1' })));
      expect(err.name).toBe('TimeoutError');
    } finally {
      impatient.destroy();
    }
    expect(t.emu.calls()[0]).toMatchObject({ httpStatus: 0, errorType: 'timeout' });
  });

  test('throttles flow operations beyond the rate limit with 429 ThrottledRequestException', async () => {
    // One token an hour on the emulator's clock: only advanceTime refills it, however slow the machine.
    t.emu.setRateLimit(1 / 3600, 2);

    const results = [];
    for (let i = 0; i < 3; i++) results.push(await t.sm.send(new ListWhatsAppFlowsCommand({ id: WABA })).then(() => 200, (e) => e));
    expect(results.slice(0, 2)).toEqual([200, 200]);
    expect(results[2]).toBeInstanceOf(ThrottledRequestException);
    expect(results[2].$metadata.httpStatusCode).toBe(429);

    t.emu.advanceTime(3600_000);
    await t.sm.send(new ListWhatsAppFlowsCommand({ id: WABA }));
    expect(t.emu.calls().map((c) => c.httpStatus)).toEqual([200, 200, 429, 200]);

    t.emu.setRateLimit(undefined);
    for (let i = 0; i < 5; i++) await t.sm.send(new ListWhatsAppFlowsCommand({ id: WABA }));
  });

  test('takes the rate limit from the start options', async () => {
    const limited = await FlowEmulator.start({ rateLimit: { requestsPerSecond: 1 / 3600 } });
    const c = client(limited);
    try {
      await c.send(new ListWhatsAppFlowsCommand({ id: WABA }));
      expect(await rejection(c.send(new ListWhatsAppFlowsCommand({ id: WABA })))).toBeInstanceOf(ThrottledRequestException);
    } finally {
      c.destroy();
      await limited.close();
    }
  });

  test('adds the configured latency to every answer', async () => {
    t.emu.setLatency(150);
    const started = Date.now();
    await t.sm.send(new ListWhatsAppFlowsCommand({ id: WABA }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  test('denies calls naming a WABA outside setAllowedWabas with 403 AccessDeniedException, whatever the id form', async () => {
    t.emu.setAllowedWabas([WABA_ARN]);

    await t.sm.send(new ListWhatsAppFlowsCommand({ id: WABA }));
    const err = await rejection(t.sm.send(new ListWhatsAppFlowsCommand({ id: OTHER_WABA })));

    expect(err).toBeInstanceOf(AccessDeniedException);
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.message).toContain('social-messaging:ListWhatsAppFlows');
  });

  test('answers ResourceNotFoundException for a WABA outside knownWabas', async () => {
    const known = await FlowEmulator.start({ knownWabas: [WABA] });
    const c = client(known);
    try {
      await c.send(new ListWhatsAppFlowsCommand({ id: WABA_ARN }));
      const err = await rejection(c.send(new CreateWhatsAppFlowCommand({ id: OTHER_WABA, flowName: 'x', categories: ['OTHER'], flowJson: bytes(validFlow()) })));
      expect(err).toBeInstanceOf(ResourceNotFoundException);
      expect(known.flows()).toEqual([]);
    } finally {
      c.destroy();
      await known.close();
    }
  });
});
