/**
 * Runs a plan with the service: exactly the planned calls, plus the reads that check their
 * result, plus the cleanup that leaves nothing half-applied when a step fails.
 */
import { physicalIdOf } from '../lib/shared/contract';
import { declarer } from '../lib/shared/holders';
import { canonicalTextSha256 } from '../lib/shared/canonical-json';
import { Logger } from './log';
import { FlowState, isLive, Plan, planAdoption, Status, Step } from './plan';
import { ContentRef, FlowSpec } from './props';
import { CreateUncertain, errorName, FlowError, FlowService, FlowSummary, isDefinitive, isIamDenial, isNotFound, isTransient, sleep, WRITE_WINDOW_MS } from './service';

/**
 * How long a create waits for a name that another flow holds: a sibling resource renaming its
 * flow away in the same deploy releases it within seconds (CloudFormation runs them in parallel,
 * in an order it picks).
 */
const NAME_WAIT_MS = 30_000;
/**
 * Until this long after CloudFormation sent an event, an earlier event for the same flow that it
 * cancelled may still write: its writes start within WRITE_WINDOW_MS of its own sending (which
 * came earlier) and a call lasts at most 60 s. A Delete of a cancelled or cut-short create looks
 * for the flow that create may still make until then; an Update that finds the flow already as
 * it declares, although its properties changed, watches it until then.
 */
const LATE_WRITES_MS = WRITE_WINDOW_MS + 60_000 + 10_000;
/** Time kept back from the deadline when waiting, so that the event still ends in order. */
const WAIT_MARGIN_MS = 5_000;
/** How long a create refused for a flow exactly like its own waits before answering FAILED. */
const DUPLICATE_GRACE_MS = 30_000;

/** What the event's answer reports about the flow. */
export interface Outcome {
  readonly flowId: string;
  /** The physical id to answer (the event's own for a Delete). */
  readonly physicalId: string;
  readonly status: string;
  readonly validationErrors: string[];
  readonly previewUrl: string;
  readonly previewExpiresAt: string;
  /** created | adopted | replaced | updated | unchanged | deleted | deprecated | none */
  readonly action: string;
  /** What could not be made as declared, in words. */
  readonly divergence: string[];
}

/** Mutable progress shared with the timeout guard, so a late answer names a flow that exists. */
export interface Progress {
  /** A flow this event created and has not removed (cleanup target; physical id if we must fail). */
  createdFlowId?: string;
  /** A CreateWhatsAppFlow call is under way: if the time runs out now, the flow may still appear. */
  createInFlight?: boolean;
}

/** What the executor knows about the event beyond the plan. */
export interface EventContext {
  readonly logicalId: string;
  /** The provider's map of which resource declares each flow (HOLDERS_ENV). */
  readonly holders?: string;
  /** When CloudFormation sent the event (epoch ms), or when it arrived if that is unknown. */
  readonly issuedAt: number;
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

/** Publishing was refused because of the content: the declaration is wrong, not the flow's state. */
export class PublishBlocked extends FlowError {}

export class Executor {
  constructor(
    private readonly service: FlowService,
    private readonly log: Logger,
    private readonly progress: Progress,
    private readonly ctx: EventContext,
  ) {}

  /** Create (also a replacement): a new flow, or the adopted holder of the name. */
  public async create(spec: FlowSpec, plan: Plan, replacing?: { flowId: string; status?: string }): Promise<Outcome> {
    try {
      return await this.createOrAdopt(spec, plan, replacing);
    } catch (e) {
      throw await this.cleanupCreated(e, spec.wabaId);
    }
  }

  /**
   * An in-place update of an existing flow; the physical id stays as it is. With `watch`, the
   * flow was found already as declared although the properties changed: an earlier event for it,
   * which CloudFormation cancelled, may still be under way, so the flow is watched until that
   * event must have stopped writing, and put back as declared if it changes.
   */
  public async update(physicalId: string, flowId: string, spec: FlowSpec, current: FlowState, plan: Plan, watch = false): Promise<Outcome> {
    const result = await this.applySteps(physicalId, flowId, spec, current, plan.steps, 'updated', plan.notes);
    if (!watch) return result;
    const settled = await this.settle(flowId, spec, isLive(result.status));
    return settled ? { ...result, action: 'updated' } : result;
  }

  /** Watches a flow while an earlier, cancelled event may still write to it; puts it back when it does. Whether it had to. */
  private async settle(flowId: string, spec: FlowSpec, live: boolean): Promise<boolean> {
    const until = Math.min(this.ctx.issuedAt + LATE_WRITES_MS, Date.now() + this.service.timeLeft() - WAIT_MARGIN_MS);
    this.service.allowWritesUntil(until);
    this.log.info({ event: 'settle', flowId, untilMs: until - Date.now(), note: 'the flow was already as declared: watching for the late writes of a cancelled earlier event' });
    let fixed = false;
    while (Date.now() + 2_000 < until) {
      await sleep(2_000);
      const now = await this.service.get(spec.wabaId, flowId);
      if (!now) return fixed;
      const renamed = now.flowName !== spec.flowName;
      const recategorized = now.categories !== undefined && !sameSet(now.categories, spec.categories);
      if (renamed || recategorized) {
        this.log.warn({ event: 'settle', flowId, note: 'a late write changed the flow: putting it back as declared' });
        await this.updateMetadata(spec.wabaId, flowId, now, { flowName: renamed ? spec.flowName : undefined, categories: recategorized ? spec.categories : undefined });
        fixed = true;
      }
      const after = renamed || recategorized ? await this.service.get(spec.wabaId, flowId) : now;
      if (after && (live || spec.publish) && after.status === Status.DRAFT && after.validationErrors.length === 0) {
        await this.service.publish(spec.wabaId, flowId);
        fixed = true;
      }
    }
    return fixed;
  }

  public async delete(physicalId: string, flowId: string | undefined, spec: FlowSpec, current: FlowState | null | undefined, plan: Plan): Promise<Outcome> {
    let status = current?.status ?? '';
    let action = 'none';
    const divergence: string[] = [];
    for (const step of plan.steps) {
      switch (step.kind) {
        case 'delete':
          await this.service.delete(spec.wabaId, flowId!);
          status = 'DELETED';
          action = 'deleted';
          await this.completePendingRename(spec.wabaId, current!.flowName);
          break;
        case 'retire': {
          const r = await this.retire(spec.wabaId, flowId!, current!);
          status = r.status;
          action = r.status === Status.DEPRECATED ? 'deprecated' : 'none';
          divergence.push(...r.divergence);
          if (r.renamed) await this.completePendingRename(spec.wabaId, current!.flowName);
          break;
        }
        case 'deprecate':
          try {
            await this.service.deprecate(spec.wabaId, flowId!);
            status = Status.DEPRECATED;
            action = 'deprecated';
          } catch (e) {
            if (!step.tolerateRefusal || isTransient((e as FlowError).cause)) throw e;
            // A stack deletion must not fail on a flow Meta has locked.
            this.log.warn({ event: 'deprecate-refused', flowId, status, error: (e as Error).message, divergence: 'flow left in place; it cannot be sent while Meta keeps it locked' });
            divergence.push(`flow ${flowId} is ${status} and the service refused to deprecate it: left in place`);
          }
          break;
        case 'removeExactMatch': {
          const r = await this.removeExactMatch(spec, step.waitForCreate);
          return { ...outcome(r.flowId, physicalId, r.status, [], r.action), divergence: r.divergence };
        }
        default:
          throw new Error(`step ${step.kind} does not belong to a delete`);
      }
    }
    return { ...outcome(flowId ?? '', physicalId, status, [], action), divergence };
  }

  private async createOrAdopt(spec: FlowSpec, plan: Plan, replacing?: { flowId: string; status?: string }): Promise<Outcome> {
    const names = await this.service.scanNames(spec.wabaId, spec.flowName);
    if (names.exact) {
      const holder = names.exact;
      if (replacing && holder.flowId === replacing.flowId) {
        throw new FlowError(
          `flow ${holder.flowId} was ${holder.status === Status.DEPRECATED ? 'deprecated' : holder.status} outside CloudFormation and still holds the name ${JSON.stringify(spec.flowName)} ` +
            `(a deprecated flow keeps its name for good); change flowName to re-create the flow under a new name, or remove the flow from the stack`,
        );
      }
      if (spec.adoptExisting) return this.adopt(holder.flowId, spec);
      // A flow exactly like this event's: most likely made by another delivery of this very event.
      // A holder that vanishes while it is being compared was deleted at that very moment: by
      // CloudFormation undoing this create, most likely; it counts as the twin.
      const exact = await this.isExactMatch(holder, spec).catch(() => false);
      const twin = exact || (await this.service.get(spec.wabaId, holder.flowId)) === null ? holder.flowId : undefined;
      // Another resource of the stack may be renaming its flow away in this deploy: wait for it.
      const still = await this.waitForName(spec.wabaId, spec.flowName);
      if (still) throw takenError(spec, still);
      if (twin) {
        const after = await this.service.get(spec.wabaId, twin);
        if (!after || after.status === Status.DEPRECATED || after.flowName !== spec.flowName) {
          // The twin was deleted or retired (renamed out of the way, its deprecation to follow)
          // while this event waited: CloudFormation has undone this create (this is a late second
          // delivery of it); no sibling renames it, since no other resource declares it. Creating
          // now would leave a flow nothing removes.
          throw new FlowError(`flow ${twin}, exactly what this event declares, was removed while this event waited for its name: CloudFormation has undone this create, so nothing is created (a late second delivery of the event)`);
        }
      }
    }

    const content = spec.content ? await this.service.readContent(spec.content) : undefined;
    const cloneThenUpload = spec.cloneFlowId !== undefined && content !== undefined;
    this.progress.createInFlight = true;
    let created;
    try {
      created = await this.service.create(
        {
          wabaId: spec.wabaId,
          flowName: spec.flowName,
          categories: spec.categories,
          flowJson: cloneThenUpload ? undefined : content,
          publish: spec.publish && !cloneThenUpload,
          cloneFlowId: spec.cloneFlowId,
        },
        (h) => this.isExactMatch(h, spec),
      );
    } finally {
      this.progress.createInFlight = false;
    }
    if (created.kind === 'taken') {
      if (spec.adoptExisting) return this.adopt(created.holder.flowId, spec);
      if (await this.isExactMatch(created.holder, spec).catch(() => false)) {
        // Exactly this event's flow, made a moment ago: most likely by a second delivery of this
        // very event, whose answer CloudFormation should hear first. This one is not taken (it
        // could as well be another stack's), and the failure is answered after a grace period.
        this.log.info({ event: 'duplicate-grace', flowId: created.holder.flowId, note: 'a flow exactly like this event\'s took the name: answering the failure late, so that a duplicate delivery\'s success counts' });
        await sleep(Math.min(DUPLICATE_GRACE_MS, Math.max(0, this.service.timeLeft() - WAIT_MARGIN_MS)));
      }
      throw takenError(spec, created.holder);
    }
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
    return { flowId, physicalId: physicalIdOf(flowId, false), status, validationErrors: errors, ...preview, action: plan.action === 'replace' ? 'replaced' : 'created', divergence: [] };
  }

  /** Takes over an existing flow, then makes it match the declaration. */
  private async adopt(flowId: string, spec: FlowSpec): Promise<Outcome> {
    const current = await this.service.get(spec.wabaId, flowId);
    if (!current) throw new FlowError(`flow ${flowId} disappeared while being adopted; deploy again`);
    if (current.status === Status.DEPRECATED) {
      throw new FlowError(`the name ${JSON.stringify(spec.flowName)} is held by flow ${flowId}, which is DEPRECATED and cannot be adopted or changed; choose another flowName`);
    }
    let deployed: Buffer | undefined;
    if (spec.content && current.status !== Status.BLOCKED) {
      try {
        deployed = await this.service.deployedContent(spec.wabaId, flowId);
      } catch (e) {
        if (isLive(current.status)) {
          throw new FlowError(
            `the deployed Flow JSON of live flow ${flowId} cannot be read, and adoption needs it to compare with the declared content and to put it back if Meta refuses the new one: ${(e as Error).message}; nothing was changed`,
            e,
          );
        }
        this.log.warn({ event: 'content-unreadable', flowId, error: errorName((e as FlowError).cause ?? e), note: 'a draft: uploading the declared content' });
      }
    }
    const adoption = planAdoption(spec, current, deployed === undefined ? undefined : canonicalTextSha256(deployed.toString('utf8')));
    this.log.info({ event: 'adopting', flowId, status: current.status, planned: adoption.steps.map((st) => st.kind), notes: adoption.notes.length ? adoption.notes : undefined });
    return this.applySteps(physicalIdOf(flowId, true), flowId, spec, current, adoption.steps, 'adopted', adoption.notes, deployed);
  }

  private async applySteps(
    physicalId: string,
    flowId: string,
    spec: FlowSpec,
    current: FlowState,
    steps: Step[],
    action: string,
    notes: string[],
    knownDeployed?: Buffer,
  ): Promise<Outcome> {
    let status = current.status;
    let errors = current.validationErrors;
    let restore: Uint8Array | undefined;
    let wrote = false;
    const divergence: string[] = current.status === Status.BLOCKED ? notes.filter((n) => n.includes('BLOCKED')) : [];
    let preview = { previewUrl: current.preview?.previewUrl ?? '', previewExpiresAt: current.preview?.expiresAt ?? '' };
    try {
      for (const step of steps) {
        switch (step.kind) {
          case 'updateMetadata': {
            const r = await this.updateMetadata(spec.wabaId, flowId, current, step);
            wrote ||= r.wrote;
            divergence.push(...r.divergence);
            break;
          }
          case 'keepPublished': {
            const after = await this.service.get(spec.wabaId, flowId);
            if (after?.status === Status.DRAFT) {
              this.log.info({ event: 'republish', flowId, why: 'the metadata update returned the published flow to DRAFT' });
              await this.publishChecked(spec.wabaId, flowId, after.validationErrors);
            }
            break;
          }
          case 'updateContent': {
            if (step.live || isLive(status)) {
              const inPlace = knownDeployed ?? (await this.contentInPlace(spec.wabaId, flowId, step.restore));
              if (inPlace && canonicalTextSha256(Buffer.from(inPlace).toString('utf8')) === step.content.sha256) {
                this.log.info({ event: 'content-in-place', flowId, note: 'the declared content is already deployed: not uploaded again' });
                break;
              }
              restore = inPlace;
            }
            const bytes = await this.service.readContent(step.content);
            errors = await this.service.updateContent(spec.wabaId, flowId, bytes);
            wrote = true;
            if (isLive(status)) status = Status.DRAFT;
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
          case 'removeMovedCopy': {
            // Best effort: a rollback must complete.
            try {
              const r = await this.service.bestEffort(() => this.removeExactMatch(step.spec, true));
              if (r.action !== 'none') this.log.info({ event: 'cleanup', flowId: r.flowId, note: `the copy the failed move made in ${step.spec.wabaId}: ${r.action}` });
            } catch (e) {
              this.log.warn({ event: 'cleanup-failed', note: `the copy the failed move may have made in ${step.spec.wabaId} could not be removed`, error: (e as Error).message });
            }
            break;
          }
          default:
            throw new Error(`step ${step.kind} does not belong to an update`);
        }
      }
    } catch (e) {
      if (restore) await this.restoreContent(spec.wabaId, flowId, restore);
      if (current.status === Status.THROTTLED && !isTransient((e as FlowError).cause) && !(e instanceof PublishBlocked)) {
        // Meta's lock, not the declaration: never leave a stack in UPDATE_ROLLBACK_FAILED over it.
        this.log.warn({ event: 'divergence', flowId, status: current.status, error: (e as Error).message, divergence: 'the flow refused the change while THROTTLED; it keeps its previous state' });
        return { flowId, physicalId, status: current.status, validationErrors: errors, ...preview, action: 'unchanged', divergence: [`flow ${flowId} is THROTTLED and refused the change: ${(e as Error).message}`] };
      }
      throw e;
    }
    return { flowId, physicalId, status, validationErrors: errors, ...preview, action: action === 'updated' && !wrote ? 'unchanged' : action, divergence };
  }

  /**
   * The content of a live flow before it is replaced, to put back if Meta refuses the new one:
   * read from the service (what is really deployed), else the declared previous content. Without
   * either, nothing is changed.
   */
  private async contentInPlace(wabaId: string, flowId: string, declared?: ContentRef): Promise<Uint8Array> {
    try {
      const deployed = await this.service.deployedContent(wabaId, flowId);
      if (deployed) return deployed;
    } catch (e) {
      this.log.warn({ event: 'content-unreadable', flowId, error: (e as Error).message });
      if (!declared) {
        throw new FlowError(
          `the content of live flow ${flowId} cannot be read to keep it as a restore point (${(e as Error).message}), and no previous content is declared; nothing was changed, so the flow stays sendable: deploy again`,
          e,
        );
      }
    }
    if (declared) return this.service.readContent(declared);
    throw new FlowError(`live flow ${flowId} has no Flow JSON to keep as a restore point; nothing was changed`);
  }

  /**
   * UpdateWhatsAppFlow. A rename whose name another flow holds steps aside first (frees the old
   * name, which a sibling may be waiting for) and waits for the name; if it stays taken, the flow
   * keeps its name and the event reports the divergence instead of failing, since the same
   * request is also how a rollback restores a name (and a rollback must complete).
   */
  private async updateMetadata(wabaId: string, flowId: string, current: FlowState, change: { flowName?: string; categories?: string[] }): Promise<{ wrote: boolean; divergence: string[] }> {
    const divergence: string[] = [];
    let wrote = false;
    let categories = change.categories;
    if (change.flowName !== undefined) {
      const target = change.flowName;
      const r = await this.tryMetadata(wabaId, flowId, { flowName: target, categories }, current.status);
      if (r === 'done') {
        await this.completePendingRename(wabaId, current.flowName);
        return { wrote: true, divergence };
      }
      if (r !== 'taken') {
        divergence.push(`the service refused to rename flow ${flowId} to ${JSON.stringify(target)}: ${r}; it keeps the name ${JSON.stringify(current.flowName)}`);
        return { wrote, divergence: [...divergence, ...(await this.categoriesOnly(wabaId, flowId, categories, current.status))] };
      }
      // Another flow holds the name: step aside under a name that says which name it waits for
      // (freeing its own, which a sibling may be waiting for), then wait for it.
      const aside = pendingName(target, flowId);
      const moved = (await this.tryMetadata(wabaId, flowId, { flowName: aside, categories }, current.status)) === 'done';
      if (moved) {
        wrote = true;
        categories = undefined;
        await this.completePendingRename(wabaId, current.flowName);
      }
      const still = await this.waitForName(wabaId, target, flowId);
      if (!still && (await this.tryMetadata(wabaId, flowId, { flowName: target, categories }, current.status)) === 'done') {
        return { wrote: true, divergence };
      }
      const blocker = still ?? (await this.service.scanNames(wabaId, target)).exact;
      divergence.push(
        `flow ${flowId} could not be renamed to ${JSON.stringify(target)}: ` +
          (blocker ? `flow ${blocker.flowId} (${blocker.status}) holds that name` : 'the service refused the name') +
          (moved
            ? `; it waits under the name ${JSON.stringify(aside)}, and takes ${JSON.stringify(target)} as soon as a deploy frees it (a flow that leaves the stack does, in the cleanup phase)`
            : `; it keeps the name ${JSON.stringify(current.flowName)}`) +
          '. If another stack or the console holds that name, rename or remove that flow, or choose another flowName',
      );
      this.log.warn({ event: 'divergence', flowId, divergence: divergence[divergence.length - 1] });
      return { wrote, divergence: [...divergence, ...(await this.categoriesOnly(wabaId, flowId, categories, current.status))] };
    }
    if (categories) {
      const d = await this.categoriesOnly(wabaId, flowId, categories, current.status);
      return { wrote: d.length === 0, divergence: d };
    }
    return { wrote, divergence };
  }

  private async categoriesOnly(wabaId: string, flowId: string, categories: string[] | undefined, status?: string): Promise<string[]> {
    if (!categories) return [];
    const r = await this.tryMetadata(wabaId, flowId, { categories }, status);
    return r === 'done' ? [] : [`the service refused to change the categories of flow ${flowId}: ${r}`];
  }

  /**
   * One UpdateWhatsAppFlow: 'done', 'taken' (the name is held), or the refusal's message. A
   * ValidationException is bad input for a draft, and fails the event; for a flow that is not a
   * draft it is the service refusing to edit a live flow (whether it says so with this exception
   * or another is not documented), a refusal like any other, so that a rollback still completes.
   */
  private async tryMetadata(wabaId: string, flowId: string, change: { flowName?: string; categories?: string[] }, status?: string): Promise<'done' | 'taken' | string> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.service.updateMetadata(wabaId, flowId, change);
        return 'done';
      } catch (e) {
        const cause = (e as FlowError).cause;
        const live = status !== undefined && status !== Status.DRAFT;
        if (!isDefinitive(cause) || isIamDenial(cause) || ((cause as { name?: string })?.name === 'ValidationException' && !live)) throw e;
        if (change.flowName === undefined) return (e as Error).message;
        const holder = (await this.service.scanNames(wabaId, change.flowName)).exact;
        if (holder && holder.flowId !== flowId) return 'taken';
        // Free now: the flow that held it moved away meanwhile (a sibling's rename). Try again.
        if (attempt >= 3) return (e as Error).message;
      }
    }
  }

  /**
   * Polls the name until no flow (other than `self`) holds it or the wait is over; returns the
   * holder that is still there.
   */
  private async waitForName(wabaId: string, flowName: string, self?: string): Promise<FlowSummary | undefined> {
    const until = Math.min(Date.now() + NAME_WAIT_MS, this.service.timeLeft() + Date.now() - WAIT_MARGIN_MS);
    let delay = 250;
    for (;;) {
      const holder = (await this.service.scanNames(wabaId, flowName)).exact;
      if (!holder || holder.flowId === self) return undefined;
      if (Date.now() + delay > until) return holder;
      this.log.info({ event: 'name-wait', flowName, holder: holder.flowId, note: 'another flow holds the name; waiting in case a sibling resource is renaming it away' });
      await sleep(delay);
      delay = Math.min(delay * 2, 4_000);
    }
  }

  /**
   * Whether the flow holding a name is exactly what this resource declares (name, categories,
   * content, a status a create leaves) and no other resource of the stack declares it: only then
   * may a create take it as its own after an ambiguous failure, or a Delete remove it.
   */
  private async isExactMatch(holder: FlowSummary, spec: FlowSpec): Promise<boolean> {
    if (holder.flowName !== spec.flowName) return false;
    const declaredBy = declarer(this.ctx.holders, spec.wabaId, spec.flowName, this.ctx.logicalId);
    if (declaredBy === 'adopter' || declaredBy === 'another') return false;
    const state = await this.service.get(spec.wabaId, holder.flowId);
    if (!state) return false;
    if (!(state.status === Status.DRAFT || (spec.publish && state.status === Status.PUBLISHED))) return false;
    if (!sameSet(state.categories ?? holder.categories ?? [], spec.categories)) return false;
    if (spec.cloneFlowId !== undefined && spec.content === undefined) return true;
    let deployed: Buffer | undefined;
    try {
      deployed = await this.service.deployedContent(spec.wabaId, holder.flowId);
    } catch (e) {
      // Gone meanwhile (deleted by a duplicate delivery of this very event, say): not a match.
      if (isNotFound((e as FlowError).cause)) return false;
      throw e;
    }
    if (spec.content === undefined) return deployed === undefined;
    return deployed !== undefined && canonicalTextSha256(deployed.toString('utf8')) === spec.content.sha256;
  }

  /**
   * A Delete for a create that failed, was cancelled or was cut short: the flow of this name that
   * matches the declaration exactly is that create's, so it is removed; while a create may still
   * be in flight (`wait`), keep looking until it must have ended.
   */
  private async removeExactMatch(spec: FlowSpec, wait: boolean): Promise<{ flowId: string; status: string; action: string; divergence: string[] }> {
    const until = wait ? Math.min(this.ctx.issuedAt + LATE_WRITES_MS, Date.now() + this.service.timeLeft() - WAIT_MARGIN_MS) : 0;
    this.service.allowWritesUntil(until);
    const none = { flowId: '', status: '', action: 'none', divergence: [] as string[] };
    let delay = 1_000;
    for (;;) {
      const holder = await this.service.findByName(spec.wabaId, spec.flowName);
      if (holder) {
        if (!(await this.isExactMatch(holder, spec))) {
          this.log.info({ event: 'cleanup', flowName: spec.flowName, holder: holder.flowId, note: 'the flow holding the name is not what this resource declares: not ours, left alone' });
          return none;
        }
        this.log.info({ event: 'cleanup', flowId: holder.flowId, note: 'the flow a failed or cancelled create made: removing it' });
        // Done: a second delivery of the event that made it, if one is still under way, sees its
        // twin vanish and does not create again (createOrAdopt).
        return this.removeFlow(spec.wabaId, holder.flowId);
      }
      if (Date.now() + delay > until) return none;
      await sleep(delay);
      delay = Math.min(delay * 2, 8_000);
    }
  }

  /** Deletes a draft, or retires a flow that went live; then a flow waiting for the name gets it. */
  private async removeFlow(wabaId: string, flowId: string): Promise<{ flowId: string; status: string; action: string; divergence: string[] }> {
    const state = await this.service.get(wabaId, flowId);
    if (!state) return { flowId, status: 'DELETED', action: 'none', divergence: [] };
    if (state.status === Status.DRAFT) {
      await this.service.delete(wabaId, flowId);
      await this.completePendingRename(wabaId, state.flowName);
      return { flowId, status: 'DELETED', action: 'deleted', divergence: [] };
    }
    const r = await this.retire(wabaId, flowId, state);
    if (r.renamed) await this.completePendingRename(wabaId, state.flowName);
    return { flowId, status: r.status, action: r.status === Status.DEPRECATED ? 'deprecated' : 'none', divergence: r.divergence };
  }

  /**
   * A name was just freed: a flow that waits for it (under its pending name, after a rename that
   * found the name taken) gets it now. That is how a rename to the name of a flow that leaves the
   * stack in the same deploy completes (the flow leaves in the cleanup phase, after the rename),
   * and how a rollback gets a name back from a flow the rollback deletes. Best effort.
   *
   * Only a resource of this stack can wait for a name, so the lookup (a full scan of the WABA) is
   * made only when the function's map says another resource declares the freed name: a plain
   * delete costs no extra call. A flow of another stack waiting for it takes it at its own next
   * deploy.
   */
  private async completePendingRename(wabaId: string, freedName: string): Promise<void> {
    const wanted = declarer(this.ctx.holders, wabaId, freedName, this.ctx.logicalId);
    if (wanted === 'this' || wanted === 'none') return;
    try {
      const waiting = (await this.service.listFlows(wabaId)).find((f) => f.flowName === pendingName(freedName, f.flowId));
      if (!waiting) return;
      if ((await this.tryMetadata(wabaId, waiting.flowId, { flowName: freedName })) !== 'done') return;
      this.log.info({ event: 'pending-rename', flowId: waiting.flowId, flowName: freedName, note: 'a flow waiting for this name took it' });
      const state = await this.service.get(wabaId, waiting.flowId);
      if (state?.status === Status.DRAFT && waiting.status !== Status.DRAFT && state.validationErrors.length === 0) {
        // The rename returned a published flow to DRAFT: published again.
        await this.service.publish(wabaId, waiting.flowId);
      }
    } catch (e) {
      this.log.warn({ event: 'pending-rename-failed', flowName: freedName, error: (e as Error).message });
    }
  }

  /**
   * A published flow leaves the stack: renamed out of the way first, so that its name can be used
   * again (a deprecated flow keeps its name for good), then deprecated. Where the service refuses
   * to rename a published flow, its content is uploaded again (making it a draft, which can be
   * renamed) and it is published again before being deprecated. What cannot be done is reported.
   */
  private async retire(wabaId: string, flowId: string, current: FlowState): Promise<{ status: string; divergence: string[]; renamed: boolean }> {
    const divergence: string[] = [];
    const retired = retiredName(current.flowName, flowId);
    let renamed = (await this.tryMetadata(wabaId, flowId, { flowName: retired }).catch((e) => (e as Error).message)) === 'done';
    if (!renamed) {
      try {
        const bytes = await this.service.deployedContent(wabaId, flowId);
        if (bytes) {
          await this.service.updateContent(wabaId, flowId, bytes);
          renamed = (await this.tryMetadata(wabaId, flowId, { flowName: retired })) === 'done';
        }
      } catch (e) {
        this.log.warn({ event: 'retire-rename-failed', flowId, error: (e as Error).message });
      }
    }
    let state = await this.service.get(wabaId, flowId);
    if (state?.status === Status.DRAFT) {
      // The rename (or the upload that allowed it) made it a draft: published again, so it can be deprecated.
      try {
        await this.publishChecked(wabaId, flowId, state.validationErrors);
      } catch (e) {
        this.log.warn({ event: 'retire-republish-failed', flowId, error: (e as Error).message });
      }
      state = await this.service.get(wabaId, flowId);
    }
    if (state?.status === Status.PUBLISHED) {
      await this.service.deprecate(wabaId, flowId);
      state = { ...state, status: Status.DEPRECATED };
    } else if (state && state.status !== Status.DEPRECATED) {
      divergence.push(`flow ${flowId} could not be published again to be deprecated: it is left as a ${state.status} under the name ${JSON.stringify(state.flowName)}`);
    }
    if (!renamed) {
      divergence.push(`the service refused to rename flow ${flowId} before deprecating it: it keeps the name ${JSON.stringify(current.flowName)} for good, so a new flow needs another name`);
    }
    for (const d of divergence) this.log.warn({ event: 'divergence', flowId, divergence: d });
    return { status: state?.status ?? 'DELETED', divergence, renamed };
  }

  private async publishChecked(wabaId: string, flowId: string, errors: string[]): Promise<void> {
    if (errors.length > 0) {
      throw new PublishBlocked(`the flow cannot be published: Meta reports validation errors: ${formatErrors(errors)}; fix the Flow JSON (npx whatsapp-flow validate shows most of them offline)`);
    }
    await this.service.publish(wabaId, flowId);
  }

  /** Puts a live flow's previous content back and republishes it, so a failed update leaves it sendable. */
  private async restoreContent(wabaId: string, flowId: string, bytes: Uint8Array): Promise<void> {
    try {
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

export { CreateUncertain };

function takenError(spec: FlowSpec, holder: FlowSummary): FlowError {
  return new FlowError(
    `the name ${JSON.stringify(spec.flowName)} is already used in ${spec.wabaId} by flow ${holder.flowId} (status ${holder.status}), which this stack did not create; ` +
      `choose another flowName, or delete or rename that flow, or set adoptExisting: true to bring it under this stack` +
      (holder.status === Status.DEPRECATED ? ' (it is DEPRECATED, so its name is never freed: choose another flowName)' : ''),
  );
}

/** The name a flow waits under for `target`, which another flow holds. */
export function pendingName(target: string, flowId: string): string {
  return withSuffix(target, ` (renaming ${flowId})`);
}

/** The name a published flow takes when it leaves the stack, before it is deprecated. */
export function retiredName(name: string, flowId: string): string {
  return withSuffix(name, ` (retired ${flowId})`);
}

function withSuffix(name: string, suffix: string): string {
  const room = 200 - [...suffix].length;
  return `${[...name].slice(0, room).join('')}${suffix}`;
}

function outcome(flowId: string, physicalId: string, status: string, validationErrors: string[], action: string): Outcome {
  return { flowId, physicalId, status, validationErrors, previewUrl: '', previewExpiresAt: '', action, divergence: [] };
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
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
