/**
 * Where the local deploy's events go, as CloudFormation and Lambda carry them: each function
 * configuration has a pool of warm containers (one per concurrent invocation, idle ones reused; a
 * new configuration is a new pool), answers arrive on one local ResponseURL server and are routed
 * by RequestId, the emulator's simulated IAM is set per role, and the functions' log lines are
 * kept in the state folder.
 *
 * Nothing here is global: several stack operations may send events through one runtime at once.
 *
 * One event, as CloudFormation sends it ({@link LocalRuntime.send}): the invocation is
 * asynchronous; CloudFormation takes the first PUT on the ResponseURL as the answer, or fails the
 * resource when the ServiceTimeout runs out, and may stop waiting (cancel) at any time; the
 * invocation keeps running and may still answer, which is observed but not counted. Delivery
 * quirks can be injected: a late delivery, the same event delivered twice.
 */
import * as fs from 'fs';
import { createHash } from 'crypto';
import type { FlowEmulator, IamGrant, IdentityPolicyOptions } from '../emulator';
import {
  checkAnswer, ContainerPool, CustomResourceEvent, Invocation, LambdaContainer, LambdaFunctionConfig, noAnswerReason, ReceivedResponse, ResponseServer,
} from './host';

/** The log keeps about this much of the latest lines. */
const MAX_LOG_BYTES = 1024 * 1024;

export interface RuntimeOptions {
  readonly emulator: FlowEmulator;
  /** Where the functions' log lines are appended. */
  readonly logFile: string;
  /** Also write each log line here (--verbose). */
  readonly echo?: (line: string) => void;
}

/** How one event reaches the function: Lambda's asynchronous invoke is not always on time, nor once. */
export interface Delivery {
  /** The container receives the event this long after CloudFormation sent it (the ServiceTimeout runs from the send). @default 0 */
  readonly delayMs?: number;
  /** The same event, same RequestId, is delivered a second time. @default - once */
  readonly duplicate?: DuplicateDelivery;
}

/** A second delivery of the same event. */
export interface DuplicateDelivery {
  /**
   * `concurrent`: at the same time as the first, to another container; `after`: once the first
   * delivery has answered (or ended without answering).
   */
  readonly when: 'concurrent' | 'after';
  /** For `after`: the first delivery's container, or another one. @default 'another' */
  readonly container?: 'same' | 'another';
  /** Waited before the duplicate is delivered. @default 0 */
  readonly delayMs?: number;
}

/** What happened to one event after it was sent, as an observer hears it. */
export type RuntimeRecord =
  /** A container received the event (copy 1, or 2 for a duplicate). */
  | { readonly kind: 'delivered'; readonly time: number; readonly copy: number; readonly container: number }
  /** An invocation of the event ended. */
  | {
    readonly kind: 'invocation-ended'; readonly time: number; readonly copy: number; readonly container: number; readonly durationMs: number;
    readonly error?: string; readonly timedOut: boolean; readonly coldStart: boolean;
  }
  /**
   * A PUT on the event's ResponseURL. `counted`: the one CloudFormation took; `late`: it came
   * after CloudFormation stopped waiting (answered, timed out or cancelled).
   */
  | {
    readonly kind: 'answer'; readonly time: number; readonly status: 'SUCCESS' | 'FAILED' | 'INVALID'; readonly physicalId?: string;
    readonly reason?: string; readonly counted: boolean; readonly late: boolean; readonly bytes: number;
  }
  /** CloudFormation's conclusion about the event. */
  | { readonly kind: 'concluded'; readonly time: number; readonly status: EventStatus; readonly how: EventEnd; readonly reason: string; readonly physicalId?: string };

export type EventStatus = 'SUCCESS' | 'FAILED' | 'CANCELLED';
/** How CloudFormation stopped waiting: an answer, an invocation that ended without one, the ServiceTimeout, a cancellation, or it was never sent. */
export type EventEnd = 'answered' | 'no-answer' | 'timeout' | 'cancelled' | 'not-sent';

/** CloudFormation's view of one event. */
export interface EventOutcome {
  readonly status: EventStatus;
  readonly how: EventEnd;
  /** The answer's Reason, or why CloudFormation failed or stopped waiting. */
  readonly reason: string;
  /** The answer's physical id (SUCCESS or FAILED answers). */
  readonly physicalResourceId?: string;
  /** The answer's Data, values as strings. */
  readonly data: Record<string, string>;
  /** From the send to CloudFormation's conclusion. */
  readonly durationMs: number;
}

/** An event in flight. */
export interface EventHandle {
  readonly outcome: Promise<EventOutcome>;
  /** CloudFormation stops waiting: the outcome is CANCELLED unless it already concluded; the invocation runs on. */
  cancel(): void;
}

export interface SendOptions {
  readonly serviceTimeoutMs: number;
  readonly delivery?: Delivery;
  /**
   * Identifies the function's configuration as Lambda has it (code, environment, limits, role):
   * events with the same one share warm containers, whichever local folder holds the same code.
   * @default - the whole configuration, code folder included
   */
  readonly functionVersion?: string;
  /** Hears what happens to the event, late answers included. */
  readonly observe?: (record: RuntimeRecord) => void;
}

export class LocalRuntime {
  public static async start(options: RuntimeOptions): Promise<LocalRuntime> {
    trimLog(options.logFile);
    return new LocalRuntime(options, await ResponseServer.start());
  }

  private readonly pools = new Map<string, ContainerPool>();
  private readonly running = new Set<Promise<unknown>>();
  /** Deliveries waiting for their delay. */
  private waitingDeliveries = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private invocations = 0;
  private coldStarts = 0;

  private constructor(
    private readonly options: RuntimeOptions,
    private readonly responses: ResponseServer,
  ) {}

  /** Invocations and cold starts so far (duplicates included). */
  public stats(): { invocations: number; coldStarts: number; containers: number } {
    let containers = 0;
    for (const p of this.pools.values()) containers += p.started;
    return { invocations: this.invocations, coldStarts: this.coldStarts, containers };
  }

  /** Sets the simulated IAM policy of one access key (see FlowEmulator.setIdentityPolicy). */
  public setIdentityPolicy(accessKeyId: string, grants: readonly IamGrant[] | undefined, options?: IdentityPolicyOptions): void {
    this.options.emulator.setIdentityPolicy(accessKeyId, grants, options);
  }

  /**
   * Sends one event to the function as CloudFormation does (an asynchronous invocation) and
   * reports CloudFormation's view of it: the first PUT on the ResponseURL, checked; or FAILED
   * when the ServiceTimeout runs out first, or when every delivery ended without answering
   * (nobody can answer any more: CloudFormation would sit out the ServiceTimeout); or CANCELLED.
   */
  public send(fn: LambdaFunctionConfig, input: CustomResourceEvent, options: SendOptions): EventHandle {
    const started = Date.now();
    const event = { ...input, ResponseURL: this.responses.url(input.RequestId) };
    const pool = this.poolFor(fn, options.functionVersion);
    const observe = (r: RuntimeRecord) => {
      try {
        options.observe?.(r);
      } catch {
        // an observer's failure is the observer's
      }
    };
    const delivery = options.delivery ?? {};
    let concluded = false;
    let counted = false;
    let scheduled = 0;
    let ended = 0;
    let first: { container?: LambdaContainer; done: boolean; invocation?: Invocation; error?: Error } = { done: false };
    let afterSent = false;
    let resolveOutcome!: (o: EventOutcome) => void;
    const outcome = new Promise<EventOutcome>((resolve) => {
      resolveOutcome = resolve;
    });
    let unsubscribe = () => undefined as void;
    let timer: NodeJS.Timeout | undefined;

    const finishIfIdle = () => {
      if (concluded && ended === scheduled) {
        unsubscribe();
        this.responses.forget(input.RequestId);
      }
    };
    const conclude = (o: Omit<EventOutcome, 'durationMs'>) => {
      if (concluded) return;
      concluded = true;
      if (timer) {
        clearTimeout(timer);
        this.timers.delete(timer);
      }
      const full = { ...o, durationMs: Date.now() - started };
      observe({ kind: 'concluded', time: Date.now(), status: o.status, how: o.how, reason: o.reason, physicalId: o.physicalResourceId });
      resolveOutcome(full);
      finishIfIdle();
    };
    const later = (ms: number, f: () => void) => {
      if (ms <= 0) return f();
      const t = setTimeout(() => {
        this.timers.delete(t);
        f();
      }, ms);
      this.timers.add(t);
    };
    const deliver = (copy: number, delayMs: number, target: { container?: LambdaContainer; avoid?: LambdaContainer }) => {
      scheduled++;
      this.waitingDeliveries++;
      later(delayMs, () => {
        this.waitingDeliveries--;
        if (this.closed) {
          ended++;
          finishIfIdle();
          return;
        }
        let started: { container: LambdaContainer; invocation: Promise<Invocation> };
        try {
          started = pool.invoke(event, target);
        } catch (e) {
          ended++;
          if (copy === 1) first = { done: true, error: e as Error };
          afterFirst();
          noAnswerCheck();
          return;
        }
        const { container, invocation } = started;
        if (copy === 1) first = { ...first, container };
        this.invocations++;
        observe({ kind: 'delivered', time: Date.now(), copy, container: container.id });
        const run = invocation.then(
          (inv) => {
            if (inv.coldStart) this.coldStarts++;
            this.writeLogs(inv);
            observe({
              kind: 'invocation-ended', time: Date.now(), copy, container: container.id, durationMs: inv.durationMs,
              error: inv.error ? `${inv.error.errorType}: ${inv.error.errorMessage}` : undefined, timedOut: inv.timedOut, coldStart: inv.coldStart,
            });
            if (copy === 1) first = { ...first, done: true, invocation: inv };
          },
          (e: Error) => {
            observe({ kind: 'invocation-ended', time: Date.now(), copy, container: container.id, durationMs: 0, error: e.message, timedOut: false, coldStart: false });
            if (copy === 1) first = { ...first, done: true, error: e };
          },
        ).finally(() => {
          ended++;
          this.running.delete(run);
          if (copy === 1) afterFirst();
          noAnswerCheck();
          finishIfIdle();
        });
        this.running.add(run);
      });
    };
    // A duplicate `after` the first delivery: once it answered, or ended without answering.
    const afterFirst = () => {
      const d = delivery.duplicate;
      if (!d || d.when !== 'after' || afterSent) return;
      afterSent = true;
      const same = d.container === 'same' && first.container;
      deliver(2, d.delayMs ?? 0, same ? { container: first.container } : { avoid: first.container });
    };
    const noAnswerCheck = () => {
      if (concluded || ended < scheduled) return;
      if (delivery.duplicate?.when === 'after' && !afterSent) return;
      if (this.responses.responses(input.RequestId).length > 0) return;
      conclude({ status: 'FAILED', how: 'no-answer', reason: noAnswerReason(first.error ?? first.invocation, options.serviceTimeoutMs), data: {} });
    };

    unsubscribe = this.responses.subscribe(input.RequestId, (put: ReceivedResponse) => {
      const checked = checkAnswer(input, put);
      let parsed: { Status?: string; PhysicalResourceId?: string; Reason?: string } = {};
      try {
        parsed = JSON.parse(put.body);
      } catch {
        // reported as INVALID
      }
      const status = parsed?.Status === 'SUCCESS' || parsed?.Status === 'FAILED' ? parsed.Status : 'INVALID';
      const takes = !concluded && !counted;
      observe({
        kind: 'answer', time: put.receivedAt, status, physicalId: parsed?.PhysicalResourceId, reason: parsed?.Reason,
        counted: takes, late: concluded, bytes: put.bytes,
      });
      if (!takes) return;
      counted = true;
      conclude({ how: 'answered', ...checked });
      afterFirst();
    });
    timer = setTimeout(() => {
      this.timers.delete(timer!);
      conclude({ status: 'FAILED', how: 'timeout', reason: noAnswerReason('timeout', options.serviceTimeoutMs), data: {} });
    }, options.serviceTimeoutMs);
    this.timers.add(timer);

    deliver(1, delivery.delayMs ?? 0, {});
    if (delivery.duplicate?.when === 'concurrent') {
      // Another container: the first delivery's, if it has started, is avoided.
      deliver(2, (delivery.delayMs ?? 0) + (delivery.duplicate.delayMs ?? 0), { avoid: first.container });
    }
    return {
      outcome,
      cancel: () => conclude({ status: 'CANCELLED', how: 'cancelled', reason: 'CloudFormation cancelled the operation: another resource failed', data: {} }),
    };
  }

  /** Resolves when no invocation is running or waiting to be delivered (late answers of cancelled events included). */
  public async settled(): Promise<void> {
    while (this.running.size > 0 || this.waitingDeliveries > 0 || [...this.pools.values()].some((p) => p.running > 0)) {
      await Promise.race([...this.running, new Promise((r) => setTimeout(r, 20))]);
    }
  }

  /**
   * Stops every container and the ResponseURL server. Invocations still running get up to
   * `graceMs` to end first (an answered event's invocation ends right after its PUT, and its log
   * lines are kept); the others (cancelled events still at work) are cut.
   */
  public async close(options: { readonly graceMs?: number } = {}): Promise<void> {
    const grace = options.graceMs ?? 2000;
    if (grace > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.settled(), new Promise((r) => (timer = setTimeout(r, grace)))]);
      clearTimeout(timer);
    }
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.pools.values()].map((p) => p.stop()));
    this.pools.clear();
    await this.responses.close();
  }

  private writeLogs(inv: Invocation): void {
    const lines = inv.logs.map((l) => JSON.stringify(l));
    if (lines.length === 0 || this.closed) return;
    fs.appendFileSync(this.options.logFile, `${lines.join('\n')}\n`);
    for (const l of lines) this.options.echo?.(l);
  }

  private poolFor(fn: LambdaFunctionConfig, version: string | undefined): ContainerPool {
    // A new configuration (code, environment, limits, role) is a new function version: new containers.
    const config = { ...fn, endpoint: this.options.emulator.endpoint };
    const key = createHash('sha256').update(JSON.stringify(version === undefined ? config : { version, endpoint: config.endpoint })).digest('hex');
    let p = this.pools.get(key);
    if (!p) {
      p = new ContainerPool(config);
      this.pools.set(key, p);
    }
    return p;
  }
}

/** Keeps the newest half of the log once it outgrows its limit, cut at a line boundary. */
function trimLog(file: string): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return;
  }
  if (size <= MAX_LOG_BYTES) return;
  const text = fs.readFileSync(file, 'utf8');
  const tail = text.slice(text.length - MAX_LOG_BYTES / 2);
  fs.writeFileSync(file, tail.slice(tail.indexOf('\n') + 1));
}
