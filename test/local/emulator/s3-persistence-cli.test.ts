/**
 * The S3 side of the emulator (through the real @aws-sdk/client-s3), state persistence across a
 * restart, and the command-line entry point.
 */
import {
  CreateWhatsAppFlowCommand,
  GetWhatsAppFlowCommand,
  GetWhatsAppFlowPreviewCommand,
  InvalidParametersException,
  ListWhatsAppFlowsCommand,
} from '@aws-sdk/client-socialmessaging';
import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { Readable } from 'stream';
import { FlowEmulator } from '../../../local/emulator';
import { parseCliArgs } from '../../../local/emulator/cli';
import { bytes, client, rejection, validFlow, WABA } from './support';

describe('S3 objects', () => {
  let emu: FlowEmulator;
  let s3: S3Client;
  const savedEndpoint = process.env.AWS_ENDPOINT_URL_S3;

  beforeAll(async () => {
    emu = await FlowEmulator.start();
    // as the handler does: endpoint from the environment; path style follows from the IP address
    process.env.AWS_ENDPOINT_URL_S3 = emu.endpoint;
    s3 = new S3Client({ region: 'us-east-1', maxAttempts: 1 });
  });
  afterAll(async () => {
    s3.destroy();
    await emu.close();
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_S3;
    else process.env.AWS_ENDPOINT_URL_S3 = savedEndpoint;
  });
  beforeEach(() => emu.reset());

  test('stores and serves a 10 MB object with its length and an MD5 ETag', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4096) body[i] = i % 251;
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;

    const put = await s3.send(new PutObjectCommand({ Bucket: 'assets', Key: 'flows/big one.json', Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'assets', Key: 'flows/big one.json' }));

    expect(put.ETag).toBe(etag);
    expect(got.ETag).toBe(etag);
    expect(got.ContentLength).toBe(body.length);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(emu.calls()).toEqual([
      { operation: 'S3.PutObject', input: { Bucket: 'assets', Key: 'flows/big one.json', Body: { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') } }, httpStatus: 200 },
      { operation: 'S3.GetObject', input: { Bucket: 'assets', Key: 'flows/big one.json' }, httpStatus: 200 },
    ]);
  });

  test('decodes a streamed upload sent with aws-chunked framing and a trailing checksum', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: Readable.from([Buffer.from('hello '), Buffer.from('world')]), ContentLength: 11 }));
    expect(emu.object('b', 'k')?.toString()).toBe('hello world');
  });

  test('serves objects put out of band with putObject', async () => {
    emu.putObject('cdk-assets', 'abc.json', '{"version":"7.3"}', 'application/json');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'cdk-assets', Key: 'abc.json' }));
    expect(got.ContentType).toBe('application/json');
    expect(await got.Body!.transformToString()).toBe('{"version":"7.3"}');
  });

  test('answers a missing key with NoSuchKey, and HeadObject with NotFound', async () => {
    const err = await rejection(s3.send(new GetObjectCommand({ Bucket: 'assets', Key: 'missing.json' })));
    expect(err).toBeInstanceOf(NoSuchKey);
    expect(err.$metadata.httpStatusCode).toBe(404);

    expect(await rejection(s3.send(new HeadObjectCommand({ Bucket: 'assets', Key: 'missing.json' })))).toBeInstanceOf(NotFound);
    expect(emu.calls().map((c) => [c.operation, c.httpStatus, c.errorType])).toEqual([
      ['S3.GetObject', 404, 'NoSuchKey'], ['S3.HeadObject', 404, 'NoSuchKey'],
    ]);
  });

  test('injects S3 faults as S3 XML errors, and does not count S3 calls against the flow rate limit', async () => {
    emu.setRateLimit(1, 1);
    try {
      emu.failNext('S3.GetObject', { errorType: 'AccessDenied', httpStatus: 403 });
      const err = await rejection(s3.send(new GetObjectCommand({ Bucket: 'a', Key: 'b' })));
      expect(err).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      for (let i = 0; i < 3; i++) await rejection(s3.send(new GetObjectCommand({ Bucket: 'a', Key: 'b' })));
      expect(emu.calls().map((c) => c.httpStatus)).toEqual([403, 404, 404, 404]);
    } finally {
      emu.setRateLimit(undefined);
    }
  });
});

describe('persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flow-emulator-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('keeps flows, names, previews, ids and S3 objects across a restart', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await FlowEmulator.start({ stateFile, idSeed: 'persist' });
    const c1 = client(first);
    const doc = bytes(validFlow());
    const published = (await c1.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'live', categories: ['SURVEY'], flowJson: doc, publish: true }))).flowId!;
    await c1.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'draft', categories: ['OTHER'] }));
    const { preview } = await c1.send(new GetWhatsAppFlowPreviewCommand({ id: WABA, flowId: published }));
    first.putObject('bucket', 'key', Buffer.from([0, 1, 2, 255]));

    // written after every change, not only on close
    const onDisk = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(onDisk.flows.find((f: { flowId: string }) => f.flowId === published).json).toBe(Buffer.from(doc).toString('base64'));
    const before = first.flows();
    c1.destroy();
    await first.close();
    expect(readdirSync(dir)).toEqual(['state.json']);

    const second = await FlowEmulator.start({ stateFile });
    const c2 = client(second);
    try {
      expect(second.flows()).toEqual(before);
      expect(second.object('bucket', 'key')).toEqual(Buffer.from([0, 1, 2, 255]));
      const got = await c2.send(new GetWhatsAppFlowCommand({ id: WABA, flowId: published }));
      expect(got).toMatchObject({ flowStatus: 'PUBLISHED', flowName: 'live', preview });
      expect(await rejection(c2.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'live', categories: ['OTHER'] })))).toBeInstanceOf(InvalidParametersException);
      const next = (await c2.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'third', categories: ['OTHER'] }))).flowId!;
      expect(before.map((f) => f.flowId)).not.toContain(next);
      expect((await c2.send(new ListWhatsAppFlowsCommand({ id: WABA }))).flows!.map((f) => f.flowName)).toEqual(['live', 'draft', 'third']);
    } finally {
      c2.destroy();
      await second.close();
    }
  });

  test('records out-of-band changes in the state file, creating its folder', async () => {
    const stateFile = join(dir, 'nested', 'state.json');
    const emu = await FlowEmulator.start({ stateFile });
    const { flowId } = emu.seedFlow({ wabaId: WABA, flowName: 'seeded', status: 'PUBLISHED', json: validFlow() });
    emu.setStatus(flowId, 'THROTTLED');
    await emu.close();

    const again = await FlowEmulator.start({ stateFile });
    expect(again.flow(flowId)).toMatchObject({ status: 'THROTTLED', flowName: 'seeded' });
    again.removeFlow(flowId);
    await again.close();
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).flows).toEqual([]);
  });

  test('fails to start with a clear message when the state file is not JSON', async () => {
    const stateFile = join(dir, 'state.json');
    writeFileSync(stateFile, '{ truncated');
    await expect(FlowEmulator.start({ stateFile })).rejects.toThrow(/state\.json is not valid JSON .*delete it to start empty/);
  });
});

describe('command line', () => {
  test('turns flags into emulator options', () => {
    expect(parseCliArgs([
      '--port', '4011', '--state', '.local/state.json', '--latency-ms', '20', '--rps', '10', '--burst', '3', '--id-seed', 'demo',
      '--known-waba', WABA, '--allowed-waba', WABA,
      '--set', 'publishInvalidOnCreate=fail', '--set', 'metadataUpdateUnpublishes=true', '--set', 'defaultPageSize=10',
    ])).toEqual({
      port: 4011, stateFile: '.local/state.json', latencyMs: 20, rateLimit: { requestsPerSecond: 10, burst: 3 }, idSeed: 'demo',
      knownWabas: [WABA], allowedWabas: [WABA],
      publishInvalidOnCreate: 'fail', metadataUpdateUnpublishes: true, defaultPageSize: 10,
    });
    expect(parseCliArgs([])).toEqual({ port: 4010 });
  });

  test.each([
    [['--port'], '--port needs a value'],
    [['--rps', 'fast'], '--rps needs a non-negative number'],
    [['--set', 'colour=blue'], '--set needs OPTION=VALUE'],
    [['--set', 'metadataUpdateUnpublishes=yes'], 'needs true or false'],
    [['--burst', '2'], '--burst needs --rps'],
    [['--verbose'], 'unknown argument "--verbose"'],
  ])('fails on %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  test('prints the endpoint, serves requests and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../../local/emulator/cli.ts'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const endpoint = await new Promise<string>((resolveLine, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolveLine(out.split('\n')[0]);
      });
      child.once('exit', () => reject(new Error(`cli exited before printing its endpoint: ${out}`)));
    });

    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
    const res = await fetch(`${endpoint}/v1/whatsapp/flow/list?id=${WABA}`);
    expect(await res.json()).toEqual({ flows: [] });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
