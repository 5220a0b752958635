/**
 * The service, as the executor sees it: one method per call, each with the right retry rule.
 *
 * The SDK's own retries are off (maxAttempts 1): a retried CreateWhatsAppFlow or
 * PublishWhatsAppFlow after an ambiguous failure could act twice, so every retry here first
 * reconciles with the service's state where the call is not idempotent.
 */
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
  'SlowDown',
  'InternalError',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

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
  return new FlowError(`${operation} failed: ${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`, e);
}

export interface FlowSummary {
  readonly flowId: string;
  readonly flowName: string;
  readonly status: string;
}

export interface ServiceOptions {
  /** Epoch ms after which no new attempt starts. */
  readonly deadline: number;
  /** Stop making calls (the event was answered, e.g. by the timeout guard). */
  readonly stopped: () => boolean;
  /** Region to use when the environment names none (the stack's). */
  readonly region?: string;
  readonly log: Logger;
}

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

  constructor(private readonly options: ServiceOptions) {
    this.sm = socialMessaging(options.region);
  }

  /** GetWhatsAppFlow; null when the flow does not exist. */
  public async get(wabaId: string, flowId: string): Promise<FlowState | null> {
    try {
      const out = await this.retry('GetWhatsAppFlow', () => this.sm.send(new GetWhatsAppFlowCommand({ id: wabaId, flowId })));
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

  /** The flow of this name in the WABA, if any (the service has no name filter: a full scan). */
  public async findByName(wabaId: string, flowName: string): Promise<FlowSummary | undefined> {
    return (await this.scanNames(wabaId, flowName)).exact;
  }

  /**
   * Pages through the WABA's flows (the service has no name filter) for the one named `flowName`,
   * and notes one whose name differs only in case or surrounding spaces: whether the service
   * counts those as the same name is not documented.
   */
  private async scanNames(wabaId: string, flowName: string): Promise<{ exact?: FlowSummary; similar?: FlowSummary }> {
    const folded = flowName.trim().toLowerCase();
    let similar: FlowSummary | undefined;
    let nextToken: string | undefined;
    do {
      const out = await this.retry('ListWhatsAppFlows', () => this.sm.send(new ListWhatsAppFlowsCommand({ id: wabaId, maxResults: 100, nextToken }))).catch((e) => {
        throw callFailed('ListWhatsAppFlows', e);
      });
      for (const f of out.flows ?? []) {
        const summary = { flowId: f.flowId!, flowName: f.flowName!, status: f.flowStatus ?? '' };
        if (f.flowName === flowName) return { exact: summary };
        if (!similar && f.flowName?.trim().toLowerCase() === folded) similar = summary;
      }
      nextToken = out.nextToken;
    } while (nextToken);
    return { similar };
  }

  /**
   * CreateWhatsAppFlow. Never retried blindly: after an ambiguous failure the name is looked up,
   * and a flow holding it now (the name was free just before) is the one this call created.
   */
  public async create(input: {
    wabaId: string;
    flowName: string;
    categories: string[];
    flowJson?: Uint8Array;
    publish: boolean;
    cloneFlowId?: string;
  }): Promise<{ flowId: string; validationErrors: string[]; reconciled: boolean }> {
    const send = () =>
      this.sm.send(
        new CreateWhatsAppFlowCommand({
          id: input.wabaId,
          flowName: input.flowName,
          categories: input.categories as MetaFlowCategory[],
          flowJson: input.flowJson,
          publish: input.publish || undefined,
          cloneFlowId: input.cloneFlowId,
        }),
      );
    let attempt = 0;
    for (;;) {
      attempt++;
      this.checkStopped('CreateWhatsAppFlow');
      this.calls.push('CreateWhatsAppFlow');
      try {
        const out = await send();
        if (out.flowId) return { flowId: out.flowId, validationErrors: out.validationErrors ?? [], reconciled: false };
        // The model makes flowId optional: find the flow by its (unique) name.
        const found = await this.findByName(input.wabaId, input.flowName);
        if (!found) throw new FlowError('CreateWhatsAppFlow returned no flowId and no flow of that name exists');
        return { flowId: found.flowId, validationErrors: out.validationErrors ?? [], reconciled: true };
      } catch (e) {
        if (e instanceof FlowError) throw e;
        if (isThrottled(e)) {
          // Refused before it was processed: nothing to reconcile, just wait and try again.
          if (await this.backoff(attempt)) continue;
          throw callFailed('CreateWhatsAppFlow', e);
        }
        // Any other failure may hide a flow that was made after all, by this call or by a duplicate
        // delivery of this very event (the name was free just before): reconcile first.
        const names = await this.scanNames(input.wabaId, input.flowName).catch(() => undefined);
        const holder = names?.exact;
        if (holder) {
          this.options.log.info({ event: 'create-reconciled', flowId: holder.flowId, error: errorName(e) });
          return { flowId: holder.flowId, validationErrors: [], reconciled: true };
        }
        if (!isTransient(e) || !(await this.backoff(attempt))) {
          const failed = callFailed('CreateWhatsAppFlow', e);
          const near = names?.similar;
          if (!near) throw failed;
          throw new FlowError(`${failed.message}; flow ${near.flowId} (status ${near.status}) is named ${JSON.stringify(near.flowName)}, which the service may count as the same name: choose another flowName`, e);
        }
      }
    }
  }

  public async updateMetadata(wabaId: string, flowId: string, change: { flowName?: string; categories?: string[] }): Promise<void> {
    await this.retry('UpdateWhatsAppFlow', () =>
      this.sm.send(new UpdateWhatsAppFlowCommand({ id: wabaId, flowId, flowName: change.flowName, categories: change.categories as MetaFlowCategory[] | undefined })),
    ).catch((e) => {
      throw callFailed('UpdateWhatsAppFlow', e);
    });
  }

  /** UpdateWhatsAppFlowAssets (idempotent: the same content twice is the same state). */
  public async updateContent(wabaId: string, flowId: string, flowJson: Uint8Array): Promise<string[]> {
    const out = await this.retry('UpdateWhatsAppFlowAssets', () => this.sm.send(new UpdateWhatsAppFlowAssetsCommand({ id: wabaId, flowId, flowJson }))).catch((e) => {
      throw callFailed('UpdateWhatsAppFlowAssets', e);
    });
    return out.validationErrors ?? [];
  }

  /** PublishWhatsAppFlow; after an ambiguous failure, a flow found PUBLISHED counts as done. */
  public async publish(wabaId: string, flowId: string): Promise<void> {
    await this.retry('PublishWhatsAppFlow', () => this.sm.send(new PublishWhatsAppFlowCommand({ id: wabaId, flowId })), async () => {
      const s = await this.get(wabaId, flowId);
      return s?.status === 'PUBLISHED';
    }).catch((e) => {
      throw callFailed('PublishWhatsAppFlow', e);
    });
  }

  /** DeprecateWhatsAppFlow; after an ambiguous failure, a flow found DEPRECATED counts as done. */
  public async deprecate(wabaId: string, flowId: string): Promise<void> {
    await this.retry('DeprecateWhatsAppFlow', () => this.sm.send(new DeprecateWhatsAppFlowCommand({ id: wabaId, flowId })), async () => {
      const s = await this.get(wabaId, flowId);
      return s === null || s.status === 'DEPRECATED';
    }).catch((e) => {
      throw callFailed('DeprecateWhatsAppFlow', e);
    });
  }

  /** DeleteWhatsAppFlow (idempotent); a flow already gone counts as deleted. */
  public async delete(wabaId: string, flowId: string): Promise<void> {
    try {
      await this.retry('DeleteWhatsAppFlow', () => this.sm.send(new DeleteWhatsAppFlowCommand({ id: wabaId, flowId })));
    } catch (e) {
      if (isNotFound(e)) return;
      throw callFailed('DeleteWhatsAppFlow', e);
    }
  }

  public async preview(wabaId: string, flowId: string, invalidate: boolean): Promise<{ previewUrl: string; expiresAt: string }> {
    const out = await this.retry('GetWhatsAppFlowPreview', () =>
      this.sm.send(new GetWhatsAppFlowPreviewCommand({ id: wabaId, flowId, invalidate: invalidate || undefined })),
    );
    return { previewUrl: out.preview?.previewUrl ?? '', expiresAt: out.preview?.expiresAt ?? '' };
  }

  /** The download URL of a flow's Flow JSON, if it has one. */
  public async contentUrl(wabaId: string, flowId: string): Promise<string | undefined> {
    const out = await this.retry('ListWhatsAppFlowAssets', () => this.sm.send(new ListWhatsAppFlowAssetsCommand({ id: wabaId, flowId })));
    return out.flowAssets?.find((a) => a.assetType === 'FLOW_JSON')?.downloadUrl;
  }

  /** The bytes of a content reference: inline text, or the S3 asset object. */
  public async readContent(ref: ContentRef): Promise<Uint8Array> {
    if (ref.inline !== undefined) return Buffer.from(ref.inline, 'utf8');
    const { bucket, key } = ref.s3!;
    try {
      // Loaded on first use: only content in S3 needs the S3 client (a quarter of the bundle).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { getObjectBytes }: typeof import('./s3-object') = require('./s3-object');
      return await this.retry('S3.GetObject', () => getObjectBytes(bucket, key, { region: regionOr(this.options.region), requestHandler: REQUEST_HANDLER }));
    } catch (e) {
      if (e instanceof FlowError) throw e;
      throw new FlowError(`reading the flow content from s3://${bucket}/${key} failed: ${errorName(e)}: ${(e as Error).message}; the asset must be published (cdk deploy does this) and readable by the provider`, e);
    }
  }

  /**
   * Runs `fn`, retrying transient failures with exponential backoff and full jitter until the
   * deadline. For a call that is not idempotent, `done` re-reads the state before a retry.
   */
  private async retry<T>(operation: string, fn: () => Promise<T>, done?: () => Promise<boolean>): Promise<T> {
    let attempt = 0;
    for (;;) {
      attempt++;
      this.checkStopped(operation);
      this.calls.push(operation);
      try {
        return await fn();
      } catch (e) {
        if (!isTransient(e)) throw e;
        this.options.log.info({ event: 'retry', operation, attempt, error: errorName(e), message: (e as Error)?.message });
        if (done && !isThrottled(e) && (await done().catch(() => false))) return undefined as T;
        if (!(await this.backoff(attempt))) throw e;
      }
    }
  }

  /** Sleeps before the next attempt; false when the deadline does not allow another one. */
  private async backoff(attempt: number): Promise<boolean> {
    const cap = Math.min(20_000, 300 * 2 ** Math.min(attempt, 10));
    const delay = Math.random() * cap;
    if (Date.now() + delay + 1_000 > this.options.deadline || this.options.stopped()) return false;
    await new Promise((r) => setTimeout(r, delay));
    return true;
  }

  private checkStopped(operation: string): void {
    if (this.options.stopped() || Date.now() > this.options.deadline) {
      throw new FlowError(`stopped before ${operation}: the time for this event ran out`);
    }
  }
}

export function errorName(e: unknown): string {
  return (e as { name?: string })?.name ?? 'Error';
}
