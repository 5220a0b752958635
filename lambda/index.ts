/**
 * The provider's entry point. It answers every event exactly once: on success, on every error,
 * on a malformed event, when the rest of the bundle fails to load, and before Lambda's timeout.
 *
 * Only Node built-ins and the response module are loaded at the top; everything else is
 * required inside the guard so that a failure while loading it is still answered.
 */
import type { Context } from 'aws-lambda';
import { CREATE_FAILED_PHYSICAL_ID } from '../lib/private/contract';
import { CfnAnswer, maskUrl, responseBody, sendResponse } from './cfn-response';
import { logger } from './log';

/** Time kept back from Lambda's timeout to answer FAILED and for the PUT itself. */
const ANSWER_RESERVE_MS = 15_000;
/** Used when there is no Lambda context (local runs): Lambda's configured timeout. */
const DEFAULT_REMAINING_MS = 300_000;

/** Events seen by this process, by RequestId: a duplicate delivery gets the first one's answer. */
const inFlight = new Map<string, Promise<CfnAnswer>>();
/** How many events a warm container remembers. */
const REMEMBERED_EVENTS = 200;

export async function handler(event: any, context?: Partial<Context>): Promise<void> {
  const started = Date.now();
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : DEFAULT_REMAINING_MS;
  const hardDeadline = started + remaining;
  const log = logger({
    requestId: event?.RequestId,
    logicalId: event?.LogicalResourceId,
    requestType: event?.RequestType,
  });

  if (!event || typeof event !== 'object' || typeof event.ResponseURL !== 'string' || !/^https?:\/\//.test(event.ResponseURL)) {
    // Nobody to answer: say so loudly; CloudFormation's serviceTimeout ends the wait.
    log.error({ event: 'malformed', note: 'the event has no ResponseURL: it cannot be answered', keys: event && typeof event === 'object' ? Object.keys(event) : typeof event });
    return;
  }

  let answered = false;
  const progress: { createdFlowId?: string } = {};
  const answer = async (a: CfnAnswer): Promise<void> => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    const body = responseBody(event, a);
    log.info({ event: 'answer', status: a.status, physicalId: a.physicalResourceId, url: maskUrl(event.ResponseURL), bytes: Buffer.byteLength(body) });
    try {
      await sendResponse(event.ResponseURL, body, { deadline: hardDeadline, log: (m) => log.warn(m) });
    } catch (e) {
      log.error({ event: 'answer-failed', error: (e as Error).message });
    }
  };

  const timer = setTimeout(() => {
    void answer({
      status: 'FAILED',
      reason: `the provider ran out of time after ${Math.round((Date.now() - started) / 1000)} s (the service was slow or throttling); deploy again`,
      physicalResourceId:
        event.RequestType === 'Create' ? (progress.createdFlowId ?? CREATE_FAILED_PHYSICAL_ID) : (event.PhysicalResourceId ?? CREATE_FAILED_PHYSICAL_ID),
    });
  }, Math.max(0, remaining - ANSWER_RESERVE_MS));

  try {
    const key = typeof event.RequestId === 'string' ? event.RequestId : undefined;
    let pending = key ? inFlight.get(key) : undefined;
    if (pending) {
      log.info({ event: 'duplicate', note: 'this event is already being handled in this process: answering with the same result' });
    } else {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const lifecycle: typeof import('./lifecycle') = require('./lifecycle');
      pending = lifecycle.run(event, {
        deadline: hardDeadline - ANSWER_RESERVE_MS,
        stopped: () => answered,
        log,
        progress,
      });
      if (key) {
        inFlight.set(key, pending);
        if (inFlight.size > REMEMBERED_EVENTS) inFlight.delete(inFlight.keys().next().value!);
      }
    }
    await answer(await pending);
  } catch (e) {
    // Reached only when loading the handler itself failed, or by a bug: still answer.
    log.error({ event: 'crash', error: (e as Error)?.name, message: (e as Error)?.message });
    await answer({
      status: 'FAILED',
      reason: `the provider failed: ${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`,
      physicalResourceId:
        event.RequestType === 'Create' ? (progress.createdFlowId ?? CREATE_FAILED_PHYSICAL_ID) : (event.PhysicalResourceId ?? CREATE_FAILED_PHYSICAL_ID),
    });
  }
}
