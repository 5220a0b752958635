/**
 * A local emulator of the ten WhatsApp Flow operations of AWS End User Messaging Social
 * (restJson1, as @aws-sdk/client-socialmessaging speaks it) plus S3 GetObject/PutObject, on one
 * HTTP server bound to 127.0.0.1. See local/emulator/README.md.
 *
 *   const emu = await FlowEmulator.start();
 *   process.env.AWS_ENDPOINT_URL_SOCIALMESSAGING = emu.endpoint;
 *   process.env.AWS_ENDPOINT_URL_S3 = emu.endpoint;
 *   …
 *   expect(emu.operations()).toEqual(['GetWhatsAppFlow', 'PublishWhatsAppFlow']);
 *   await emu.close();
 */
import { randomUUID } from 'crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import type { AddressInfo, Socket } from 'net';
import { DEFAULT_BEHAVIOUR, FlowOperations, ResolvedBehaviour } from './flow-operations';
import { digest, findOperation, normalizeWabaId, readMembers, ServiceError, statusOf, validationError } from './model';
import { arnParts, Caller, callerOf, IamGrant, IdentityPolicies, IdentityPolicyOptions } from './iam';
import { decodeAwsChunked, isAwsChunked, parseObjectPath, sendS3Error } from './s3';
import { FlowChange, Store, StoredFlow } from './store';
import type {
  BehaviourOptions, CallRecord, EmulatedOperation, FaultSpec, FlowEmulatorOptions, FlowRecord, FlowStatus, SeedFlowInput,
} from './types';

export * from './types';
export type { Caller, IamGrant, IdentityPolicyOptions } from './iam';
export type { FlowChange } from './store';
export { SUPPORTED_FLOW_JSON_VERSIONS, checkFlowJson } from './flow-json-check';
export { DEFAULT_BEHAVIOUR, PREVIEW_TTL_MS } from './flow-operations';
export { FLOW_CATEGORY_VALUES, MAX_FLOW_JSON_BYTES, normalizeWabaId } from './model';

/** Largest request body read for the flow API (a 10 MiB blob is ~14 MB of base64). */
const MAX_FLOW_BODY = 32 * 1024 * 1024;
/** Largest S3 object accepted. */
const MAX_S3_BODY = 256 * 1024 * 1024;

/** A token bucket on the emulator's clock (so advanceTime() refills it too). */
class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(private readonly rps: number, private readonly burst: number, private readonly clock: () => number) {
    this.tokens = burst;
    this.last = clock();
  }
  take(): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rps);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

interface QueuedFault {
  readonly operation: EmulatedOperation | '*';
  remaining: number;
  readonly spec: FaultSpec;
}

type ErrorStyle = 'json' | 's3' | 'plain';

function toRecord(f: StoredFlow): FlowRecord {
  return {
    wabaId: f.wabaId,
    flowId: f.flowId,
    flowName: f.flowName,
    categories: [...f.categories],
    status: f.status,
    ...(f.json !== undefined ? { json: Buffer.from(f.json) } : {}),
    validationErrors: [...f.validationErrors],
    ...(f.preview ? { previewUrl: f.preview.url, previewExpiresAt: f.preview.expiresAt } : {}),
    ...(f.endpointUri !== undefined ? { endpointUri: f.endpointUri } : {}),
    ...(f.dataApiVersion !== undefined ? { dataApiVersion: f.dataApiVersion } : {}),
  };
}

function normalizeOrThrow(id: string): string {
  const w = normalizeWabaId(id);
  if (w === undefined) throw new Error(`not a WABA id or ARN: ${JSON.stringify(id)}; use waba-<id> or arn:aws:social-messaging:<region>:<account>:waba/<id>`);
  return w;
}

export class FlowEmulator {
  /** Default value of every behaviour option. */
  static readonly defaults: ResolvedBehaviour = DEFAULT_BEHAVIOUR;

  /** Starts an emulator on 127.0.0.1 and resolves once it listens. */
  static async start(options: FlowEmulatorOptions = {}): Promise<FlowEmulator> {
    const emulator = new FlowEmulator(options);
    await emulator.listen(options.port ?? 0);
    return emulator;
  }

  /** `http://127.0.0.1:<port>`: use as AWS_ENDPOINT_URL_SOCIALMESSAGING and AWS_ENDPOINT_URL_S3. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The TCP port listened on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly waits = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  private readonly store: Store;
  private readonly flowOperations: FlowOperations;
  private readonly stateFile?: string;
  private behaviour: ResolvedBehaviour;
  private log: CallRecord[] = [];
  private faults: QueuedFault[] = [];
  private latencyMs: number;
  private bucket?: TokenBucket;
  private allowedWabas?: Set<string>;
  private readonly identities = new IdentityPolicies();
  private readonly partition: string;
  private readonly region: string;
  private readonly accountId: string;
  private knownWabas?: Set<string>;
  private clockOffsetMs = 0;
  private closing = false;

  private constructor(options: FlowEmulatorOptions) {
    this.stateFile = options.stateFile;
    this.partition = options.partition ?? 'aws';
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.behaviour = { ...DEFAULT_BEHAVIOUR };
    this.configure(options);
    this.latencyMs = options.latencyMs ?? 0;
    if (options.rateLimit) this.setRateLimit(options.rateLimit.requestsPerSecond, options.rateLimit.burst);
    this.setAllowedWabas(options.allowedWabas);
    this.setKnownWabas(options.knownWabas);
    this.store = Store.load(options.stateFile, options.idSeed === undefined ? undefined : String(options.idSeed));
    this.flowOperations = new FlowOperations(this.store, () => this.behaviour, () => this.now(), () => this.endpoint);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          this.sendJsonError(res, 500, 'InternalServiceException', `emulator bug: ${(e as Error).message}`);
        } else {
          res.destroy();
        }
      });
    });
    // longer than any client's idle keep-alive, so a reused socket is never closed under a request;
    // close() destroys every socket anyway
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops listening and drops every connection (keep-alive ones too) and pending delay. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const w of this.waits) {
      clearTimeout(w.timer);
      w.done();
    }
    this.waits.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
    this.persist();
  }

  // ---------------------------------------------------------------- behaviour and environment

  /** Changes behaviour options (see {@link BehaviourOptions}); unspecified ones keep their value. */
  configure(options: BehaviourOptions): void {
    const next: Record<string, unknown> = { ...this.behaviour };
    for (const key of Object.keys(DEFAULT_BEHAVIOUR)) {
      const value = (options as Record<string, unknown>)[key];
      if (value !== undefined) next[key] = value;
    }
    this.behaviour = next as ResolvedBehaviour;
  }

  /** The behaviour options in force. */
  get options(): ResolvedBehaviour {
    return { ...this.behaviour };
  }

  /** Delay added before every answer. */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Token bucket over the flow operations (burst defaults to max(1, rps)); undefined removes it. */
  setRateLimit(requestsPerSecond: number | undefined, burst?: number): void {
    this.bucket = requestsPerSecond === undefined ? undefined
      : new TokenBucket(requestsPerSecond, burst ?? Math.max(1, requestsPerSecond), () => this.now());
  }

  /**
   * Simulated IAM for every caller, whatever its key: calls naming any other WABA get 403
   * AccessDeniedException. Undefined allows all. Applies on top of {@link setIdentityPolicy}.
   */
  setAllowedWabas(ids: readonly string[] | undefined): void {
    this.allowedWabas = ids === undefined ? undefined : new Set(ids.map(normalizeOrThrow));
  }

  /**
   * Simulated IAM per caller: the identity policy of the access key id that signs the requests
   * (SigV4, S3 included). A call by a key with a policy is allowed only when one of its statements
   * allows `social-messaging:<Operation>` on the WABA's ARN (built from the call's `id` when it is
   * not an ARN: the principal's partition and account, the signature's Region), or
   * `s3:GetObject` / `s3:PutObject` on `arn:<partition>:s3:::<bucket>/<key>`; otherwise 403
   * (AccessDeniedException, S3 AccessDenied). Undefined removes the key's policy: unrestricted.
   */
  setIdentityPolicy(accessKeyId: string, grants: readonly IamGrant[] | undefined, options: IdentityPolicyOptions = {}): void {
    this.identities.set(accessKeyId, grants, options, this.now());
  }

  /** The statements of a key's identity policy (one action and resource each), or undefined when it has none. */
  identityPolicy(accessKeyId: string): IamGrant[] | undefined {
    return this.identities.get(accessKeyId);
  }

  /** The only WABAs that exist; others get ResourceNotFoundException. Undefined accepts all. */
  setKnownWabas(ids: readonly string[] | undefined): void {
    this.knownWabas = ids === undefined ? undefined : new Set(ids.map(normalizeOrThrow));
  }

  /** Moves the emulator's clock (preview and download link expiry, the rate limit's refill) forward. */
  advanceTime(ms: number): void {
    this.clockOffsetMs += ms;
  }

  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  // ---------------------------------------------------------------- faults

  /**
   * The next `count` calls of `operation` ('*' = any request) fail with `errorType`. Faults are
   * consumed in the order they were queued. Throttled calls (rate limit) do not consume one.
   */
  failNext(operation: EmulatedOperation | '*', fault: FaultSpec): void {
    this.faults.push({ operation, remaining: fault.count ?? 1, spec: fault });
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.faults = [];
  }

  private takeFault(operation: EmulatedOperation): FaultSpec | undefined {
    const i = this.faults.findIndex((f) => f.operation === operation || f.operation === '*');
    if (i < 0) return undefined;
    const f = this.faults[i];
    if (--f.remaining <= 0) this.faults.splice(i, 1);
    return f.spec;
  }

  // ---------------------------------------------------------------- call log

  /** Every request so far, in arrival order (copies), optionally only one operation's. */
  calls(operation?: EmulatedOperation): CallRecord[] {
    return this.log.filter((c) => operation === undefined || c.operation === operation).map((c) => ({ ...c }));
  }

  /** The operation names of the call log, in order: easy to assert exactly. */
  operations(): EmulatedOperation[] {
    return this.log.map((c) => c.operation);
  }

  clearCalls(): void {
    this.log = [];
  }

  private record(operation: EmulatedOperation, input: Record<string, unknown>): CallRecord {
    const call: CallRecord = { operation, input, httpStatus: 0 };
    this.log.push(call);
    return call;
  }

  // ---------------------------------------------------------------- state

  /** Flows (copies), optionally of one WABA (either id form), in creation order. */
  flows(wabaId?: string): FlowRecord[] {
    const w = wabaId === undefined ? undefined : normalizeOrThrow(wabaId);
    return [...this.store.flows.values()]
      .filter((f) => w === undefined || f.wabaId === w)
      .sort((a, b) => a.seq - b.seq)
      .map(toRecord);
  }

  /** One flow (a copy), or undefined. */
  flow(flowId: string): FlowRecord | undefined {
    const f = this.store.flows.get(flowId);
    return f && toRecord(f);
  }

  /** WABAs that exist (normalized), in first-use order. */
  wabas(): string[] {
    return [...this.store.wabas];
  }

  /**
   * Creates a flow out of band (console, Meta): not logged, no name check, any status.
   * Validation errors are computed from `json` unless given.
   */
  seedFlow(input: SeedFlowInput): FlowRecord {
    const wabaId = normalizeOrThrow(input.wabaId);
    if (input.flowId !== undefined && (!/^[0-9]{1,100}$/.test(input.flowId) || this.store.flows.has(input.flowId))) {
      throw new Error(`seedFlow: flowId ${JSON.stringify(input.flowId)} must be digits and not used yet`);
    }
    const json = input.json === undefined ? undefined
      : Buffer.isBuffer(input.json) ? Buffer.from(input.json)
        : typeof input.json === 'string' ? Buffer.from(input.json, 'utf8')
          : Buffer.from(JSON.stringify(input.json), 'utf8');
    const checked = this.flowOperations.check(json);
    const flow: StoredFlow = {
      seq: this.store.nextSeq(),
      wabaId,
      flowId: input.flowId ?? this.store.nextFlowId(),
      flowName: input.flowName,
      categories: [...(input.categories ?? ['OTHER'])],
      status: input.status ?? 'DRAFT',
      ...(json !== undefined ? { json } : {}),
      ...(checked.jsonVersion !== undefined ? { jsonVersion: checked.jsonVersion } : {}),
      validationErrors: input.validationErrors ? [...input.validationErrors] : checked.validationErrors,
      ...(input.endpointUri !== undefined ? { endpointUri: input.endpointUri } : {}),
      ...(input.dataApiVersion !== undefined ? { dataApiVersion: input.dataApiVersion } : {}),
    };
    this.store.addWaba(wabaId);
    this.store.putFlow(flow);
    this.persist();
    return toRecord(flow);
  }

  /** Sets a flow's status out of band (Meta throttling/blocking, console actions). */
  setStatus(flowId: string, status: FlowStatus): void {
    const f = this.store.flows.get(flowId);
    if (!f) throw new Error(`setStatus: no flow ${flowId}`);
    f.status = status;
    this.store.putFlow(f);
    this.persist();
  }

  /** Removes a flow out of band; false if there was none. */
  removeFlow(flowId: string): boolean {
    const removed = this.store.deleteFlow(flowId);
    this.persist();
    return removed;
  }

  /** Stores an S3 object out of band. */
  putObject(bucket: string, key: string, body: Buffer | string, contentType?: string): void {
    this.store.putObject(bucket, key, Buffer.isBuffer(body) ? Buffer.from(body) : Buffer.from(body, 'utf8'), contentType);
    this.persist();
  }

  /** An S3 object's bytes (a copy), or undefined. */
  object(bucket: string, key: string): Buffer | undefined {
    const o = this.store.getObject(bucket, key);
    return o && Buffer.from(o.body);
  }

  /** Forgets all flows, WABAs, objects, calls, faults and advanceTime (options, latency, limits and id generator stay). */
  /**
   * Every change of a flow's existence, status or name since the start (or the last reset), in
   * order, with the access key id of the call that made it: what tests check invariants against
   * (a published flow never deleted, which role created which flow).
   */
  history(): FlowChange[] {
    return [...this.store.history];
  }

  reset(): void {
    this.store.clear();
    this.log = [];
    this.faults = [];
    this.clockOffsetMs = 0;
    this.persist();
  }

  private persist(): void {
    if (!this.store.dirty) return;
    if (this.stateFile !== undefined) this.store.save(this.stateFile);
    else this.store.dirty = false;
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const isFlowApi = path.startsWith('/v1/whatsapp/');
    const body = await this.readBody(req, isFlowApi ? MAX_FLOW_BODY : MAX_S3_BODY);
    if (body === undefined) {
      const call = this.record('UnknownOperation', { method: req.method, path });
      call.httpStatus = 413;
      call.errorType = 'RequestEntityTooLarge';
      res.writeHead(413, { 'Content-Length': '0', Connection: 'close' });
      res.end();
      return;
    }
    if (isFlowApi) return this.handleFlow(req, res, url, body);
    if (path.startsWith('/_download/')) return this.handleDownload(req, res, path.slice('/_download/'.length));
    return this.handleS3(req, res, url, body);
  }

  private readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) tooLarge = true;
        else chunks.push(c);
      });
      req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  private async handleFlow(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const spec = findOperation(req.method ?? '', url.pathname);
    if (!spec) {
      const call = this.record('UnknownOperation', { method: req.method, path: url.pathname });
      await this.delay();
      if (this.closing) return void res.destroy();
      return this.answerError(res, call, 'json', new ServiceError('UnknownOperationException',
        `No WhatsApp Flow operation is bound to ${req.method} ${url.pathname}`, 404));
    }
    let source: Record<string, unknown> = {};
    let unreadable: string | undefined;
    if (spec.location === 'query') {
      for (const [k, v] of url.searchParams) if (!Object.hasOwn(source, k)) source[k] = v;
    } else if (body.length > 0) {
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the body is not a JSON object');
        source = parsed as Record<string, unknown>;
      } catch (e) {
        unreadable = (e as Error).message;
      }
    }
    const read = readMembers(spec, source, { duplicateCategories: this.behaviour.duplicateCategories });
    const call = this.record(spec.operation, read.logged);
    await this.delay();
    if (this.closing) return void res.destroy();
    if (this.bucket && !this.bucket.take()) {
      return this.answerError(res, call, 'json', new ServiceError('ThrottledRequestException', 'Rate exceeded'));
    }
    const fault = this.takeFault(spec.operation);
    if (fault && !fault.afterEffect) return this.answerFault(req, res, call, 'json', fault);
    let output: Record<string, unknown> | undefined;
    try {
      if (unreadable !== undefined) throw new ServiceError('SerializationException', `Could not read the request body: ${unreadable}`);
      if (read.problems.length > 0) throw validationError(read.problems);
      const wabaId = normalizeWabaId(read.input.id!)!;
      this.authorize(spec.operation, read.input.id!, wabaId, callerOf(req, url));
      this.store.caller = callerOf(req, url)?.accessKeyId;
      try {
        output = this.flowOperations.execute(spec.operation, wabaId, read.input);
      } finally {
        this.store.caller = undefined;
      }
    } catch (e) {
      this.persist();
      if (fault) return this.answerFault(req, res, call, 'json', fault);
      if (e instanceof ServiceError) return this.answerError(res, call, 'json', e);
      throw e;
    }
    this.persist();
    if (fault) return this.answerFault(req, res, call, 'json', fault);
    const text = output === undefined ? '' : JSON.stringify(output);
    call.httpStatus = 200;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
      'x-amzn-RequestId': randomUUID(),
    });
    res.end(text);
  }

  /** Simulated IAM (403) first, then WABA existence (404). */
  private authorize(operation: string, given: string, wabaId: string, caller: Caller | undefined): void {
    if (this.allowedWabas && !this.allowedWabas.has(wabaId)) {
      const resource = given.startsWith('arn:') ? given : `arn:aws:social-messaging:us-east-1:000000000000:waba/${wabaId.slice('waba-'.length)}`;
      throw new ServiceError('AccessDeniedException',
        `User: arn:aws:sts::000000000000:assumed-role/emulator/caller is not authorized to perform: social-messaging:${operation} on resource: ${resource} because no identity-based policy allows the social-messaging:${operation} action`);
    }
    if (this.identities.restricts(caller)) {
      const scope = this.scopeOf(caller);
      const resource = given.startsWith('arn:') ? given : `arn:${scope.partition}:social-messaging:${scope.region}:${scope.account}:waba/${wabaId.slice('waba-'.length)}`;
      const denied = this.identities.check(caller, `social-messaging:${operation}`, resource, this.now(), scope.account);
      if (denied) throw new ServiceError('AccessDeniedException', denied);
    }
    if (this.knownWabas && !this.knownWabas.has(wabaId)) {
      throw new ServiceError('ResourceNotFoundException', `WhatsApp Business Account ${given} was not found`);
    }
  }

  /** Partition, Region and account a caller's calls name resources in. */
  private scopeOf(caller: Caller): { partition: string; region: string; account: string } {
    const p = arnParts(this.identities.principal(caller.accessKeyId));
    return { partition: p?.partition ?? this.partition, region: caller.region ?? this.region, account: p?.account ?? this.accountId };
  }

  private async handleDownload(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const found = this.flowOperations.download(token);
    const call = this.record('Download', found.flowId !== undefined ? { flowId: found.flowId } : {});
    await this.delay();
    if (this.closing) return void res.destroy();
    const fault = this.takeFault('Download');
    if (fault) return this.answerFault(req, res, call, 'plain', fault);
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.answerError(res, call, 'plain', new ServiceError('MethodNotAllowed', 'Use GET', 405));
    if (found.expired) return this.answerError(res, call, 'plain', new ServiceError('Forbidden', 'URL signature expired', 403));
    if (!found.body) return this.answerError(res, call, 'plain', new ServiceError('NotFound', 'Unknown download link', 404));
    call.httpStatus = 200;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(found.body.length) });
    res.end(req.method === 'HEAD' ? undefined : found.body);
  }

  private async handleS3(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const method = req.method ?? '';
    const target = parseObjectPath(url.pathname);
    const subresource = [...url.searchParams.keys()].find((k) => k !== 'x-id');
    const operation: EmulatedOperation = !target || subresource !== undefined ? 'UnknownOperation'
      : method === 'GET' ? 'S3.GetObject' : method === 'HEAD' ? 'S3.HeadObject' : method === 'PUT' ? 'S3.PutObject' : 'UnknownOperation';
    const input: Record<string, unknown> = operation === 'UnknownOperation' ? { method, path: url.pathname } : { Bucket: target!.bucket, Key: target!.key };
    let content: Buffer | undefined;
    if (operation === 'S3.PutObject') {
      try {
        content = isAwsChunked(req.headers) ? decodeAwsChunked(body) : body;
        input.Body = digest(content);
      } catch (e) {
        input.Body = { invalid: (e as Error).message };
      }
    }
    const call = this.record(operation, input);
    await this.delay();
    if (this.closing) return void res.destroy();
    const requestId = randomUUID();
    const fault = operation === 'UnknownOperation' ? undefined : this.takeFault(operation);
    if (fault && !fault.afterEffect) return this.answerFault(req, res, call, 's3', fault);
    if (operation === 'UnknownOperation') {
      call.httpStatus = 501;
      call.errorType = 'NotImplemented';
      return sendS3Error(res, method, 501, 'NotImplemented', 'The emulator implements only path-style GetObject, HeadObject and PutObject', requestId);
    }
    const { bucket, key } = target!;
    const caller = callerOf(req, url);
    if (this.identities.restricts(caller)) {
      const scope = this.scopeOf(caller);
      const action = operation === 'S3.PutObject' ? 's3:PutObject' : 's3:GetObject';
      const denied = this.identities.check(caller, action, `arn:${scope.partition}:s3:::${bucket}/${key}`, this.now(), scope.account);
      if (denied) {
        call.httpStatus = 403;
        call.errorType = 'AccessDenied';
        return sendS3Error(res, method, 403, 'AccessDenied', denied, requestId);
      }
    }
    if (operation === 'S3.PutObject') {
      if (content === undefined) {
        call.httpStatus = 400;
        call.errorType = 'IncompleteBody';
        return sendS3Error(res, method, 400, 'IncompleteBody', 'Could not decode the aws-chunked body', requestId);
      }
      const stored = this.store.putObject(bucket, key, content, String(req.headers['content-type'] ?? 'application/octet-stream'));
      this.persist();
      if (fault) return this.answerFault(req, res, call, 's3', fault);
      call.httpStatus = 200;
      res.writeHead(200, { ETag: stored.etag, 'Content-Length': '0', 'x-amz-request-id': requestId });
      res.end();
      return;
    }
    const obj = this.store.getObject(bucket, key);
    if (fault) return this.answerFault(req, res, call, 's3', fault);
    if (!obj) {
      call.httpStatus = 404;
      call.errorType = 'NoSuchKey';
      return sendS3Error(res, method, 404, 'NoSuchKey', 'The specified key does not exist.', requestId, { Key: key, BucketName: bucket });
    }
    call.httpStatus = 200;
    res.writeHead(200, {
      'Content-Type': obj.contentType,
      'Content-Length': String(obj.body.length),
      ETag: obj.etag,
      'Last-Modified': obj.lastModified,
      'Accept-Ranges': 'bytes',
      'x-amz-request-id': requestId,
    });
    res.end(method === 'HEAD' ? undefined : obj.body);
  }

  private answerFault(req: IncomingMessage, res: ServerResponse, call: CallRecord, style: ErrorStyle, fault: FaultSpec): void {
    if (fault.errorType === 'network') {
      call.httpStatus = 0;
      call.errorType = 'network';
      req.socket.destroy();
      return;
    }
    if (fault.errorType === 'timeout') {
      call.httpStatus = 0;
      call.errorType = 'timeout';
      const socket = req.socket;
      const wait = { timer: setTimeout(() => { this.waits.delete(wait); socket.destroy(); }, fault.hangMs ?? 60_000), done: () => socket.destroy() };
      this.waits.add(wait);
      socket.once('close', () => {
        clearTimeout(wait.timer);
        this.waits.delete(wait);
      });
      return;
    }
    const status = fault.httpStatus ?? statusOf(fault.errorType);
    this.answerError(res, call, style, new ServiceError(fault.errorType, fault.message ?? `Injected fault: ${fault.errorType}`, status));
  }

  private answerError(res: ServerResponse, call: CallRecord, style: ErrorStyle, error: ServiceError): void {
    call.httpStatus = error.httpStatus;
    call.errorType = error.errorType;
    if (res.destroyed) return;
    if (style === 's3') {
      sendS3Error(res, res.req.method ?? 'GET', error.httpStatus, error.errorType, error.message, randomUUID());
    } else if (style === 'plain') {
      const text = `${error.errorType}: ${error.message}`;
      res.writeHead(error.httpStatus, { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(text)) });
      res.end(text);
    } else {
      this.sendJsonError(res, error.httpStatus, error.errorType, error.message);
    }
  }

  private sendJsonError(res: ServerResponse, status: number, errorType: string, message: string): void {
    const text = JSON.stringify({ message });
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
      'X-Amzn-Errortype': errorType,
      'x-amzn-RequestId': randomUUID(),
    });
    res.end(text);
  }

  /** Waits the configured latency; returns at once when the emulator closes. */
  private delay(): Promise<void> {
    if (this.latencyMs <= 0 || this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const wait = {
        timer: setTimeout(() => {
          this.waits.delete(wait);
          resolve();
        }, this.latencyMs),
        done: resolve,
      };
      this.waits.add(wait);
    });
  }
}
