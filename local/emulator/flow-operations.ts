/**
 * Semantics of the ten Flow operations over the store (as the service documents them: the operations, the status lifecycle, name uniqueness, cloning). Inputs arrive
 * already checked against the model (model.ts); this file only applies the lifecycle rules.
 */
import { randomBytes, randomUUID } from 'crypto';
import { checkFlowJson, formatFindings } from './flow-json-check';
import { FlowInput, ServiceError } from './model';
import type { Store, StoredFlow } from './store';
import type { BehaviourOptions, FlowOperation } from './types';

/** Every behaviour option with its default filled in. */
export type ResolvedBehaviour = { readonly [K in keyof BehaviourOptions]-?: NonNullable<BehaviourOptions[K]> };

export const DEFAULT_BEHAVIOUR: ResolvedBehaviour = {
  nameConflictError: 'InvalidParametersException',
  nameComparison: 'exact',
  stateErrorType: 'InvalidParametersException',
  publishInvalidOnCreate: 'draft',
  cloneWithJson: 'override',
  validationErrorFormat: 'json',
  metadataUpdateUnpublishes: false,
  metadataUpdatePublished: 'allow',
  deprecateLocked: 'allow',
  deprecateDeprecated: 'fail',
  duplicateCategories: 'keep',
  defaultPageSize: 25,
  downloadUrlTtlMs: 5 * 60 * 1000,
};

/** Preview links live 30 days (GetWhatsAppFlowPreview's documented lifetime). */
export const PREVIEW_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** A minted asset download link. */
interface Download {
  readonly flowId: string;
  readonly body: Buffer;
  readonly expiresAt: number;
}

type Output = Record<string, unknown> | undefined;

export class FlowOperations {
  private readonly downloads = new Map<string, Download>();

  constructor(
    private readonly store: Store,
    private readonly options: () => ResolvedBehaviour,
    private readonly now: () => number,
    /** Base URL of the emulator, for download links. */
    private readonly endpoint: () => string,
  ) {}

  /** Runs one operation for the (normalized, authorized) WABA. Throws ServiceError. */
  execute(operation: FlowOperation, wabaId: string, input: FlowInput): Output {
    this.store.addWaba(wabaId);
    switch (operation) {
      case 'CreateWhatsAppFlow': return this.create(wabaId, input);
      case 'UpdateWhatsAppFlow': return this.update(wabaId, input);
      case 'UpdateWhatsAppFlowAssets': return this.updateAssets(wabaId, input);
      case 'PublishWhatsAppFlow': return this.publish(wabaId, input);
      case 'DeprecateWhatsAppFlow': return this.deprecate(wabaId, input);
      case 'DeleteWhatsAppFlow': return this.delete(wabaId, input);
      case 'GetWhatsAppFlow': return this.get(wabaId, input);
      case 'GetWhatsAppFlowPreview': return this.preview(wabaId, input);
      case 'ListWhatsAppFlows': return this.list(wabaId, input);
      case 'ListWhatsAppFlowAssets': return this.listAssets(wabaId, input);
    }
  }

  /** validationErrors and jsonVersion of a document, in the configured format. */
  check(json: Buffer | undefined): { validationErrors: string[]; jsonVersion?: string } {
    if (json === undefined) return { validationErrors: [] };
    const { findings, version } = checkFlowJson(json);
    const jsonVersion = version !== undefined && version.length >= 1 && version.length <= 10 ? version : undefined;
    return { validationErrors: formatFindings(findings, this.options().validationErrorFormat), jsonVersion };
  }

  /** The body behind a download token, or why not. */
  download(token: string): { flowId?: string; body?: Buffer; expired?: boolean } {
    const d = this.downloads.get(token);
    if (!d) return {};
    if (this.now() >= d.expiresAt) return { flowId: d.flowId, expired: true };
    return { flowId: d.flowId, body: d.body };
  }

  private create(wabaId: string, input: FlowInput): Output {
    const opts = this.options();
    let json = input.flowJson;
    if (input.cloneFlowId !== undefined) {
      const source = this.store.flows.get(input.cloneFlowId);
      if (!source || source.wabaId !== wabaId) {
        throw new ServiceError('ResourceNotFoundException', `Flow ${input.cloneFlowId} to clone was not found in WhatsApp Business Account ${wabaId}`);
      }
      if (json === undefined || opts.cloneWithJson === 'ignore') json = source.json;
    }
    this.assertNameFree(wabaId, input.flowName!);
    const { validationErrors, jsonVersion } = this.check(json);
    let status = 'DRAFT';
    if (input.publish === true) {
      if (json !== undefined && validationErrors.length === 0) {
        status = 'PUBLISHED';
      } else if (opts.publishInvalidOnCreate === 'fail') {
        throw this.stateError(139002, 'Publishing Flow failed',
          json === undefined ? 'the flow has no Flow JSON' : `the Flow JSON has ${validationErrors.length} validation error(s): ${validationErrors.join(' | ')}`);
      }
    }
    const flow: StoredFlow = {
      seq: this.store.nextSeq(),
      wabaId,
      flowId: this.store.nextFlowId(),
      flowName: input.flowName!,
      categories: input.categories!,
      status,
      ...(json !== undefined ? { json } : {}),
      ...(jsonVersion !== undefined ? { jsonVersion } : {}),
      validationErrors,
    };
    this.store.putFlow(flow);
    return { flowId: flow.flowId, validationErrors };
  }

  private update(wabaId: string, input: FlowInput): Output {
    const flow = this.find(wabaId, input.flowId!);
    this.assertEditable(flow);
    if (input.flowName === undefined && input.categories === undefined) return undefined;
    if (flow.status === 'PUBLISHED' && this.options().metadataUpdatePublished === 'refuse') {
      throw this.stateError(139001, "Flow can't be updated", `flow ${flow.flowId} is PUBLISHED; its name and categories can only change while it is a DRAFT`);
    }
    if (input.flowName !== undefined) this.assertNameFree(wabaId, input.flowName, flow.flowId);
    if (input.flowName !== undefined) flow.flowName = input.flowName;
    if (input.categories !== undefined) flow.categories = input.categories;
    if (flow.status === 'PUBLISHED' && this.options().metadataUpdateUnpublishes) flow.status = 'DRAFT';
    this.store.putFlow(flow);
    return undefined;
  }

  private updateAssets(wabaId: string, input: FlowInput): Output {
    const flow = this.find(wabaId, input.flowId!);
    this.assertEditable(flow);
    const { validationErrors, jsonVersion } = this.check(input.flowJson);
    flow.json = input.flowJson;
    flow.validationErrors = validationErrors;
    if (jsonVersion !== undefined) flow.jsonVersion = jsonVersion;
    else delete flow.jsonVersion;
    if (flow.status === 'PUBLISHED') flow.status = 'DRAFT';
    this.store.putFlow(flow);
    return { validationErrors };
  }

  private publish(wabaId: string, input: FlowInput): Output {
    const flow = this.find(wabaId, input.flowId!);
    const why = flow.status !== 'DRAFT' ? `flow ${flow.flowId} is ${flow.status}; only DRAFT flows can be published`
      : flow.json === undefined ? `flow ${flow.flowId} has no Flow JSON`
        : flow.validationErrors.length > 0 ? `the Flow JSON of flow ${flow.flowId} has ${flow.validationErrors.length} validation error(s)`
          : undefined;
    if (why !== undefined) throw this.stateError(139002, 'Publishing Flow failed', why);
    flow.status = 'PUBLISHED';
    this.store.putFlow(flow);
    return undefined;
  }

  private deprecate(wabaId: string, input: FlowInput): Output {
    const opts = this.options();
    const flow = this.find(wabaId, input.flowId!);
    const locked = flow.status === 'THROTTLED' || flow.status === 'BLOCKED';
    if (flow.status === 'DEPRECATED' && opts.deprecateDeprecated === 'succeed') return undefined;
    if (flow.status === 'PUBLISHED' || (locked && opts.deprecateLocked === 'allow')) {
      flow.status = 'DEPRECATED';
      this.store.putFlow(flow);
      return undefined;
    }
    throw this.stateError(139003, "Flow can't be deprecated", `flow ${flow.flowId} is ${flow.status}; only PUBLISHED flows can be deprecated`);
  }

  private delete(wabaId: string, input: FlowInput): Output {
    const flow = this.find(wabaId, input.flowId!);
    if (flow.status !== 'DRAFT') {
      throw this.stateError(139004, "Flow can't be deleted", `flow ${flow.flowId} is ${flow.status}; only DRAFT flows can be deleted`);
    }
    this.store.deleteFlow(flow.flowId);
    return undefined;
  }

  private get(wabaId: string, input: FlowInput): Output {
    const flow = this.find(wabaId, input.flowId!);
    return {
      flowId: flow.flowId,
      flowName: flow.flowName,
      flowStatus: flow.status,
      categories: flow.categories,
      validationErrors: flow.validationErrors,
      ...(flow.jsonVersion !== undefined ? { jsonVersion: flow.jsonVersion } : {}),
      ...(flow.dataApiVersion !== undefined ? { dataApiVersion: flow.dataApiVersion } : {}),
      ...(flow.endpointUri !== undefined ? { endpointUri: flow.endpointUri } : {}),
      ...(flow.preview ? { preview: { previewUrl: flow.preview.url, expiresAt: flow.preview.expiresAt } } : {}),
    };
  }

  private preview(wabaId: string, input: FlowInput): Output {
    const flow = this.find(wabaId, input.flowId!);
    const expired = flow.preview !== undefined && Date.parse(flow.preview.expiresAt) <= this.now();
    if (!flow.preview || expired || input.invalidate === true) {
      flow.preview = {
        url: `https://business.facebook.com/wa/manage/flows/${flow.flowId}/preview/?token=${randomUUID()}`,
        expiresAt: new Date(this.now() + PREVIEW_TTL_MS).toISOString(),
      };
      this.store.putFlow(flow);
    }
    return { flowId: flow.flowId, preview: { previewUrl: flow.preview.url, expiresAt: flow.preview.expiresAt } };
  }

  private list(wabaId: string, input: FlowInput): Output {
    const after = input.nextToken === undefined ? 0 : this.readToken(input.nextToken, 'flows', wabaId);
    const size = input.maxResults ?? this.options().defaultPageSize;
    const all = [...this.store.flows.values()].filter((f) => f.wabaId === wabaId && f.seq > after).sort((a, b) => a.seq - b.seq);
    const page = all.slice(0, size);
    return {
      flows: page.map((f) => ({
        flowId: f.flowId,
        flowName: f.flowName,
        flowStatus: f.status,
        flowCategories: f.categories,
        validationErrors: f.validationErrors,
      })),
      ...(all.length > size ? { nextToken: this.writeToken('flows', wabaId, page[page.length - 1].seq) } : {}),
    };
  }

  private listAssets(wabaId: string, input: FlowInput): Output {
    const flow = this.find(wabaId, input.flowId!);
    const scope = `${wabaId}/${flow.flowId}`;
    const after = input.nextToken === undefined ? 0 : this.readToken(input.nextToken, 'assets', scope);
    const size = input.maxResults ?? this.options().defaultPageSize;
    const all = flow.json !== undefined ? [flow.json] : [];
    const page = all.slice(after, after + size);
    this.pruneDownloads();
    return {
      flowAssets: page.map((body) => {
        const token = randomBytes(24).toString('base64url');
        this.downloads.set(token, { flowId: flow.flowId, body, expiresAt: this.now() + this.options().downloadUrlTtlMs });
        return { name: 'flow.json', assetType: 'FLOW_JSON', downloadUrl: `${this.endpoint()}/_download/${token}` };
      }),
      ...(all.length > after + size ? { nextToken: this.writeToken('assets', scope, after + size) } : {}),
    };
  }

  private find(wabaId: string, flowId: string): StoredFlow {
    const flow = this.store.flows.get(flowId);
    if (!flow || flow.wabaId !== wabaId) {
      throw new ServiceError('ResourceNotFoundException', `Flow ${flowId} was not found in WhatsApp Business Account ${wabaId}`);
    }
    return flow;
  }

  /** Name unique within the WABA across every status, DEPRECATED included (the service's documented name rule). */
  private assertNameFree(wabaId: string, name: string, exceptFlowId?: string): void {
    const fold = this.options().nameComparison === 'caseInsensitive' ? (s: string) => s.toLowerCase() : (s: string) => s;
    const wanted = fold(name);
    for (const f of this.store.flows.values()) {
      if (f.wabaId === wabaId && f.flowId !== exceptFlowId && fold(f.flowName) === wanted) {
        throw new ServiceError(this.options().nameConflictError,
          `Flow name is not unique (Meta error 100): flow ${f.flowId} in WhatsApp Business Account ${wabaId} is already named ${JSON.stringify(name)}`);
      }
    }
  }

  /** Only DRAFT and PUBLISHED flows accept metadata or JSON changes (Meta 139001). */
  private assertEditable(flow: StoredFlow): void {
    if (flow.status !== 'DRAFT' && flow.status !== 'PUBLISHED') {
      throw this.stateError(139001, "Flow can't be updated", `flow ${flow.flowId} is ${flow.status}; only DRAFT and PUBLISHED flows can be changed`);
    }
  }

  private stateError(code: number, title: string, why: string): ServiceError {
    return new ServiceError(this.options().stateErrorType, `${title} (Meta error ${code}): ${why}`);
  }

  private writeToken(kind: string, scope: string, after: number): string {
    return Buffer.from(JSON.stringify({ k: kind, s: scope, a: after })).toString('base64url');
  }

  private readToken(token: string, kind: string, scope: string): number {
    try {
      const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown; s?: unknown; a?: unknown };
      if (t.k === kind && t.s === scope && typeof t.a === 'number' && Number.isInteger(t.a) && t.a >= 0) return t.a;
    } catch {
      // fall through
    }
    throw new ServiceError('ValidationException', 'The nextToken is not valid for this request; start again without nextToken');
  }

  private pruneDownloads(): void {
    const horizon = this.now() - this.options().downloadUrlTtlMs;
    for (const [token, d] of this.downloads) if (d.expiresAt < horizon) this.downloads.delete(token);
  }
}
