/**
 * A stand-in for AWS Lambda and for the ResponseURL of CloudFormation custom resources, so that
 * `npm start`, tests and the benchmark run a function's real code the way CloudFormation does.
 *
 * - {@link LambdaContainer}: the function's code in a child Node process (a "container"), loaded
 *   once and invoked one event at a time, with Lambda's environment and context; a timed-out or
 *   crashed container is replaced by a fresh one (a cold start) at the next invocation.
 * - {@link ContainerPool}: the containers of one function configuration, one per concurrent
 *   invocation, idle ones reused (as Lambda scales a function).
 * - {@link ResponseServer}: the pre-signed S3 URL the provider PUTs its answer to.
 * - {@link sendCustomResourceEvent}: one CloudFormation event, start to answer: the ResponseURL,
 *   the invocation, the wait (bounded by the resource's ServiceTimeout) and CloudFormation's
 *   checks of the answer.
 *
 *   const responses = await ResponseServer.start();
 *   const container = new LambdaContainer({ codeDir: 'lambda/dist', endpoint: emulator.endpoint });
 *   const outcome = await sendCustomResourceEvent(container, responses, event, { serviceTimeoutMs: 420_000 });
 *   outcome.status; outcome.physicalResourceId; outcome.data; outcome.invocation.logs;
 *
 * Node built-ins only.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';

/** CloudFormation refuses a response body larger than this. */
export const MAX_RESPONSE_BYTES = 4096;

/** How a function is configured: what Lambda would read from its configuration. */
export interface LambdaFunctionConfig {
  /** Folder of the function's code (Lambda's `/var/task`). */
  readonly codeDir: string;
  /** `<file>.<export>` relative to `codeDir`, as in the function's configuration. @default 'index.handler' */
  readonly handler?: string;
  /** The function's environment variables. @default - none */
  readonly environment?: Record<string, string>;
  /** The function's timeout: the time given to the handler, after which the invocation is cut. @default 300000 */
  readonly timeoutMs?: number;
  /** The function's memory; the heap limit is set from it as the Node.js runtime does. @default 512 */
  readonly memoryMb?: number;
  /** @default 'local-function' */
  readonly functionName?: string;
  /** The runtime named in the function's configuration (only reported: the local Node runs the code). @default 'nodejs24.x' */
  readonly runtime?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * Where the function's AWS SDK calls go: sets `AWS_ENDPOINT_URL_SOCIALMESSAGING` and
   * `AWS_ENDPOINT_URL_S3`.
   * @default - none set (the SDK's defaults)
   */
  readonly endpoint?: string;
  /**
   * The credentials of the function's execution role (`AWS_ACCESS_KEY_ID`, …): the emulator's
   * simulated IAM knows the caller by its access key id.
   * @default - local dummy credentials
   */
  readonly credentials?: LambdaCredentials;
  /**
   * For tests: the container's clock (Date, setTimeout, setInterval) runs this many times faster
   * than real time, so that the function's waits and deadlines pass in a fraction of the time
   * while the services it calls answer at their real speed. Delays of a second or less are not
   * sped up further. The host's timeout is scaled to match. @default 1
   */
  readonly clockRate?: number;
}

/** Temporary credentials, as Lambda gives a function those of its role. */
export interface LambdaCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** @default 'local-session-token' */
  readonly sessionToken?: string;
}

let containerSeq = 0;

/** One log line of an invocation: the line's JSON object, or `{ message, stream }` for plain text. */
export type LogLine = Record<string, unknown>;

/** What one invocation did. */
export interface Invocation {
  /** Lines the function wrote to stdout/stderr during the invocation (and its init, on a cold start). */
  readonly logs: LogLine[];
  /** The error the handler threw or rejected with, or the init error (as Lambda reports them). */
  readonly error?: { readonly errorType: string; readonly errorMessage: string };
  /** The invocation ran out of the function's timeout; the container was stopped. */
  readonly timedOut: boolean;
  /** The container exited during the invocation (crash, `process.exit`, out of memory). */
  readonly crashed?: string;
  /** Whether a new container was started for this invocation. */
  readonly coldStart: boolean;
  readonly durationMs: number;
  /** Resident set size of the container after the invocation, and its peak so far, in bytes. */
  readonly rss: number;
  readonly maxRss: number;
}

/**
 * The code run in the container. It loads the handler at start (Lambda's init phase; an init
 * error is reported by every invocation, as Lambda does) and runs one event per message,
 * collecting the lines written meanwhile.
 */
const RUNTIME = String.raw`
'use strict';
const path = require('path');
const file = process.env._LAMBDA_HOST_FILE;
const exportName = process.env._LAMBDA_HOST_EXPORT;
const clockRate = Number(process.env._LAMBDA_HOST_CLOCK_RATE || 1);
delete process.env._LAMBDA_HOST_FILE;
delete process.env._LAMBDA_HOST_EXPORT;
delete process.env._LAMBDA_HOST_CLOCK_RATE;
if (clockRate > 1) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  const t0 = realNow();
  const now = () => t0 + (realNow() - t0) * clockRate;
  global.Date = class extends RealDate {
    constructor(...args) { if (args.length === 0) super(now()); else super(...args); }
    static now() { return now(); }
  };
  const real = (ms) => Math.max((Number(ms) || 0) / clockRate, Math.min(Number(ms) || 0, 1000));
  const realSetTimeout = global.setTimeout;
  const realSetInterval = global.setInterval;
  global.setTimeout = (fn, ms, ...args) => realSetTimeout(fn, real(ms), ...args);
  global.setInterval = (fn, ms, ...args) => realSetInterval(fn, real(ms), ...args);
}
let lines = [];
const capture = (stream) => {
  const original = process[stream].write.bind(process[stream]);
  let partial = '';
  process[stream].write = (chunk, ...rest) => {
    partial += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let i;
    while ((i = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, i);
      partial = partial.slice(i + 1);
      if (!line.trim()) continue;
      let parsed;
      try { parsed = JSON.parse(line); } catch { parsed = undefined; }
      lines.push(parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : { message: line, stream });
    }
    const cb = rest.find((r) => typeof r === 'function');
    if (cb) cb();
    return true;
  };
  return original;
};
capture('stdout');
capture('stderr');
const errorOf = (e, fallbackType) => ({
  errorType: (e && e.name) || fallbackType,
  errorMessage: (e && e.message) || String(e),
});
let initError;
let fn;
try {
  const mod = require(file);
  fn = mod[exportName];
  if (typeof fn !== 'function') initError = { errorType: 'Runtime.HandlerNotFound', errorMessage: path.basename(file) + '.' + exportName + ' is undefined or not exported' };
} catch (e) {
  initError = { errorType: 'Runtime.ImportModuleError', errorMessage: 'Error: ' + ((e && e.message) || String(e)) };
}
process.on('uncaughtException', (e) => {
  process.send({ crash: 'uncaught exception: ' + ((e && e.stack) || e), logs: lines });
  process.exit(129);
});
process.on('unhandledRejection', (e) => {
  process.send({ crash: 'unhandled rejection: ' + ((e && e.stack) || e), logs: lines });
  process.exit(128);
});
// The host is gone (it exited or was killed): so is the container.
process.on('disconnect', () => process.exit(0));
process.on('message', async (msg) => {
  const started = Date.now();
  const context = {
    awsRequestId: msg.requestId,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    invokedFunctionArn: msg.functionArn,
    logGroupName: '/aws/lambda/' + process.env.AWS_LAMBDA_FUNCTION_NAME,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, msg.timeoutMs - (Date.now() - started)),
  };
  let error = initError;
  if (!error) {
    try {
      await fn(msg.event, context);
    } catch (e) {
      error = errorOf(e, 'Error');
    }
  }
  const logs = lines;
  lines = [];
  process.send({ id: msg.id, logs, error, rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 });
});
process.send({ ready: true });
`;

/**
 * A function's code in a child Node process, invoked one event at a time (Lambda never gives a
 * container two events at once). Started on first use; replaced after a timeout or a crash.
 */
export class LambdaContainer {
  /** Distinguishes the containers of this process (1, 2, …). */
  public readonly id = ++containerSeq;
  private child?: ChildProcess;
  private starting?: Promise<ChildProcess>;
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private pending?: { readonly id: number; readonly resolve: (m: any) => void };
  private readonly file: string;
  private readonly exportName: string;

  constructor(public readonly config: LambdaFunctionConfig) {
    const handler = config.handler ?? 'index.handler';
    const dot = handler.lastIndexOf('.');
    if (dot <= 0 || dot === handler.length - 1) {
      throw new Error(`handler must be <file>.<export>, got ${JSON.stringify(handler)}`);
    }
    this.file = path.resolve(config.codeDir, handler.slice(0, dot));
    this.exportName = handler.slice(dot + 1);
    const candidates = [this.file, `${this.file}.js`, `${this.file}.cjs`, path.join(this.file, 'index.js')];
    if (!candidates.some((c) => fs.existsSync(c) && fs.statSync(c).isFile())) {
      throw new Error(`the function's code ${this.file}.js is missing`);
    }
  }

  /** `arn:aws:lambda:<region>:123456789012:function:<name>`: what `invokedFunctionArn` says. */
  get functionArn(): string {
    return `arn:aws:lambda:${this.config.region ?? 'us-east-1'}:123456789012:function:${this.config.functionName ?? 'local-function'}`;
  }

  /** Whether a container is running (warm). */
  get warm(): boolean {
    return this.child !== undefined;
  }

  /** Runs the handler on one event, after the events already queued. */
  invoke(event: unknown): Promise<Invocation> {
    const run = this.queue.then(() => this.invokeNow(event));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the container; the next invocation starts a new one. */
  async stop(): Promise<void> {
    const child = this.child ?? (this.starting ? await this.starting.catch(() => undefined) : undefined);
    this.child = undefined;
    this.starting = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    }
  }

  private async invokeNow(event: unknown): Promise<Invocation> {
    const coldStart = !this.child;
    const started = Date.now();
    const child = await this.start();
    const timeoutMs = this.config.timeoutMs ?? 300_000;
    const id = ++this.seq;
    const requestId = randomUUID();
    const reply = await new Promise<any>((resolve) => {
      const timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs / (this.config.clockRate ?? 1));
      this.pending = {
        id,
        resolve: (m: any) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      try {
        child.send({ id, event, requestId, timeoutMs, functionArn: this.functionArn });
      } catch (e) {
        this.pending.resolve({ crash: `the event could not be passed to the container: ${(e as Error).message}`, logs: [] });
      }
    });
    this.pending = undefined;
    const durationMs = Date.now() - started;
    if (reply.timedOut || reply.crash !== undefined) {
      // Lambda throws the container away; the next event gets a cold start.
      await this.stop();
    }
    if (reply.timedOut) {
      return {
        logs: [],
        error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` },
        timedOut: true,
        coldStart,
        durationMs,
        rss: 0,
        maxRss: 0,
      };
    }
    if (reply.crash !== undefined) {
      return {
        logs: reply.logs ?? [],
        error: { errorType: 'Runtime.ExitError', errorMessage: reply.crash },
        timedOut: false,
        crashed: reply.crash,
        coldStart,
        durationMs,
        rss: 0,
        maxRss: 0,
      };
    }
    return { logs: reply.logs, error: reply.error, timedOut: false, coldStart, durationMs, rss: reply.rss, maxRss: reply.maxRss };
  }

  private start(): Promise<ChildProcess> {
    if (this.child) return Promise.resolve(this.child);
    if (this.starting) return this.starting;
    const c = this.config;
    const name = c.functionName ?? 'local-function';
    const memoryMb = c.memoryMb ?? 512;
    const region = c.region ?? 'us-east-1';
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      ...(c.environment ?? {}),
      // Reserved by Lambda: the function's own variables cannot override these.
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${c.runtime ?? 'nodejs24.x'}`,
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'local',
      LAMBDA_TASK_ROOT: path.resolve(c.codeDir),
      AWS_ACCESS_KEY_ID: c.credentials?.accessKeyId ?? 'AKIDLOCALLOCALLOCAL0',
      AWS_SECRET_ACCESS_KEY: c.credentials?.secretAccessKey ?? 'local-secret-access-key',
      AWS_SESSION_TOKEN: c.credentials?.sessionToken ?? 'local-session-token',
      // Lambda runs a Node.js release the SDK supports; the local Node may be older.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...(c.endpoint ? { AWS_ENDPOINT_URL_SOCIALMESSAGING: c.endpoint, AWS_ENDPOINT_URL_S3: c.endpoint } : {}),
      _LAMBDA_HOST_FILE: this.file,
      _LAMBDA_HOST_EXPORT: this.exportName,
      ...(c.clockRate && c.clockRate > 1 ? { _LAMBDA_HOST_CLOCK_RATE: String(c.clockRate) } : {}),
    };
    const child = spawn(process.execPath, [`--max-old-space-size=${Math.max(64, Math.floor(memoryMb * 0.9))}`, '-e', RUNTIME], {
      cwd: path.resolve(c.codeDir),
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.starting = new Promise<ChildProcess>((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) => {
        const why = `the container exited${signal ? ` on ${signal}` : ` with code ${code}`}`;
        if (this.child === child) this.child = undefined;
        if (this.pending) {
          const p = this.pending;
          this.pending = undefined;
          p.resolve({ crash: why, logs: [] });
        }
        reject(new Error(`${why} while starting`));
      };
      child.once('error', reject);
      child.once('exit', onExit);
      child.on('message', (m: any) => {
        if (m?.ready) {
          this.child = child;
          resolve(child);
        } else if (m?.crash !== undefined) {
          const p = this.pending;
          this.pending = undefined;
          p?.resolve(m);
        } else if (this.pending && m?.id === this.pending.id) {
          this.pending.resolve(m);
        }
      });
    });
    const starting = this.starting;
    return starting.finally(() => {
      if (this.starting === starting) this.starting = undefined;
    });
  }
}

/**
 * The containers of one function configuration, as Lambda scales a function: an invocation goes
 * to an idle container, or to a new one (a cold start) when all are busy, so concurrent events
 * run in containers of their own.
 */
export class ContainerPool {
  private readonly containers: LambdaContainer[] = [];
  private readonly busy = new Map<LambdaContainer, number>();

  constructor(public readonly config: LambdaFunctionConfig) {}

  /** Containers started so far. */
  get started(): number {
    return this.containers.length;
  }

  /** Invocations running or queued. */
  get running(): number {
    let n = 0;
    for (const b of this.busy.values()) n += b;
    return n;
  }

  /**
   * Invokes the function on one event: in `container` when given (queued after what it runs),
   * else in an idle container other than `avoid`, else in a new one.
   */
  invoke(event: unknown, options: { readonly container?: LambdaContainer; readonly avoid?: LambdaContainer } = {}): { container: LambdaContainer; invocation: Promise<Invocation> } {
    let container = options.container ?? this.containers.find((c) => !this.busy.get(c) && c !== options.avoid);
    if (!container) {
      container = new LambdaContainer(this.config);
      this.containers.push(container);
    }
    const c = container;
    this.busy.set(c, (this.busy.get(c) ?? 0) + 1);
    const invocation = c.invoke(event);
    invocation.finally(() => this.busy.set(c, (this.busy.get(c) ?? 1) - 1)).catch(() => undefined);
    return { container: c, invocation };
  }

  async stop(): Promise<void> {
    await Promise.all(this.containers.map((c) => c.stop()));
    this.containers.length = 0;
    this.busy.clear();
  }
}

/** One PUT received on a ResponseURL. */
export interface ReceivedResponse {
  readonly body: string;
  readonly bytes: number;
  readonly receivedAt: number;
}

/** The pre-signed S3 URLs CloudFormation gives custom resources for their answer, on 127.0.0.1. */
export class ResponseServer {
  public static async start(): Promise<ResponseServer> {
    const s = new ResponseServer();
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(0, '127.0.0.1', () => resolve());
    });
    return s;
  }

  private readonly received = new Map<string, ReceivedResponse[]>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private readonly listeners = new Map<string, Set<(r: ReceivedResponse) => void>>();
  private failures = 0;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'PUT') {
        res.writeHead(405).end();
        return;
      }
      if (this.failures > 0) {
        this.failures--;
        res.writeHead(503).end();
        return;
      }
      const id = decodeURIComponent((req.url ?? '').split('?')[0].replace(/^\/cfn-response\//, ''));
      const body = Buffer.concat(chunks);
      const list = this.received.get(id) ?? [];
      const put = { body: body.toString('utf8'), bytes: body.length, receivedAt: Date.now() };
      list.push(put);
      this.received.set(id, list);
      for (const l of [...(this.listeners.get(id) ?? [])]) l(put);
      res.writeHead(200, { 'Content-Length': '0' }).end();
      for (const w of this.waiters.get(id) ?? []) w();
      this.waiters.delete(id);
    });
  });

  /** The ResponseURL of one request (its query stands for the signature, which must never be logged). */
  public url(requestId: string): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/cfn-response/${encodeURIComponent(requestId)}?X-Amz-Signature=local-signature`;
  }

  /** Every PUT received for a request, in order. */
  public responses(requestId: string): ReceivedResponse[] {
    return [...(this.received.get(requestId) ?? [])];
  }

  /** The first PUT for a request, waiting up to `timeoutMs` for it. */
  public async waitFor(requestId: string, timeoutMs: number): Promise<ReceivedResponse | undefined> {
    const first = () => this.received.get(requestId)?.[0];
    if (first() || timeoutMs <= 0) return first();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      const list = this.waiters.get(requestId) ?? [];
      list.push(done);
      this.waiters.set(requestId, list);
    });
    return first();
  }

  /** Calls `listener` with every PUT received for a request from now on; returns the unsubscribe. */
  public subscribe(requestId: string, listener: (r: ReceivedResponse) => void): () => void {
    const set = this.listeners.get(requestId) ?? new Set();
    set.add(listener);
    this.listeners.set(requestId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(requestId) === set) this.listeners.delete(requestId);
    };
  }

  /** Forgets the PUTs received for a request (a long run's memory). */
  public forget(requestId: string): void {
    this.received.delete(requestId);
  }

  /** The next `n` PUTs are answered 503 (a flaky pre-signed URL). */
  public failNextPuts(n: number): void {
    this.failures = n;
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A CloudFormation custom resource event, without its ResponseURL (given by the server). */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ServiceToken: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
  readonly PhysicalResourceId?: string;
}

/** The answer CloudFormation takes from the provider. */
export interface CfnResponseBody {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, unknown>;
}

/** What CloudFormation makes of one event. */
export interface CustomResourceOutcome {
  /** The event as sent. */
  readonly event: CustomResourceEvent & { readonly ResponseURL: string };
  /** SUCCESS only for a well-formed SUCCESS answer; anything else fails the resource. */
  readonly status: 'SUCCESS' | 'FAILED';
  /** The answer's Reason, or why CloudFormation failed the resource without a usable answer. */
  readonly reason: string;
  /** The answer's physical id, when an answer was taken. */
  readonly physicalResourceId?: string;
  /** The answer's Data, values as strings (Fn::GetAtt). */
  readonly data: Record<string, string>;
  /** The answer taken (the first PUT), if any. */
  readonly response?: CfnResponseBody;
  /** How many PUTs arrived by the time the invocation ended. */
  readonly puts: number;
  readonly invocation?: Invocation;
  readonly durationMs: number;
}

/**
 * Sends one event as CloudFormation does (an asynchronous invocation, no Lambda retries) and
 * waits for the answer on its ResponseURL, at most `serviceTimeoutMs`. The first PUT is the
 * answer, checked as CloudFormation checks it.
 *
 * When the invocation ends without an answer (timeout, crash), nobody will answer any more:
 * this returns at once, where CloudFormation would sit out the ServiceTimeout first.
 */
export async function sendCustomResourceEvent(
  container: LambdaContainer,
  responses: ResponseServer,
  input: CustomResourceEvent,
  options: { readonly serviceTimeoutMs: number },
): Promise<CustomResourceOutcome> {
  const started = Date.now();
  const event = { ...input, ResponseURL: responses.url(input.RequestId) };
  const invocation = container.invoke(event);
  const serviceTimeout = new Promise<'timeout'>((resolve) => {
    const t = setTimeout(() => resolve('timeout'), options.serviceTimeoutMs);
    invocation.finally(() => clearTimeout(t)).catch(() => undefined);
  });
  let ended: Invocation | undefined;
  let hostError: Error | undefined;
  const first = await Promise.race([
    invocation.then(
      (i) => {
        ended = i;
        return 'ended' as const;
      },
      (e: Error) => {
        hostError = e;
        return 'ended' as const;
      },
    ),
    serviceTimeout,
  ]);
  const puts = responses.responses(input.RequestId);
  const base = { event, puts: puts.length, invocation: ended, durationMs: Date.now() - started };
  if (puts.length === 0) {
    return { ...base, status: 'FAILED', reason: noAnswerReason(first === 'timeout' ? 'timeout' : hostError ?? ended, options.serviceTimeoutMs), data: {} };
  }
  return { ...base, ...checkAnswer(input, puts[0]) };
}

/**
 * CloudFormation's reason for a resource that got no answer: the ServiceTimeout ran out, or the
 * invocation (or the attempt to invoke, an Error) ended without a PUT.
 */
export function noAnswerReason(why: 'timeout' | Invocation | Error | undefined, serviceTimeoutMs: number): string {
  const secs = Math.round(serviceTimeoutMs / 1000);
  const text = why === 'timeout'
    ? `no answer within the ServiceTimeout of ${secs} s`
    : why instanceof Error ? `the function could not be invoked: ${why.message}`
      : why?.timedOut ? `the function timed out (${why.error?.errorMessage}) without answering`
        : why?.crashed ? `the function's container died without answering (${firstLine(why.crashed)})`
          : why?.error ? `the function failed without answering: ${why.error.errorType}: ${firstLine(why.error.errorMessage)}`
            : 'the function returned without answering';
  return `CloudFormation did not receive a response from the custom resource: ${text} (CloudFormation waits up to the ServiceTimeout, ${secs} s)`;
}

/** CloudFormation's checks of an answer (the first PUT to the event's ResponseURL). */
export function checkAnswer(
  event: CustomResourceEvent,
  put: ReceivedResponse,
): Pick<CustomResourceOutcome, 'status' | 'reason' | 'physicalResourceId' | 'data' | 'response'> {
  const invalid = (why: string) => ({ status: 'FAILED' as const, reason: `Invalid response object: ${why}`, data: {} });
  if (put.bytes > MAX_RESPONSE_BYTES) {
    return { status: 'FAILED', reason: `Response object is too long (${put.bytes} bytes; CloudFormation accepts ${MAX_RESPONSE_BYTES})`, data: {} };
  }
  let body: CfnResponseBody;
  try {
    body = JSON.parse(put.body);
  } catch {
    return invalid('the body is not JSON');
  }
  if (!body || typeof body !== 'object') return invalid('the body is not a JSON object');
  for (const key of ['StackId', 'RequestId', 'LogicalResourceId'] as const) {
    if (body[key] !== event[key]) return invalid(`${key} ${JSON.stringify(body[key])} is not the event's ${JSON.stringify(event[key])}`);
  }
  if (body.Status !== 'SUCCESS' && body.Status !== 'FAILED') return invalid(`Status must be SUCCESS or FAILED, got ${JSON.stringify(body.Status)}`);
  if (typeof body.PhysicalResourceId !== 'string' || body.PhysicalResourceId.length === 0) {
    return invalid('PhysicalResourceId is missing');
  }
  if (body.Data !== undefined && (body.Data === null || typeof body.Data !== 'object' || Array.isArray(body.Data))) {
    return invalid('Data must be an object');
  }
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(body.Data ?? {})) data[k] = typeof v === 'string' ? v : JSON.stringify(v);
  if (body.Status === 'FAILED') {
    return { status: 'FAILED', reason: body.Reason || 'the custom resource answered FAILED without a reason', physicalResourceId: body.PhysicalResourceId, data, response: body };
  }
  return { status: 'SUCCESS', reason: body.Reason ?? '', physicalResourceId: body.PhysicalResourceId, data, response: body };
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}
