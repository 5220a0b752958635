/**
 * CloudFormation as the handler meets it: events built from a really synthesized template, the
 * ResponseURL server on 127.0.0.1, and the built handler bundle run by the local Lambda host with
 * the real SDK pointed at the emulator.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { DEFAULT_BEHAVIOUR, FlowEmulator, FlowEmulatorOptions } from '../../local/emulator';
import { FlowCategory, FlowJson, WhatsAppFlow, WhatsAppFlowProps } from '../../lib';
import { HANDLER_MEMORY_MB, HANDLER_TIMEOUT } from '../../lib/provider';
import { ContainerPool, LambdaContainer, ResponseServer } from '../../local/lambda/host';

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
const FUNCTION_NAME = 'FlowStack-Provider';
const HANDLER_TIMEOUT_MS = HANDLER_TIMEOUT.toMilliseconds();

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

export type RequestType = 'Create' | 'Update' | 'Delete';

export interface EventInput {
  readonly requestType: RequestType;
  readonly props: Record<string, unknown>;
  readonly oldProps?: Record<string, unknown>;
  readonly physicalId?: string;
  readonly logicalId?: string;
  readonly requestId?: string;
}

export interface HandlerInvocation {
  readonly event: Record<string, unknown>;
  /** The last response CloudFormation received for this event's RequestId. */
  readonly response: CfnResponse;
  /** How many PUTs arrived for this RequestId so far (must be 1 per delivery). */
  readonly puts: number;
  /** Bytes of the response body. */
  readonly bytes: number;
  /** The lines the function logged during the invocation, parsed. */
  readonly logs: Array<Record<string, any>>;
}

export interface InvokeOptions {
  /**
   * The time the invocation has (the function's timeout, counted on the container's clock), as
   * `context.getRemainingTimeInMillis()` tells the handler. @default the provider's HANDLER_TIMEOUT
   */
  readonly remainingMs?: number;
  /** Run in this container, after what it runs (a delivery to a warm container). @default - an idle container, or a new one */
  readonly container?: LambdaContainer;
}

/**
 * The built handler bundle as Lambda runs it, against the emulator, with the real SDK: the local
 * Lambda host (local/lambda/host.ts) that `npm start` and the benchmark use, one container per
 * concurrent invocation and idle ones reused. `fresh()` starts new containers, as Lambda may for
 * any event, for example after the function's environment changed.
 */
export class Handler {
  /** The containers of each function timeout (remainingMs), as Lambda scales a function. */
  private readonly pools = new Map<number, ContainerPool>();

  constructor(
    private readonly responses: ResponseServer,
    private readonly endpoint: string,
    private environment: Record<string, string> = {},
    /** How many times faster than real time the containers' clock runs (LambdaFunctionConfig.clockRate). */
    private readonly clockRate = CLOCK_RATE,
  ) {
    if (!fs.existsSync(BUNDLE)) {
      throw new Error(`${BUNDLE} is missing: run \`npm run build\` first`);
    }
  }

  /** New containers for the next events (cold starts), optionally with the function's new environment. */
  public async fresh(env?: Record<string, string>): Promise<void> {
    if (env) this.environment = env;
    await this.stop();
  }

  public async stop(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.stop()));
  }

  public event(input: EventInput): Record<string, unknown> {
    const requestId = input.requestId ?? crypto.randomUUID();
    const event: Record<string, unknown> = {
      RequestType: input.requestType,
      ServiceToken: `arn:aws:lambda:us-east-1:123456789012:function:${FUNCTION_NAME}`,
      ResponseURL: this.responses.url(requestId),
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
  public async invoke(input: EventInput | Record<string, unknown>, options: InvokeOptions = {}): Promise<HandlerInvocation> {
    return this.send(input, options).result;
  }

  /** Sends an event; the container it runs in is known at once (to send it the next delivery). */
  public send(input: EventInput | Record<string, unknown>, options: InvokeOptions = {}): { container: LambdaContainer; result: Promise<HandlerInvocation> } {
    const event = 'requestType' in input ? this.event(input as EventInput) : input;
    const { container, invocation } = this.pool(options.remainingMs ?? HANDLER_TIMEOUT_MS).invoke(event, { container: options.container });
    const result = invocation.then((ended) => {
      const requestId = String(event.RequestId);
      const received = this.responses.responses(requestId);
      if (ended.error && !ended.timedOut && !ended.crashed) throw new Error(`the handler threw: ${ended.error.errorType}: ${ended.error.errorMessage}`);
      if (received.length === 0) {
        throw new Error(`the handler sent no response for ${event.RequestType} ${requestId}${ended.error ? ` (${ended.error.errorType}: ${ended.error.errorMessage})` : ''}; logs: ${JSON.stringify(ended.logs)}`);
      }
      const last = received[received.length - 1];
      return { event, response: JSON.parse(last.body) as CfnResponse, puts: received.length, bytes: last.bytes, logs: ended.logs };
    });
    return { container, result };
  }

  private pool(timeoutMs: number): ContainerPool {
    let pool = this.pools.get(timeoutMs);
    if (!pool) {
      pool = new ContainerPool({
        codeDir: path.dirname(BUNDLE),
        handler: `${path.basename(BUNDLE, '.js')}.handler`,
        functionName: FUNCTION_NAME,
        environment: this.environment,
        endpoint: this.endpoint,
        memoryMb: HANDLER_MEMORY_MB,
        timeoutMs,
        clockRate: this.clockRate,
      });
      this.pools.set(timeoutMs, pool);
    }
    return pool;
  }
}

/** The pieces a handler test works with. */
export interface Harness {
  readonly emulator: FlowEmulator;
  /** The ResponseURLs the handler answers on. */
  readonly capture: ResponseServer;
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
  const h = {} as { emulator: FlowEmulator; capture: ResponseServer; handler: Handler; realTime: Handler };
  beforeAll(async () => {
    h.emulator = await FlowEmulator.start(options);
    h.capture = await ResponseServer.start();
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
