/**
 * The service, as the executor sees it: one method per call, each with the right retry rule.
 *
 * The SDK's own retries are off (maxAttempts 1): a retried CreateWhatsAppFlow or
 * PublishWhatsAppFlow after an ambiguous failure could act twice, so every retry here first
 * reconciles with the service's state where the call is not idempotent. No call outlives the
 * event's deadline: each is cut (and counted as ambiguous) when the time left runs out.
 */
import * as http from 'http';
import * as https from 'https';
import {
  CreateWhatsAppFlowCommand,
  DeleteWhatsAppFlowCommand,
  DeprecateWhatsAppFlowCommand,
  GetWhatsAppFlowCommand,
  GetWhatsAppFlowPreviewCommand,
  ListWhatsAppFlowAssetsCommand,
  ListWhatsAppFlowsCommand,
  MetaFlowCategory,
  PublishWhatsAppFlowCommand,
  SocialMessagingClient,
  UpdateWhatsAppFlowAssetsCommand,
  UpdateWhatsAppFlowCommand,
} from '@aws-sdk/client-socialmessaging';
import { FlowState } from './plan';
import { ContentRef } from './props';
import { Logger } from './log';

const TRANSIENT_ERRORS = new Set([
  'ThrottledRequestException',
  'InternalServiceException',
  'DependencyException',
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
  'SlowDown',
  'InternalError',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

/** Longest time one call may take, deadline permitting (a 10 MB upload fits well within it). */
const CALL_TIMEOUT_MS = 60_000;
/** How long a denial is retried after a grant was just made (IAM applies changes within seconds). */
const IAM_PROPAGATION_MS = 30_000;
/** First retry after about this long, doubling up to 20 s (the AWS SDK's standard base delay). */
const BACKOFF_BASE_MS = 100;
/**
 * No write starts later than this after CloudFormation sent the event (unless the executor
 * extends it): when CloudFormation cancels an event and sends the next one for the same flow (a
 * rollback, a cleanup), the cancelled one's invocation runs on, and its late writes must not land
 * after the next event's. The next event can then tell until when to watch for them.
 */
export const WRITE_WINDOW_MS = 60_000;
/** Calls that change a flow. */
const WRITES = new Set(['CreateWhatsAppFlow', 'UpdateWhatsAppFlow', 'UpdateWhatsAppFlowAssets', 'PublishWhatsAppFlow', 'DeprecateWhatsAppFlow', 'DeleteWhatsAppFlow']);

/** Whether an error is worth retrying: throttling, 5xx, timeouts and network failures. */
export function isTransient(e: unknown): boolean {
  const err = e as { name?: string; code?: string; message?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (!err || typeof err !== 'object') return false;
  if (err.name && TRANSIENT_ERRORS.has(err.name)) return true;
  if (err.code && NETWORK_CODES.has(err.code)) return true;
  if (err.$retryable) return true;
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  // No HTTP answer: a network failure is worth another try; a bug in this code is not.
  return /socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|network|timed? ?out|aborted/i.test(err.message ?? '');
}

/** A 429: the request was refused before it was processed. */
export function isThrottled(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'ThrottledRequestException' || err?.name === 'ThrottlingException' || err?.$metadata?.httpStatusCode === 429;
}

export function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'ResourceNotFoundException' || err?.name === 'NoSuchKey' || err?.$metadata?.httpStatusCode === 404;
}

/** An IAM denial of the provider's own role (not Meta's AccessDeniedByMetaException). */
export function isIamDenial(e: unknown): boolean {
  const err = e as { name?: string };
  return err?.name === 'AccessDeniedException' || err?.name === 'AccessDenied';
}

/** A definitive refusal: a 4xx other than throttling, so the call did not take effect. */
export function isDefinitive(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}

/** A failure that ends the event: its message is the Reason CloudFormation shows. */
export class FlowError extends Error {
  constructor(
    message: string,
    public readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'FlowError';
  }
}

/** A service call that failed for good, with the service's own message. */
export function callFailed(operation: string, e: unknown): FlowError {
  const err = e as { name?: string; message?: string };
  const hint = isIamDenial(e) ? ' (the provider\'s role lacks this permission; it is granted by the stack, so a stack deployed by an older release may need deploying again)' : '';
  return new FlowError(`${operation} failed: ${err?.name ?? 'Error'}: ${err?.message ?? String(e)}${hint}`, e);
}

export interface FlowSummary {
  readonly flowId: string;
  readonly flowName: string;
  readonly status: string;
  readonly categories?: string[];
}

export interface ServiceOptions {
  /** Epoch ms after which no new attempt starts and every call in progress is cut. */
  readonly deadline: number;
  /** Stop making calls (the event was answered, e.g. by the timeout guard). */
  readonly stopped: () => boolean;
  /** Region to use when the environment names none (the stack's). */
  readonly region?: string;
  readonly log: Logger;
  /** When CloudFormation sent the event (epoch ms): writes start within WRITE_WINDOW_MS of it. */
  readonly issuedAt: number;
}

/** Whatever happened to a CreateWhatsAppFlow call. */
export type CreateResult =
  | { readonly kind: 'created'; readonly flowId: string; readonly validationErrors: string[]; readonly reconciled: boolean }
  /** The name is held, by a flow that is not exactly what this call asked for. */
  | { readonly kind: 'taken'; readonly holder: FlowSummary; readonly error: unknown };

let smClient: SocialMessagingClient | undefined;

const REQUEST_HANDLER = { connectionTimeout: 5_000, requestTimeout: 90_000, throwOnRequestTimeout: true };

/** Lambda always sets AWS_REGION; elsewhere the Region of the stack is the right one. */
function regionOr(fallbackRegion?: string): string | undefined {
  return process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION ? undefined : fallbackRegion;
}

/**
 * One client per container; endpoint from AWS_ENDPOINT_URL_SOCIALMESSAGING. Its `bodyAsBytes`
 * step turns a large serialized body (a flow's content, base64 inside JSON) into bytes once,
 * before signing: left a string, the signer and the HTTP handler would each make their own byte
 * copy of it, two 13 MB copies per call for a 10 MB flow.
 */
function socialMessaging(fallbackRegion?: string): SocialMessagingClient {
  if (!smClient) {
    smClient = new SocialMessagingClient({ maxAttempts: 1, requestHandler: REQUEST_HANDLER, region: regionOr(fallbackRegion) });
    smClient.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { body?: unknown };
        if (typeof request.body === 'string' && request.body.length > 64 * 1024) request.body = Buffer.from(request.body, 'utf8');
        return next(args);
      },
      { step: 'build', name: 'bodyAsBytes' },
    );
  }
  return smClient;
}

export class FlowService {
  private readonly sm: SocialMessagingClient;
  /** Calls made, in order, for the decision log. */
  public readonly calls: string[] = [];
  /** When this event first saw an IAM denial (retried for a while: a grant may be propagating). */
  private firstDenial?: number;
  /** Off for best-effort work (a rollback's cleanup), where a denial is answered at once. */
  private denialRetries = true;
  /** No write starts after this (epoch ms). */
  private writeUntil: number;

  constructor(private readonly options: ServiceOptions) {
    this.sm = socialMessaging(options.region);
    this.writeUntil = options.issuedAt + WRITE_WINDOW_MS;
  }

  /** Lets writes start until `until`: for an event that waits for an earlier one's late writes. */
  public allowWritesUntil(until: number): void {
    this.writeUntil = Math.max(this.writeUntil, until);
  }

  /** Time left before the event's deadline, in ms. */
  public timeLeft(): number {
    return this.options.deadline - Date.now();
  }

  /** GetWhatsAppFlow; null when the flow does not exist. */
  public async get(wabaId: string, flowId: string): Promise<FlowState | null> {
    try {
      const out = await this.retry('GetWhatsAppFlow', (signal) => this.sm.send(new GetWhatsAppFlowCommand({ id: wabaId, flowId }), { abortSignal: signal }));
      return {
        flowId: out.flowId ?? flowId,
        flowName: out.flowName ?? '',
        status: out.flowStatus ?? '',
        categories: out.categories as string[] | undefined,
        validationErrors: out.validationErrors ?? [],
        preview: out.preview?.previewUrl ? { previewUrl: out.preview.previewUrl, expiresAt: out.preview.expiresAt ?? '' } : undefined,
      };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw callFailed('GetWhatsAppFlow', e);
    }
  }

  /**
   * GetWhatsAppFlow in a WABA the flow may not belong to: any refusal other than a transient
   * error means "not there".
   */
  public async probe(wabaId: string, flowId: string): Promise<FlowState | null> {
    try {
      return await this.get(wabaId, flowId);
    } catch (e) {
      if (isTransient((e as FlowError).cause)) throw e;
      this.options.log.info({ event: 'probe', flowId, wabaId, result: 'not in this WABA', error: errorName((e as FlowError).cause) });
      return null;
    }
  }

  /**
   * Pages through the WABA's flows (the service has no name filter) for the one named `flowName`,
   * and notes one whose name differs only in case or surrounding spaces: whether the service
   * counts those as the same name is not documented.
   */
  public async scanNames(wabaId: string, flowName: string): Promise<{ exact?: FlowSummary; similar?: FlowSummary }> {
    const folded = flowName.trim().toLowerCase();
    let similar: FlowSummary | undefined;
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const out = await this.retry('ListWhatsAppFlows', (signal) => this.sm.send(new ListWhatsAppFlowsCommand({ id: wabaId, maxResults: 100, nextToken: token }), { abortSignal: signal })).catch((e) => {
        throw callFailed('ListWhatsAppFlows', e);
      });
      for (const f of out.flows ?? []) {
        const summary = { flowId: f.flowId!, flowName: f.flowName!, status: f.flowStatus ?? '', categories: f.flowCategories as string[] | undefined };
        if (f.flowName === flowName) return { exact: summary };
        if (!similar && f.flowName?.trim().toLowerCase() === folded) similar = summary;
      }
      nextToken = out.nextToken;
    } while (nextToken);
    return { similar };
  }

  /** Every flow of the WABA (a full scan). */
  public async listFlows(wabaId: string): Promise<FlowSummary[]> {
    const flows: FlowSummary[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const out = await this.retry('ListWhatsAppFlows', (signal) => this.sm.send(new ListWhatsAppFlowsCommand({ id: wabaId, maxResults: 100, nextToken: token }), { abortSignal: signal })).catch((e) => {
        throw callFailed('ListWhatsAppFlows', e);
      });
      for (const f of out.flows ?? []) flows.push({ flowId: f.flowId!, flowName: f.flowName!, status: f.flowStatus ?? '', categories: f.flowCategories as string[] | undefined });
      nextToken = out.nextToken;
    } while (nextToken);
    return flows;
  }

  /** The flow of this name in the WABA, if any. */
  public async findByName(wabaId: string, flowName: string): Promise<FlowSummary | undefined> {
    return (await this.scanNames(wabaId, flowName)).exact;
  }

  /**
   * CreateWhatsAppFlow. Retried at once only when throttled (refused before it was processed).
   * After a definitive refusal it never takes the name's holder; after an ambiguous failure
   * (network error, 5xx, timeout) it takes the flow now holding the name only if `isOurs` says it
   * is exactly what this call asked for, else it tries again while the name is free.
   */
  public async create(
    input: { wabaId: string; flowName: string; categories: string[]; flowJson?: Uint8Array; publish: boolean; cloneFlowId?: string },
    isOurs: (holder: FlowSummary) => Promise<boolean>,
  ): Promise<CreateResult> {
    let attempt = 0;
    for (;;) {
      attempt++;
      this.checkStopped('CreateWhatsAppFlow');
      this.calls.push('CreateWhatsAppFlow');
      try {
        const out = await this.withDeadline((signal) =>
          this.sm.send(
            new CreateWhatsAppFlowCommand({
              id: input.wabaId,
              flowName: input.flowName,
              categories: input.categories as MetaFlowCategory[],
              flowJson: input.flowJson,
              publish: input.publish || undefined,
              cloneFlowId: input.cloneFlowId,
            }),
            { abortSignal: signal },
          ),
        );
        if (out.flowId) return { kind: 'created', flowId: out.flowId, validationErrors: out.validationErrors ?? [], reconciled: false };
        // The model makes flowId optional: find the flow by its (unique) name.
        const found = await this.findByName(input.wabaId, input.flowName);
        if (!found) throw new FlowError('CreateWhatsAppFlow returned no flowId and no flow of that name exists');
        return { kind: 'created', flowId: found.flowId, validationErrors: out.validationErrors ?? [], reconciled: true };
      } catch (e) {
        if (e instanceof FlowError) throw e;
        if (isThrottled(e)) {
          if (await this.backoff(attempt)) continue;
          throw callFailed('CreateWhatsAppFlow', e);
        }
        if (isIamDenial(e) && (await this.waitOutDenial(attempt))) continue;
        if (isDefinitive(e)) {
          // Refused: nothing was created by this call. Whoever holds the name now is not ours.
          const names = await this.scanNames(input.wabaId, input.flowName).catch(() => undefined);
          if (names?.exact) return { kind: 'taken', holder: names.exact, error: e };
          const failed = callFailed('CreateWhatsAppFlow', e);
          const near = names?.similar;
          if (!near) throw failed;
          throw new FlowError(`${failed.message}; flow ${near.flowId} (status ${near.status}) is named ${JSON.stringify(near.flowName)}, which the service may count as the same name: choose another flowName`, e);
        }
        // Ambiguous: the flow may have been made after all (by this call, or by a duplicate
        // delivery of this very event). Take it only if it is exactly what was asked for.
        this.options.log.info({ event: 'create-ambiguous', attempt, error: errorName(e), message: (e as Error)?.message });
        const names = await this.scanNames(input.wabaId, input.flowName).catch(() => undefined);
        if (names?.exact) {
          if (await isOurs(names.exact)) {
            this.options.log.info({ event: 'create-reconciled', flowId: names.exact.flowId, error: errorName(e) });
            return { kind: 'created', flowId: names.exact.flowId, validationErrors: [], reconciled: true };
          }
          return { kind: 'taken', holder: names.exact, error: e };
        }
        if (names === undefined || !(await this.backoff(attempt))) {
          throw new CreateUncertain(`${callFailed('CreateWhatsAppFlow', e).message}; whether the flow was created is not known yet`, e);
        }
      }
    }
  }

  public async updateMetadata(wabaId: string, flowId: string, change: { flowName?: string; categories?: string[] }): Promise<void> {
    await this.retry('UpdateWhatsAppFlow', (signal) =>
      this.sm.send(new UpdateWhatsAppFlowCommand({ id: wabaId, flowId, flowName: change.flowName, categories: change.categories as MetaFlowCategory[] | undefined }), { abortSignal: signal }),
    ).catch((e) => {
      throw callFailed('UpdateWhatsAppFlow', e);
    });
  }

  /** UpdateWhatsAppFlowAssets (idempotent: the same content twice is the same state). */
  public async updateContent(wabaId: string, flowId: string, flowJson: Uint8Array): Promise<string[]> {
    const out = await this.retry('UpdateWhatsAppFlowAssets', (signal) => this.sm.send(new UpdateWhatsAppFlowAssetsCommand({ id: wabaId, flowId, flowJson }), { abortSignal: signal })).catch((e) => {
      throw callFailed('UpdateWhatsAppFlowAssets', e);
    });
    return out.validationErrors ?? [];
  }

  /**
   * PublishWhatsAppFlow; a flow found PUBLISHED (after an ambiguous failure, or refused because a
   * duplicate delivery of the same event published it first) counts as done.
   */
  public async publish(wabaId: string, flowId: string): Promise<void> {
    const done = async () => (await this.get(wabaId, flowId))?.status === 'PUBLISHED';
    try {
      await this.retry('PublishWhatsAppFlow', (signal) => this.sm.send(new PublishWhatsAppFlowCommand({ id: wabaId, flowId }), { abortSignal: signal }), done);
    } catch (e) {
      if (isDefinitive(e) && !isIamDenial(e) && (await done().catch(() => false))) return;
      throw callFailed('PublishWhatsAppFlow', e);
    }
  }

  /** DeprecateWhatsAppFlow; a flow found DEPRECATED (before, or after an ambiguous failure) counts as done. */
  public async deprecate(wabaId: string, flowId: string): Promise<void> {
    const done = async () => {
      const s = await this.get(wabaId, flowId);
      return s === null || s.status === 'DEPRECATED';
    };
    try {
      await this.retry('DeprecateWhatsAppFlow', (signal) => this.sm.send(new DeprecateWhatsAppFlowCommand({ id: wabaId, flowId }), { abortSignal: signal }), done);
    } catch (e) {
      // Refused: already deprecated (by a duplicate delivery, or outside) is the state we want.
      if (isDefinitive(e) && (await done().catch(() => false))) return;
      throw callFailed('DeprecateWhatsAppFlow', e);
    }
  }

  /** DeleteWhatsAppFlow (idempotent); a flow already gone counts as deleted. */
  public async delete(wabaId: string, flowId: string): Promise<void> {
    try {
      await this.retry('DeleteWhatsAppFlow', (signal) => this.sm.send(new DeleteWhatsAppFlowCommand({ id: wabaId, flowId }), { abortSignal: signal }));
    } catch (e) {
      if (isNotFound(e)) return;
      throw callFailed('DeleteWhatsAppFlow', e);
    }
  }

  public async preview(wabaId: string, flowId: string, invalidate: boolean): Promise<{ previewUrl: string; expiresAt: string }> {
    const out = await this.retry('GetWhatsAppFlowPreview', (signal) =>
      this.sm.send(new GetWhatsAppFlowPreviewCommand({ id: wabaId, flowId, invalidate: invalidate || undefined }), { abortSignal: signal }),
    );
    return { previewUrl: out.preview?.previewUrl ?? '', expiresAt: out.preview?.expiresAt ?? '' };
  }

  /**
   * The flow's deployed Flow JSON (ListWhatsAppFlowAssets, then its short-lived download link);
   * undefined when the flow has none. Throws a FlowError when it cannot be read.
   */
  public async deployedContent(wabaId: string, flowId: string): Promise<Buffer | undefined> {
    for (let attempt = 1; ; attempt++) {
      const out = await this.retry('ListWhatsAppFlowAssets', (signal) => this.sm.send(new ListWhatsAppFlowAssetsCommand({ id: wabaId, flowId }), { abortSignal: signal })).catch((e) => {
        throw callFailed('ListWhatsAppFlowAssets', e);
      });
      const url = out.flowAssets?.find((a) => a.assetType === 'FLOW_JSON')?.downloadUrl;
      if (!url) return undefined;
      this.calls.push('Download');
      try {
        return await this.withDeadline((signal) => download(url, signal));
      } catch (e) {
        // A link that expired before it was used: ask for a fresh one, a few times.
        if (attempt < 3 && (isTransient(e) || /HTTP 403/.test((e as Error).message)) && (await this.backoff(attempt))) continue;
        throw new FlowError(`downloading the deployed Flow JSON of flow ${flowId} failed: ${errorName(e)}: ${(e as Error).message}`, e);
      }
    }
  }

  /** The bytes of a content reference: inline text, or the S3 asset object. */
  public async readContent(ref: ContentRef): Promise<Uint8Array> {
    if (ref.inline !== undefined) return Buffer.from(ref.inline, 'utf8');
    const { bucket, key } = ref.s3!;
    try {
      // Loaded on first use: only content in S3 needs the S3 client (a quarter of the bundle).
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
      const { getObjectBytes }: typeof import('./s3-object') = require('./s3-object');
      return await this.retry('S3.GetObject', (signal) => getObjectBytes(bucket, key, { region: regionOr(this.options.region), requestHandler: REQUEST_HANDLER, abortSignal: signal }));
    } catch (e) {
      if (e instanceof FlowError) throw e;
      throw new FlowError(`reading the flow content from s3://${bucket}/${key} failed: ${errorName(e)}: ${(e as Error).message}; the asset must be published (cdk deploy does this) and readable by the provider`, e);
    }
  }

  /**
   * Runs `fn`, retrying transient failures with exponential backoff and full jitter until the
   * deadline, and an IAM denial for as long as a new grant may take to apply. For a call that is
   * not idempotent, `done` re-reads the state before a retry.
   */
  private async retry<T>(operation: string, fn: (signal: AbortSignal) => Promise<T>, done?: () => Promise<boolean>): Promise<T> {
    let attempt = 0;
    for (;;) {
      attempt++;
      this.checkStopped(operation);
      this.calls.push(operation);
      try {
        return await this.withDeadline(fn);
      } catch (e) {
        if (isIamDenial(e) && (await this.waitOutDenial(attempt))) continue;
        if (!isTransient(e)) throw e;
        this.options.log.info({ event: 'retry', operation, attempt, error: errorName(e), message: (e as Error)?.message });
        if (done && !isThrottled(e) && (await done().catch(() => false))) return undefined as T;
        if (!(await this.backoff(attempt))) throw e;
      }
    }
  }

  /** Runs one call, cut when the deadline comes (or after CALL_TIMEOUT_MS). */
  private async withDeadline<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ms = Math.min(CALL_TIMEOUT_MS, this.timeLeft());
    if (ms <= 0) throw new FlowError('stopped: the time for this event ran out');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ms);
    try {
      return await fn(controller.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs best-effort work whose IAM denials are not retried: a grant it lacks is not one this
   * deploy is making (a rollback's cleanup in a WABA the rolled-back stack no longer grants).
   */
  public async bestEffort<T>(fn: () => Promise<T>): Promise<T> {
    this.denialRetries = false;
    try {
      return await fn();
    } finally {
      this.denialRetries = true;
    }
  }

  /** After an IAM denial: whether to try again (a grant made by this deploy may still be propagating). */
  private async waitOutDenial(attempt: number): Promise<boolean> {
    if (!this.denialRetries) return false;
    this.firstDenial ??= Date.now();
    if (Date.now() - this.firstDenial > IAM_PROPAGATION_MS) return false;
    this.options.log.info({ event: 'retry', operation: 'denied', attempt, note: 'access denied: retrying while a new grant may be propagating' });
    return this.backoff(Math.min(attempt, 5));
  }

  /** Sleeps before the next attempt; false when the deadline does not allow another one. */
  public async backoff(attempt: number): Promise<boolean> {
    const cap = Math.min(20_000, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 10));
    const delay = Math.random() * cap;
    if (Date.now() + delay + 1_000 > this.options.deadline || this.options.stopped()) return false;
    await sleep(delay);
    return true;
  }

  private checkStopped(operation: string): void {
    if (this.options.stopped() || Date.now() > this.options.deadline) {
      throw new FlowError(`stopped before ${operation}: the time for this event ran out`);
    }
    if (WRITES.has(operation) && Date.now() > this.writeUntil) {
      throw new FlowError(
        `stopped before ${operation}: more than ${WRITE_WINDOW_MS / 1000} s have passed since CloudFormation sent the event (the service was slow or throttling, or the event came late), ` +
          'and a late write could undo the event CloudFormation sends next for this flow; deploy again',
      );
    }
  }
}

/** A CreateWhatsAppFlow whose outcome is not known: the flow may appear later. */
export class CreateUncertain extends FlowError {}

export function errorName(e: unknown): string {
  return (e as { name?: string })?.name ?? 'Error';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function download(url: string, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const transport = url.startsWith('http:') ? http : https;
    const req = transport.get(url, { signal }, (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        res.resume();
        reject(new Error(`download returned HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
