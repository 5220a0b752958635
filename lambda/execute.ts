/**
 * Runs a plan with the service: exactly the planned calls, plus the reads that check their
 * result, plus the cleanup that leaves nothing half-applied when a step fails.
 */
import * as http from 'http';
import * as https from 'https';
import { canonicalSha256 } from '../lib/private/json-text';
import { Plan, planAdoption, FlowState, Status, Step } from './plan';
import { ContentRef, FlowSpec } from './props';
import { errorName, FlowError, FlowService, isTransient } from './service';
import { Logger } from './log';

/** What the event's answer reports about the flow. */
export interface Outcome {
  readonly flowId: string;
  readonly status: string;
  readonly validationErrors: string[];
  readonly previewUrl: string;
  readonly previewExpiresAt: string;
  /** created | adopted | replaced | updated | unchanged | deleted | deprecated | none */
  readonly action: string;
}

/** Mutable progress shared with the timeout guard, so a late answer names a flow that exists. */
export interface Progress {
  /** A flow this event created and has not removed (cleanup target; physical id if we must fail). */
  createdFlowId?: string;
}

/** A failure that must be answered with a physical id other than the event's (a flow was left). */
export class FailureWithFlow extends FlowError {
  constructor(
    message: string,
    public readonly flowId: string,
  ) {
    super(message);
  }
}

export class Executor {
  constructor(
    private readonly service: FlowService,
    private readonly log: Logger,
    private readonly progress: Progress,
  ) {}

  /** Create (also a replacement): a new flow, or the adopted holder of the name. */
  public async create(spec: FlowSpec, plan: Plan, replacing?: { flowId: string; status?: string }): Promise<Outcome> {
    try {
      return await this.createOrAdopt(spec, plan, replacing);
    } catch (e) {
      throw await this.cleanupCreated(e, spec.wabaId);
    }
  }

  /** An in-place update of an existing flow. */
  public async update(flowId: string, spec: FlowSpec, current: FlowState, plan: Plan): Promise<Outcome> {
    return this.applySteps(flowId, spec, current, plan.steps, 'updated');
  }

  public async delete(flowId: string, spec: FlowSpec, current: FlowState | null | undefined, plan: Plan): Promise<Outcome> {
    for (const step of plan.steps) {
      if (step.kind === 'delete') {
        await this.service.delete(spec.wabaId, flowId);
      } else if (step.kind === 'deprecate') {
        try {
          await this.service.deprecate(spec.wabaId, flowId);
        } catch (e) {
          if (!step.tolerateRefusal || isTransient((e as FlowError).cause)) throw e;
          // A stack deletion must not fail on a flow Meta has locked.
          this.log.warn({ event: 'deprecate-refused', flowId, status: current?.status, error: (e as Error).message, divergence: 'flow left in place; it cannot be sent while Meta keeps it locked' });
          return outcome(flowId, current?.status ?? '', [], 'none');
        }
      }
    }
    const status = plan.action === 'delete' ? 'DELETED' : plan.action === 'deprecate' ? Status.DEPRECATED : (current?.status ?? '');
    return outcome(flowId, status, [], plan.action === 'none' ? 'none' : plan.action === 'delete' ? 'deleted' : 'deprecated');
  }

  private async createOrAdopt(spec: FlowSpec, plan: Plan, replacing?: { flowId: string; status?: string }): Promise<Outcome> {
    const holder = await this.service.findByName(spec.wabaId, spec.flowName);
    if (holder) {
      if (replacing && holder.flowId === replacing.flowId) {
        throw new FlowError(
          `flow ${holder.flowId} was ${holder.status === Status.DEPRECATED ? 'deprecated' : holder.status} outside CloudFormation and still holds the name ${JSON.stringify(spec.flowName)} ` +
            `(a deprecated flow keeps its name for good); change flowName to re-create the flow under a new name, or remove the flow from the stack`,
        );
      }
      if (spec.adoptExisting) {
        return this.adopt(holder.flowId, spec);
      }
      throw new FlowError(
        `the name ${JSON.stringify(spec.flowName)} is already used in ${spec.wabaId} by flow ${holder.flowId} (status ${holder.status}), which this stack did not create; ` +
          `choose another flowName, or delete or rename that flow, or set adoptExisting: true to bring it under this stack` +
          (holder.status === Status.DEPRECATED ? ' (it is DEPRECATED, so its name is never freed: choose another flowName)' : ''),
      );
    }

    const content = spec.content ? await this.service.readContent(spec.content) : undefined;
    const cloneThenUpload = spec.cloneFlowId !== undefined && content !== undefined;
    const created = await this.service.create({
      wabaId: spec.wabaId,
      flowName: spec.flowName,
      categories: spec.categories,
      flowJson: cloneThenUpload ? undefined : content,
      publish: spec.publish && !cloneThenUpload,
      cloneFlowId: spec.cloneFlowId,
    });
    const flowId = created.flowId;
    this.progress.createdFlowId = flowId;
    this.log.info({ event: 'created', flowId, reconciled: created.reconciled || undefined });

    let errors = created.validationErrors;
    if (cloneThenUpload) {
      // Whether CreateWhatsAppFlow applies flowJson together with cloneFlowId is not documented:
      // clone first, then set the declared content explicitly.
      errors = await this.service.updateContent(spec.wabaId, flowId, content!);
    }
    let status: string = Status.DRAFT;
    if (spec.publish) {
      if (errors.length > 0) {
        throw new FlowError(`the flow cannot be published: Meta reports validation errors: ${formatErrors(errors)}; fix the Flow JSON (npx whatsapp-flow validate shows most of them offline)`);
      }
      if (cloneThenUpload) {
        await this.service.publish(spec.wabaId, flowId);
      }
      const state = await this.service.get(spec.wabaId, flowId);
      if (!state) throw new FlowError(`flow ${flowId} disappeared right after it was created`);
      if (state.status === Status.DRAFT && state.validationErrors.length === 0) {
        // The service left it a draft without saying why: publish explicitly.
        await this.service.publish(spec.wabaId, flowId);
      } else if (state.status !== Status.PUBLISHED) {
        throw new FlowError(
          `the flow was not published (status ${state.status})` +
            (state.validationErrors.length ? `: Meta reports validation errors: ${formatErrors(state.validationErrors)}` : '') +
            '; fix the Flow JSON and deploy again',
        );
      }
      status = Status.PUBLISHED;
    }
    const preview = await this.previewIfAsked(spec, flowId, plan.steps);
    this.progress.createdFlowId = undefined;
    return { flowId, status, validationErrors: errors, ...preview, action: plan.action === 'replace' ? 'replaced' : 'created' };
  }

  /** Takes over an existing flow, then makes it match the declaration. */
  private async adopt(flowId: string, spec: FlowSpec): Promise<Outcome> {
    const current = await this.service.get(spec.wabaId, flowId);
    if (!current) throw new FlowError(`flow ${flowId} disappeared while being adopted; deploy again`);
    if (current.status === Status.DEPRECATED) {
      throw new FlowError(`the name ${JSON.stringify(spec.flowName)} is held by flow ${flowId}, which is DEPRECATED and cannot be adopted or changed; choose another flowName`);
    }
    const deployed = spec.content && current.status !== Status.BLOCKED ? await this.deployedContentSha(spec.wabaId, flowId) : undefined;
    const adoption = planAdoption(spec, current, deployed);
    this.log.info({ event: 'adopting', flowId, status: current.status, planned: adoption.steps.map((st) => st.kind), notes: adoption.notes.length ? adoption.notes : undefined });
    return this.applySteps(flowId, spec, current, adoption.steps, 'adopted');
  }

  /** SHA-256 of the canonical form of the flow's deployed JSON; undefined when it cannot be read. */
  private async deployedContentSha(wabaId: string, flowId: string): Promise<string | undefined> {
    try {
      const url = await this.service.contentUrl(wabaId, flowId);
      if (!url) return undefined;
      const text = await download(url);
      return canonicalSha256(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
    } catch (e) {
      this.log.warn({ event: 'content-unreadable', flowId, error: errorName(e), note: 'uploading the declared content' });
      return undefined;
    }
  }

  private async applySteps(flowId: string, spec: FlowSpec, current: FlowState, steps: Step[], action: string): Promise<Outcome> {
    let status = current.status;
    let errors = current.validationErrors;
    let restore: ContentRef | undefined;
    let wrote = false;
    let preview = { previewUrl: current.preview?.previewUrl ?? '', previewExpiresAt: current.preview?.expiresAt ?? '' };
    try {
      for (const step of steps) {
        switch (step.kind) {
          case 'updateMetadata':
            await this.service.updateMetadata(spec.wabaId, flowId, { flowName: step.flowName, categories: step.categories });
            wrote = true;
            break;
          case 'keepPublished': {
            const after = await this.service.get(spec.wabaId, flowId);
            if (after?.status === Status.DRAFT) {
              this.log.info({ event: 'republish', flowId, why: 'the metadata update returned the published flow to DRAFT' });
              await this.publishChecked(spec.wabaId, flowId, after.validationErrors);
            }
            break;
          }
          case 'updateContent': {
            const bytes = await this.service.readContent(step.content);
            restore = step.restore;
            errors = await this.service.updateContent(spec.wabaId, flowId, bytes);
            wrote = true;
            if (status === Status.PUBLISHED || status === Status.THROTTLED) status = Status.DRAFT;
            if (step.publishAfter) {
              await this.publishChecked(spec.wabaId, flowId, errors);
              status = Status.PUBLISHED;
            }
            restore = undefined;
            break;
          }
          case 'publish':
            await this.publishChecked(spec.wabaId, flowId, errors);
            wrote = true;
            status = Status.PUBLISHED;
            break;
          case 'preview':
            preview = await this.fetchPreview(spec.wabaId, flowId, step.invalidate, preview);
            break;
          default:
            throw new Error(`step ${step.kind} does not belong to an update`);
        }
      }
    } catch (e) {
      if (restore) await this.restoreContent(spec.wabaId, flowId, restore);
      if (current.status === Status.THROTTLED && !isTransient((e as FlowError).cause) && !(e instanceof PublishBlocked)) {
        // Meta's lock, not the declaration: never leave a stack in UPDATE_ROLLBACK_FAILED over it.
        this.log.warn({ event: 'divergence', flowId, status: current.status, error: (e as Error).message, divergence: 'the flow refused the change while THROTTLED; it keeps its previous state' });
        return { flowId, status: current.status, validationErrors: errors, ...preview, action: 'unchanged' };
      }
      throw e;
    }
    return { flowId, status, validationErrors: errors, ...preview, action: action === 'updated' && !wrote ? 'unchanged' : action };
  }

  private async publishChecked(wabaId: string, flowId: string, errors: string[]): Promise<void> {
    if (errors.length > 0) {
      throw new PublishBlocked(`the flow cannot be published: Meta reports validation errors: ${formatErrors(errors)}; fix the Flow JSON (npx whatsapp-flow validate shows most of them offline)`);
    }
    await this.service.publish(wabaId, flowId);
  }

  /** Puts a live flow's previous content back and republishes it, so a failed update leaves it sendable. */
  private async restoreContent(wabaId: string, flowId: string, restore: ContentRef): Promise<void> {
    try {
      const bytes = await this.service.readContent(restore);
      const errors = await this.service.updateContent(wabaId, flowId, bytes);
      if (errors.length === 0) await this.service.publish(wabaId, flowId);
      this.log.warn({ event: 'restored', flowId, republished: errors.length === 0 });
    } catch (e) {
      this.log.error({ event: 'restore-failed', flowId, error: (e as Error).message, divergence: 'the flow may be left in DRAFT until the rollback or the next deploy' });
    }
  }

  private async previewIfAsked(spec: FlowSpec, flowId: string, steps: Step[]): Promise<{ previewUrl: string; previewExpiresAt: string }> {
    const none = { previewUrl: '', previewExpiresAt: '' };
    if (!spec.preview || !steps.some((s) => s.kind === 'preview')) return none;
    return this.fetchPreview(spec.wabaId, flowId, false, none);
  }

  /** Best effort: a preview that cannot be had is a warning, never a failure. */
  private async fetchPreview(
    wabaId: string,
    flowId: string,
    invalidate: boolean,
    fallback: { previewUrl: string; previewExpiresAt: string },
  ): Promise<{ previewUrl: string; previewExpiresAt: string }> {
    try {
      const p = await this.service.preview(wabaId, flowId, invalidate);
      return { previewUrl: p.previewUrl, previewExpiresAt: p.expiresAt };
    } catch (e) {
      this.log.warn({ event: 'preview-failed', flowId, error: `${errorName(e)}: ${(e as Error).message}` });
      return invalidate ? { previewUrl: '', previewExpiresAt: '' } : fallback;
    }
  }

  /** After a failed create: remove the draft it left, or say which flow remains. */
  private async cleanupCreated(e: unknown, wabaId: string): Promise<unknown> {
    const flowId = this.progress.createdFlowId;
    if (!flowId) return e;
    const message = (e as Error).message;
    try {
      const state = await this.service.get(wabaId, flowId);
      if (state && state.status === Status.DRAFT) {
        await this.service.delete(wabaId, flowId);
        this.progress.createdFlowId = undefined;
        this.log.info({ event: 'cleanup', flowId, action: 'deleted the draft this event created' });
        return new FlowError(`${message} (the draft flow ${flowId} created by this attempt was deleted)`);
      }
      if (state === null) {
        this.progress.createdFlowId = undefined;
        return e;
      }
    } catch (cleanupError) {
      this.log.error({ event: 'cleanup-failed', flowId, error: (cleanupError as Error).message });
    }
    return new FailureWithFlow(`${message} (flow ${flowId} created by this attempt could not be removed; CloudFormation's rollback deletes it)`, flowId);
  }
}

/** Publishing was refused because of the content: the declaration is wrong, not the flow's state. */
export class PublishBlocked extends FlowError {}

function outcome(flowId: string, status: string, validationErrors: string[], action: string): Outcome {
  return { flowId, status, validationErrors, previewUrl: '', previewExpiresAt: '', action };
}

/** Meta's validation errors as one line: each entry parsed if it is a serialized error object. */
export function formatErrors(errors: string[]): string {
  return errors
    .map((raw) => {
      try {
        const o = JSON.parse(raw);
        if (o && typeof o === 'object') {
          const code = o.error ?? o.code ?? o.error_type;
          const path = Array.isArray(o.pointers) && o.pointers[0]?.path ? ` at ${o.pointers[0].path}` : '';
          const line = o.line_start !== undefined ? ` (line ${o.line_start})` : '';
          return `${code ? `${code}: ` : ''}${o.message ?? raw}${path}${line}`;
        }
      } catch {
        // a plain message
      }
      return raw;
    })
    .join('; ');
}

function download(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const transport = url.startsWith('http:') ? http : https;
    const req = transport.get(url, { timeout: 30_000 }, (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        res.resume();
        reject(new Error(`download returned HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('download timed out')));
    req.on('error', reject);
  });
}
