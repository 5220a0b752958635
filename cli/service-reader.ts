/**
 * What the CLI reads from AWS End User Messaging Social (`pull`, `diff --live`): one client
 * configured from the environment as the AWS CLI is (credentials, Region, and the endpoint from
 * AWS_ENDPOINT_URL_SOCIALMESSAGING), the flows of a WABA, and a flow's Flow JSON. Reads only.
 * Every failure is a {@link ServiceError} of one line, which the commands print and exit 1 on.
 */
import * as http from 'http';
import * as https from 'https';
import { paginateListWhatsAppFlowAssets, paginateListWhatsAppFlows, SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { MAX_FLOW_JSON_BYTES } from '../lib/shared/contract';

/** Largest download accepted: the service's limit plus room for a BOM and line endings. */
const MAX_DOWNLOAD_BYTES = MAX_FLOW_JSON_BYTES + 1024 * 1024;
/** How long a download may stall. */
const DOWNLOAD_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;

/** A failed call, download or missing configuration, as one line for the user. */
export class ServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** A flow as ListWhatsAppFlows gives it. */
export interface FlowSummary {
  readonly flowId: string;
  readonly flowName: string;
  readonly status: string;
  readonly categories: string[];
}

/** The client, with the SDK's retries (these are reads) and bounded waits. */
export function socialMessagingClient(region?: string): SocialMessagingClient {
  return new SocialMessagingClient({
    ...(region ? { region } : {}),
    maxAttempts: 5,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  });
}

/** The Region of a WABA given as an ARN. */
export function regionOfArn(waba: string): string | undefined {
  if (!waba.startsWith('arn:')) return undefined;
  return waba.split(':')[3] || undefined;
}

/** Every flow of a WABA, deprecated ones included, in the service's order. */
export async function listFlows(client: SocialMessagingClient, waba: string): Promise<FlowSummary[]> {
  const out: FlowSummary[] = [];
  await call('ListWhatsAppFlows', async () => {
    for await (const page of paginateListWhatsAppFlows({ client, pageSize: 100 }, { id: waba })) {
      for (const f of page.flows ?? []) {
        out.push({ flowId: f.flowId ?? '', flowName: f.flowName ?? '', status: f.flowStatus ?? '', categories: [...(f.flowCategories ?? [])] as string[] });
      }
    }
  });
  return out;
}

/** The FLOW_JSON asset's text, or undefined when the flow has none. A failed download is retried once with a fresh link. */
export async function downloadJson(client: SocialMessagingClient, waba: string, flowId: string): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    let url: string | undefined;
    await call(`ListWhatsAppFlowAssets of flow ${flowId}`, async () => {
      for await (const page of paginateListWhatsAppFlowAssets({ client, pageSize: 100 }, { id: waba, flowId })) {
        const asset = (page.flowAssets ?? []).find((a) => a.assetType === 'FLOW_JSON');
        if (asset?.downloadUrl) {
          url = asset.downloadUrl;
          break;
        }
      }
    });
    if (url === undefined) return undefined;
    try {
      return (await download(url)).toString('utf8');
    } catch (e) {
      // Links are short-lived: a second attempt gets a fresh one (an oversized file is not retried).
      if (attempt >= 2 || e instanceof ServiceError) {
        throw new ServiceError(`downloading the Flow JSON of flow ${flowId} failed: ${(e as Error).message}`);
      }
    }
  }
}

/** GET with Node's http/https, following redirects, bounded in size and time. Never shows the link's query. */
function download(url: string, redirects = 0): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new Error('the download link is not a URL'));
      return;
    }
    const where = `${target.protocol}//${target.host}${target.pathname.length > 1 ? '/…' : ''}`;
    const get = target.protocol === 'https:' ? https.get : target.protocol === 'http:' ? http.get : undefined;
    if (!get) {
      reject(new Error(`the download link uses ${target.protocol}, not http or https`));
      return;
    }
    const req = get(target, { timeout: DOWNLOAD_TIMEOUT_MS }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) {
          reject(new Error(`too many redirects from ${where}`));
          return;
        }
        download(new URL(res.headers.location, target).toString(), redirects + 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new Error(`HTTP ${status} from ${where}${status === 403 ? ' (the link may have expired)' : ''}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_DOWNLOAD_BYTES) {
          req.destroy();
          reject(new ServiceError(`the Flow JSON is larger than the ${MAX_FLOW_JSON_BYTES} bytes the service allows`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', (e) => reject(new Error(`${describe(e)} while reading from ${where}`)));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${where} within ${DOWNLOAD_TIMEOUT_MS / 1000} s`)));
    req.on('error', (e) => reject(new Error(`${describe(e)} (${where})`)));
  });
}

async function call(what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    throw serviceError(what, e);
  }
}

/** A service or client failure as one line. */
export function serviceError(what: string, e: unknown): ServiceError {
  if (e instanceof ServiceError) return e;
  const err = e as Error & { $metadata?: { httpStatusCode?: number }; code?: string };
  const name = err?.name ?? 'Error';
  const message = (err?.message ?? String(e)).split('\n')[0];
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new ServiceError(`no AWS credentials: ${message}; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or sign in with \`aws sso login\``);
  }
  if (/Region is missing/i.test(message)) {
    return new ServiceError('no AWS Region: pass --region, give the WABA as an ARN, or set AWS_REGION');
  }
  if (err?.$metadata?.httpStatusCode === undefined && typeof err?.code === 'string' && /^E[A-Z]+/.test(err.code)) {
    return new ServiceError(`${what} failed: cannot reach the service (${err.code}: ${message})`);
  }
  return new ServiceError(`${what} failed: ${name}: ${message}`);
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}
