/**
 * CloudFormation as the handler meets it: events built from a really synthesized template, a
 * ResponseURL capture server on 127.0.0.1, and the built handler bundle invoked in-process with
 * the real SDK pointed at the emulator.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { ChildProcess, fork } from 'child_process';
import { App, Stack } from 'aws-cdk-lib';
import { DEFAULT_BEHAVIOUR, FlowEmulator, FlowEmulatorOptions } from '../../local/emulator';
import { FlowCategory, FlowJson, WhatsAppFlow, WhatsAppFlowProps } from '../../lib';
import { HANDLER_MEMORY_MB } from '../../lib/provider';

/** The handler bundle under test (WHATSAPP_FLOW_HANDLER_BUNDLE runs the tests against another build, e.g. an older release's). */
export const BUNDLE = process.env.WHATSAPP_FLOW_HANDLER_BUNDLE ?? path.resolve(__dirname, '../../lambda/dist/index.js');
export const WABA = 'waba-0123456789abcdef0123456789abcdef';
export const OTHER_WABA = 'waba-fedcba9876543210fedcba9876543210';
/**
 * The handler containers' clock runs this many times faster than real time: the provider waits
 * tens of seconds in places (a name another flow may be releasing, a grant that may still be
 * propagating), which tests should not spend in real time. What the handler does is the same.
 */
export const CLOCK_RATE = 10;
export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/FlowStack/5b2ae6f0-0000-11ef-8d2f-0aff1c2d3e4f';

/** One response document as CloudFormation receives it. */
export interface CfnResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  NoEcho?: boolean;
  Data?: Record<string, string>;
}

/** Receives the PUTs the handler sends to its ResponseURL. */
export class ResponseCapture {
  public static async start(): Promise<ResponseCapture> {
    const c = new ResponseCapture();
    await new Promise<void>((resolve) => c.server.listen(0, '127.0.0.1', resolve));
    return c;
  }

  /** Every PUT received, by the id in its path. */
  public readonly received = new Map<string, { body: string; bytes: number }[]>();
  private failures = 0;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (this.failures > 0) {
        this.failures--;
        res.writeHead(503).end();
        return;
      }
      const id = (req.url ?? '').split('?')[0].replace(/^\/response\//, '');
      const body = Buffer.concat(chunks);
      const list = this.received.get(id) ?? [];
      list.push({ body: body.toString('utf8'), bytes: body.length });
      this.received.set(id, list);
      res.writeHead(200).end();
    });
  });

  /** The next `n` PUTs are answered 503 (a flaky S3 pre-signed URL). */
  public failNextPuts(n: number): void {
    this.failures = n;
  }

  public url(id: string): string {
    const addr = this.server.address() as { port: number };
    return `http://127.0.0.1:${addr.port}/response/${id}?X-Amz-Signature=secret-signature`;
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export type RequestType = 'Create' | 'Update' | 'Delete';

export interface EventInput {
  readonly requestType: RequestType;
  readonly props: Record<string, unknown>;
  readonly oldProps?: Record<string, unknown>;
  readonly physicalId?: string;
  readonly logicalId?: string;
  readonly requestId?: string;
}

export interface Invocation {
  readonly event: Record<string, unknown>;
  /** The single response CloudFormation received for this event. */
  readonly response: CfnResponse;
  /** How many PUTs arrived for this event (must be 1). */
  readonly puts: number;
  /** Bytes of the response body. */
  readonly bytes: number;
  /** The handler's log lines, parsed. */
  readonly logs: Array<Record<string, any>>;
}

/**
 * Runs the built handler bundle in a child Node process (a warm "container"), against the
 * emulator, with the real SDK. `fresh()` starts a new container, as Lambda may for any event.
 */
export class Handler {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private seq = 0;
  private readonly pending = new Map<number, (m: any) => void>();

  constructor(
    private readonly capture: ResponseCapture,
    private readonly endpoint: string,
    private extraEnv: Record<string, string> = {},
    /** How many times faster than real time the container's clock runs (see handler-runner.js). */
    private readonly clockRate = CLOCK_RATE,
  ) {
    if (!fs.existsSync(BUNDLE)) {
      throw new Error(`${BUNDLE} is missing: run \`npm run build\` first`);
    }
  }

  /** Starts a new container for the next events (a cold start), optionally with the function's new environment. */
  public async fresh(env?: Record<string, string>): Promise<void> {
    if (env) this.extraEnv = env;
    await this.stop();
    const child = fork(path.join(__dirname, 'handler-runner.js'), [BUNDLE, String(this.clockRate)], {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_ENDPOINT_URL_SOCIALMESSAGING: this.endpoint,
        AWS_ENDPOINT_URL_S3: this.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTESTTEST',
        AWS_SECRET_ACCESS_KEY: 'test-secret-key',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...this.extraEnv,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The heap limit Lambda's Node runtime derives from the function's memory, as in the
      // benchmark's container (local/lambda/host.ts), so it does not vary with this machine's.
      execArgv: [`--max-old-space-size=${Math.floor(HANDLER_MEMORY_MB * 0.9)}`],
    });
    this.child = child;
    this.ready = new Promise((resolve, reject) => {
      child.once('error', reject);
      child.on('message', (m: any) => {
        if (m.ready) resolve();
        else this.pending.get(m.id)?.(m);
      });
    });
    await this.ready;
  }

  public async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      });
    }
  }

  public event(input: EventInput): Record<string, unknown> {
    const requestId = input.requestId ?? crypto.randomUUID();
    const event: Record<string, unknown> = {
      RequestType: input.requestType,
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:FlowStack-Provider',
      ResponseURL: this.capture.url(requestId),
      StackId: STACK_ID,
      RequestId: requestId,
      LogicalResourceId: input.logicalId ?? 'Flow',
      ResourceType: 'Custom::WhatsAppFlow',
      ResourceProperties: input.props,
    };
    if (input.physicalId !== undefined) event.PhysicalResourceId = input.physicalId;
    if (input.oldProps !== undefined) event.OldResourceProperties = input.oldProps;
    return event;
  }

  /** Sends an event and returns CloudFormation's view of the answer. */
  public async invoke(input: EventInput | Record<string, unknown>, options: { remainingMs?: number } = {}): Promise<Invocation> {
    const event = 'requestType' in input ? this.event(input as EventInput) : input;
    if (!this.child) await this.fresh();
    const id = ++this.seq;
    const reply = await new Promise<any>((resolve) => {
      this.pending.set(id, resolve);
      this.child!.send({ id, event, remainingMs: options.remainingMs ?? 300_000 });
    });
    this.pending.delete(id);
    if (reply.error) throw new Error(`the handler threw: ${reply.error}`);
    const requestId = String(event.RequestId);
    const received = this.capture.received.get(requestId) ?? [];
    if (received.length === 0) {
      throw new Error(`the handler sent no response for ${event.RequestType} ${requestId}; logs: ${JSON.stringify(reply.logs)}`);
    }
    const last = received[received.length - 1];
    return { event, response: JSON.parse(last.body), puts: received.length, bytes: last.bytes, logs: reply.logs };
  }
}

/** The pieces a handler test works with. */
export interface Harness {
  readonly emulator: FlowEmulator;
  readonly capture: ResponseCapture;
  /** A container whose clock runs CLOCK_RATE times faster than real time. */
  readonly handler: Handler;
  /**
   * A container on real time, for tests whose outcome depends on another event making progress
   * while this one waits (a sibling renaming a flow away): on real time the handler's waits are
   * as long as in production, so the machine's load cannot decide the outcome.
   */
  readonly realTime: Handler;
}

/**
 * For a test file: an emulator, a ResponseURL capture server and a handler container, started
 * once and stopped at the end, with a clean service (state, faults, behaviour) before each test.
 */
export function useHarness(options: FlowEmulatorOptions = {}): Harness {
  const h = {} as { emulator: FlowEmulator; capture: ResponseCapture; handler: Handler; realTime: Handler };
  beforeAll(async () => {
    h.emulator = await FlowEmulator.start(options);
    h.capture = await ResponseCapture.start();
    h.handler = new Handler(h.capture, h.emulator.endpoint);
    h.realTime = new Handler(h.capture, h.emulator.endpoint, {}, 1);
  });
  afterAll(async () => {
    await h.handler.stop();
    await h.realTime.stop();
    await h.emulator.close();
    await h.capture.close();
  });
  beforeEach(() => {
    h.emulator.reset();
    h.emulator.clearFaults();
    h.emulator.configure(DEFAULT_BEHAVIOUR);
    h.emulator.setLatency(0);
    h.emulator.setRateLimit(undefined);
    h.emulator.setAllowedWabas(undefined);
  });
  return h;
}

/** Properties exactly as the construct writes them, from a real synth; ServiceToken as a string. */
export function propsFor(props: Partial<WhatsAppFlowProps> & { flowJson?: FlowJson }): Record<string, unknown> {
  const app = new App();
  const stack = new Stack(app, 'FlowStack', { env: { account: '123456789012', region: 'us-east-1' } });
  new WhatsAppFlow(stack, 'Flow', {
    wabaId: WABA,
    flowName: 'signup',
    categories: [FlowCategory.SIGN_UP],
    ...props,
  } as WhatsAppFlowProps);
  const template = app.synth().getStackByName('FlowStack').template;
  const resource = Object.values<any>(template.Resources).find((r) => r.Type === 'Custom::WhatsAppFlow');
  return { ...resource.Properties, ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:FlowStack-Provider' };
}

/** A synthesized stack as the handler sees it: each flow's properties and the provider's environment. */
export interface SynthesizedFlows {
  /** Properties of each Custom::WhatsAppFlow, by construct id (ServiceToken as a string). */
  readonly props: Record<string, Record<string, unknown>>;
  /** The logical id of each Custom::WhatsAppFlow, by construct id. */
  readonly logicalIds: Record<string, string>;
  /** Environment variables of the provider function. */
  readonly env: Record<string, string>;
}

/** Synthesizes a stack built by `build` and returns what its flow events would carry. */
export function synthFlows(build: (stack: Stack) => void): SynthesizedFlows {
  const app = new App();
  const stack = new Stack(app, 'FlowStack', { env: { account: '123456789012', region: 'us-east-1' } });
  build(stack);
  const template = app.synth().getStackByName('FlowStack').template;
  const props: Record<string, Record<string, unknown>> = {};
  const logicalIds: Record<string, string> = {};
  let env: Record<string, string> = {};
  for (const [id, r] of Object.entries<any>(template.Resources)) {
    if (r.Type === 'Custom::WhatsAppFlow') {
      const constructId = id.replace(/[0-9A-F]{8}$/, '');
      props[constructId] = { ...r.Properties, ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:FlowStack-Provider' };
      logicalIds[constructId] = id;
    }
    if (r.Type === 'AWS::Lambda::Function') env = r.Properties.Environment?.Variables ?? {};
  }
  return { props, logicalIds, env };
}

/** A small Flow JSON document that Meta accepts for publishing (v7.3, one terminal screen). */
export function validFlow(title = 'Welcome', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '7.3',
    screens: [
      {
        id: 'WELCOME',
        title,
        terminal: true,
        layout: {
          type: 'SingleColumnLayout',
          children: [
            { type: 'TextBody', text: 'Hello' },
            { type: 'Footer', label: 'Done', 'on-click-action': { name: 'complete', payload: {} } },
          ],
        },
        ...extra,
      },
    ],
  };
}

/** A document Meta saves as a draft but refuses to publish (no terminal screen). */
export function unpublishableFlow(): Record<string, unknown> {
  return {
    version: '7.3',
    screens: [
      {
        id: 'ONLY',
        title: 'Not terminal',
        layout: { type: 'SingleColumnLayout', children: [{ type: 'TextBody', text: 'x' }] },
      },
    ],
  };
}
