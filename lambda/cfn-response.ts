/**
 * The one answer to CloudFormation: the response document PUT to the event's ResponseURL.
 * All I/O towards CloudFormation is here. Node built-ins only, so this module loads even when
 * the rest of the bundle cannot.
 */
import * as http from 'http';
import * as https from 'https';

/** CloudFormation refuses a response body larger than this. */
export const MAX_RESPONSE_BYTES = 4096;

export interface CfnEventIdentity {
  readonly StackId?: string;
  readonly RequestId?: string;
  readonly LogicalResourceId?: string;
  readonly ResponseURL?: string;
}

export interface CfnAnswer {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason?: string;
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
}

/**
 * The response body, capped at {@link MAX_RESPONSE_BYTES}: long Data values are shortened first,
 * then the Reason; the status and identifiers are never touched.
 */
export function responseBody(event: CfnEventIdentity, answer: CfnAnswer): string {
  const data: Record<string, string> = { ...(answer.data ?? {}) };
  let reason = answer.reason ?? (answer.status === 'SUCCESS' ? 'OK' : 'failed');
  const render = () =>
    JSON.stringify({
      Status: answer.status,
      Reason: reason,
      PhysicalResourceId: answer.physicalResourceId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      NoEcho: false,
      Data: data,
    });
  let body = render();
  // Shorten the longest Data value until it fits, or until Data values are small.
  while (Buffer.byteLength(body) > MAX_RESPONSE_BYTES) {
    const longest = Object.keys(data).sort((a, b) => data[b].length - data[a].length)[0];
    if (longest === undefined || data[longest].length <= 64) break;
    const excess = Buffer.byteLength(body) - MAX_RESPONSE_BYTES;
    data[longest] = truncate(data[longest], Math.max(64, data[longest].length - excess - 16));
    body = render();
  }
  while (Buffer.byteLength(body) > MAX_RESPONSE_BYTES && reason.length > 0) {
    const excess = Buffer.byteLength(body) - MAX_RESPONSE_BYTES;
    reason = truncate(reason, Math.max(0, reason.length - excess - 16));
    body = render();
  }
  return body;
}

/** Cuts a string to at most `max` characters, marking the cut. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return s.slice(0, Math.max(0, max));
  return `${s.slice(0, max - 1)}…`;
}

/** The ResponseURL without its query string (which holds the signature): safe to log. */
export function maskUrl(url: string | undefined): string {
  if (!url) return '(none)';
  const i = url.indexOf('?');
  return i < 0 ? url : `${url.slice(0, i)}?…`;
}

/**
 * PUTs the body to the ResponseURL, retrying with exponential backoff and jitter on network
 * errors and 5xx, until `attempts` are used or `deadline` (epoch ms) is near.
 */
export async function sendResponse(
  responseUrl: string,
  body: string,
  options: { attempts?: number; deadline?: number; log?: (msg: Record<string, unknown>) => void } = {},
): Promise<void> {
  const attempts = options.attempts ?? 6;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const status = await put(responseUrl, body);
      if (status >= 200 && status < 300) return;
      lastError = new Error(`response PUT returned HTTP ${status}`);
      if (status >= 400 && status < 500 && status !== 429) break;
    } catch (e) {
      lastError = e;
    }
    options.log?.({ event: 'response-retry', attempt, error: String((lastError as Error)?.message ?? lastError) });
    const delay = Math.min(8000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
    if (options.deadline !== undefined && Date.now() + delay + 2000 > options.deadline) break;
    await new Promise((r) => setTimeout(r, delay));
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

function put(responseUrl: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(responseUrl);
    const transport = url.protocol === 'http:' ? http : https;
    const req = transport.request(
      url,
      {
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        timeout: 15_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('response PUT timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
