/**
 * The provider's entry point. It answers every event exactly once: on success, on every error,
 * on a malformed event, when the rest of the bundle fails to load, and before Lambda's timeout.
 *
 * Only Node built-ins and the response module are loaded at the top; everything else is
 * required inside the guard so that a failure while loading it is still answered.
 */
import type { Context } from 'aws-lambda';
import { CREATE_FAILED_PHYSICAL_ID, CREATE_UNCERTAIN_PHYSICAL_ID } from '../lib/shared/contract';
import { CfnAnswer, maskUrl, responseBody, sendResponse } from './cfn-response';
import { logger } from './log';

/** Time kept back from the deadline to answer FAILED and for the PUT itself. */
const ANSWER_RESERVE_MS = 15_000;
/** An event with less time than this left before CloudFormation stops waiting is not acted on. */
const MIN_WORK_MS = 10_000;
/** Used when there is no Lambda context (local runs): Lambda's configured timeout. */
const DEFAULT_REMAINING_MS = 300_000;

/** Events seen by this process, by RequestId: a duplicate delivery gets the first one's answer. */
const inFlight = new Map<string, Promise<CfnAnswer>>();
/** How many events a warm container remembers. */
const REMEMBERED_EVENTS = 200;

/**
 * When CloudFormation sent the event: the signing time of its pre-signed ResponseURL
 * (`X-Amz-Date`), when the URL has one.
 */
export function issuedAt(responseUrl: string): number | undefined {
  const m = /[?&]X-Amz-Date=(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/i.exec(responseUrl);
  if (!m) return undefined;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isFinite(t) ? t : undefined;
}

/** The resource's ServiceTimeout in ms (the construct sets it), if the event carries one. */
function serviceTimeoutOf(event: any): number | undefined {
  const seconds = Number(event?.ResourceProperties?.ServiceTimeout);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

export async function handler(event: any, context?: Partial<Context>): Promise<void> {
  const started = Date.now();
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : DEFAULT_REMAINING_MS;
  // The event is over when Lambda stops the invocation or when CloudFormation stops waiting for
  // the answer, whichever comes first: Lambda may deliver an asynchronous event late.
  const sent = typeof event?.ResponseURL === 'string' ? issuedAt(event.ResponseURL) : undefined;
  const serviceTimeout = serviceTimeoutOf(event);
  const hardDeadline = Math.min(started + remaining, sent !== undefined && serviceTimeout !== undefined ? sent + serviceTimeout : Infinity);
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
  let answering: Promise<void> | undefined;
  const progress: { createdFlowId?: string; createInFlight?: boolean } = {};
  // The first answer is the only one sent; every caller waits for its PUT, so that the handler
  // never returns (and Lambda never freezes the container) while the timer's answer is on its way.
  const answer = (a: CfnAnswer): Promise<void> => {
    if (answering) return answering;
    answered = true;
    clearTimeout(timer);
    const body = responseBody(event, a);
    log.info({ event: 'answer', status: a.status, physicalId: a.physicalResourceId, url: maskUrl(event.ResponseURL), bytes: Buffer.byteLength(body) });
    answering = sendResponse(event.ResponseURL, body, { deadline: hardDeadline, log: (m) => log.warn(m) }).catch((e: unknown) => {
      log.error({ event: 'answer-failed', error: (e as Error).message });
    });
    return answering;
  };

  const failedId = () =>
    event.RequestType === 'Create'
      ? (progress.createdFlowId ?? (progress.createInFlight ? CREATE_UNCERTAIN_PHYSICAL_ID : CREATE_FAILED_PHYSICAL_ID))
      : (event.PhysicalResourceId ?? CREATE_FAILED_PHYSICAL_ID);
  const timer = setTimeout(() => {
    void answer({
      status: 'FAILED',
      reason: `the provider ran out of time after ${Math.round((Date.now() - started) / 1000)} s (the service was slow or throttling); deploy again`,
      physicalResourceId: failedId(),
    });
  }, Math.max(0, hardDeadline - ANSWER_RESERVE_MS - started));

  if (hardDeadline < started + remaining && hardDeadline - ANSWER_RESERVE_MS - started < MIN_WORK_MS) {
    log.warn({ event: 'stale', sentAt: sent === undefined ? undefined : new Date(sent).toISOString(), note: 'the event arrived too late to be acted on before CloudFormation stops waiting' });
    await answer({
      status: 'FAILED',
      reason: `the event reached the provider ${sent === undefined ? 'too late' : `${Math.round((started - sent) / 1000)} s after CloudFormation sent it`}, too late to act on before CloudFormation stops waiting; nothing was changed`,
      physicalResourceId: failedId(),
    });
    return;
  }

  try {
    const key = typeof event.RequestId === 'string' ? event.RequestId : undefined;
    let pending = key ? inFlight.get(key) : undefined;
    if (pending) {
      log.info({ event: 'duplicate', note: 'this event is already being handled in this process: answering with the same result' });
    } else {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded inside the guard, see above
      const lifecycle: typeof import('./lifecycle') = require('./lifecycle');
      pending = lifecycle.run(event, {
        deadline: hardDeadline - ANSWER_RESERVE_MS,
        stopped: () => answered,
        log,
        progress,
        issuedAt: sent !== undefined && sent <= started ? sent : started,
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
      physicalResourceId: failedId(),
    });
  }
}
