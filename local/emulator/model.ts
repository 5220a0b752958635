/**
 * The service model as the emulator enforces it: HTTP bindings of the ten Flow operations,
 * member constraints (from the service model in botocore, since the JS SDK strips them) and error statuses.
 */
import { createHash } from 'crypto';
import type { BlobDigest, FlowOperation } from './types';

/** HTTP status of each declared error shape (the service model). */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  AccessDeniedByMetaException: 403,
  AccessDeniedException: 403,
  DependencyException: 502,
  InternalServiceException: 500,
  InvalidParametersException: 400,
  ResourceNotFoundException: 404,
  ThrottledRequestException: 429,
  ValidationException: 400,
  LimitExceededException: 400,
  UnknownOperationException: 404,
  SerializationException: 400,
};

/** Status for an error type; unknown names are client errors. */
export function statusOf(errorType: string): number {
  return ERROR_STATUS[errorType] ?? 400;
}

/** An error answered as `X-Amzn-Errortype: <errorType>` with body `{"message": …}`. */
export class ServiceError extends Error {
  readonly httpStatus: number;
  constructor(readonly errorType: string, message: string, httpStatus?: number) {
    super(message);
    this.httpStatus = httpStatus ?? statusOf(errorType);
  }
}

/** The nine MetaFlowCategory values. */
export const FLOW_CATEGORY_VALUES: readonly string[] = [
  'SIGN_UP', 'SIGN_IN', 'APPOINTMENT_BOOKING', 'LEAD_GENERATION', 'SHOPPING',
  'CONTACT_US', 'CUSTOMER_SUPPORT', 'SURVEY', 'OTHER',
];

/** MetaFlowJsonBlob maximum, in bytes. */
export const MAX_FLOW_JSON_BYTES = 10_485_760;

type MemberKind = 'wabaId' | 'flowId' | 'flowName' | 'categories' | 'blob' | 'boolean' | 'nextToken' | 'maxResults';

interface MemberSpec {
  readonly name: keyof FlowInput;
  readonly kind: MemberKind;
  readonly required?: boolean;
}

/** HTTP binding of one operation. No Flow operation uses path labels or headers (restJson1, as the service model binds them). */
export interface OperationSpec {
  readonly operation: FlowOperation;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  /** POST: JSON body; GET/DELETE: query string. */
  readonly location: 'body' | 'query';
  readonly members: readonly MemberSpec[];
}

const ID: MemberSpec = { name: 'id', kind: 'wabaId', required: true };
const FLOW_ID: MemberSpec = { name: 'flowId', kind: 'flowId', required: true };
const PAGING: MemberSpec[] = [{ name: 'nextToken', kind: 'nextToken' }, { name: 'maxResults', kind: 'maxResults' }];

/** The ten operations, checked against @aws-sdk/client-socialmessaging 3.1069.0 schemas_0.js. */
export const OPERATIONS: readonly OperationSpec[] = [
  {
    operation: 'CreateWhatsAppFlow', method: 'POST', path: '/v1/whatsapp/flow/create', location: 'body',
    members: [
      ID,
      { name: 'flowName', kind: 'flowName', required: true },
      { name: 'categories', kind: 'categories', required: true },
      { name: 'flowJson', kind: 'blob' },
      { name: 'publish', kind: 'boolean' },
      { name: 'cloneFlowId', kind: 'flowId' },
    ],
  },
  {
    operation: 'UpdateWhatsAppFlow', method: 'POST', path: '/v1/whatsapp/flow/update', location: 'body',
    members: [ID, FLOW_ID, { name: 'flowName', kind: 'flowName' }, { name: 'categories', kind: 'categories' }],
  },
  {
    operation: 'UpdateWhatsAppFlowAssets', method: 'POST', path: '/v1/whatsapp/flow/assets/update', location: 'body',
    members: [ID, FLOW_ID, { name: 'flowJson', kind: 'blob', required: true }],
  },
  { operation: 'PublishWhatsAppFlow', method: 'POST', path: '/v1/whatsapp/flow/publish', location: 'body', members: [ID, FLOW_ID] },
  { operation: 'DeprecateWhatsAppFlow', method: 'POST', path: '/v1/whatsapp/flow/deprecate', location: 'body', members: [ID, FLOW_ID] },
  { operation: 'DeleteWhatsAppFlow', method: 'DELETE', path: '/v1/whatsapp/flow', location: 'query', members: [ID, FLOW_ID] },
  { operation: 'GetWhatsAppFlow', method: 'GET', path: '/v1/whatsapp/flow', location: 'query', members: [ID, FLOW_ID] },
  {
    operation: 'GetWhatsAppFlowPreview', method: 'GET', path: '/v1/whatsapp/flow/preview', location: 'query',
    members: [ID, FLOW_ID, { name: 'invalidate', kind: 'boolean' }],
  },
  { operation: 'ListWhatsAppFlows', method: 'GET', path: '/v1/whatsapp/flow/list', location: 'query', members: [ID, ...PAGING] },
  {
    operation: 'ListWhatsAppFlowAssets', method: 'GET', path: '/v1/whatsapp/flow/assets', location: 'query',
    members: [ID, FLOW_ID, ...PAGING],
  },
];

/** The operation bound to this method and path, if any. */
export function findOperation(method: string, path: string): OperationSpec | undefined {
  return OPERATIONS.find((o) => o.method === method && o.path === path);
}

/** Input members of every Flow operation, after type conversion. */
export interface FlowInput {
  id?: string;
  flowId?: string;
  flowName?: string;
  categories?: string[];
  flowJson?: Buffer;
  publish?: boolean;
  cloneFlowId?: string;
  invalidate?: boolean;
  nextToken?: string;
  maxResults?: number;
}

/** Digest recorded in the call log instead of blob content. */
export function digest(bytes: Buffer): BlobDigest {
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const WABA_ARN = /^arn:[^:]+:social-messaging:[^:]*:[^:]*:waba\/([0-9a-zA-Z]+)$/;

/**
 * The `waba-…` form of a LinkedWhatsAppBusinessAccountId: `waba-<x>` stays as is and the ARN
 * `arn:<partition>:social-messaging:<region>:<account>:waba/<x>` becomes `waba-<x>` (as the service accepts either form).
 * Undefined when the value is neither.
 */
export function normalizeWabaId(id: string): string | undefined {
  if (id.startsWith('waba-')) return id;
  const m = WABA_ARN.exec(id);
  return m ? `waba-${m[1]}` : undefined;
}

/** Smithy string length: Unicode scalar values. */
function length(s: string): number {
  return Array.from(s).length;
}

/** A value as the service quotes it in a constraint message: as written, cut at 100 characters. */
function constraintValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 100 ? `${s.slice(0, 100)}…` : s;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Result of reading an operation's members from the body or the query. */
export interface ReadResult {
  readonly input: FlowInput;
  /** What the call log records: parsed members, blobs as digests. */
  readonly logged: Record<string, unknown>;
  /** Model-constraint violations (answered as one ValidationException). */
  readonly problems: string[];
}

/**
 * Reads and checks the members of `spec` from `source` (the parsed JSON body, or the query as
 * strings). Never throws: problems are collected so the message lists them all, as AWS does.
 */
export function readMembers(
  spec: OperationSpec,
  source: Record<string, unknown>,
  opts: { duplicateCategories: 'keep' | 'reject' },
): ReadResult {
  const input: FlowInput = {};
  const logged: Record<string, unknown> = {};
  const problems: string[] = [];
  const fromQuery = spec.location === 'query';
  const fail = (name: string, value: unknown, constraint: string) =>
    problems.push(`Value ${value === undefined || value === null ? 'null' : `'${constraintValue(value)}'`} at '${name}' failed to satisfy constraint: ${constraint}`);

  for (const m of spec.members) {
    const raw = source[m.name];
    if (raw === undefined || raw === null) {
      if (m.required) fail(m.name, undefined, 'Member must not be null');
      continue;
    }
    switch (m.kind) {
      case 'wabaId':
      case 'flowId':
      case 'flowName':
      case 'nextToken': {
        logged[m.name] = raw;
        if (typeof raw !== 'string') {
          fail(m.name, raw, 'Member must be a string');
          break;
        }
        const len = length(raw);
        const [min, max] = m.kind === 'wabaId' ? [1, 115] : m.kind === 'flowId' ? [1, 100] : m.kind === 'flowName' ? [1, 200] : [1, 600];
        if (len < min) fail(m.name, raw, `Member must have length greater than or equal to ${min}`);
        if (len > max) fail(m.name, raw, `Member must have length less than or equal to ${max}`);
        if (m.kind === 'flowId' && !/^[0-9]+$/.test(raw)) fail(m.name, raw, 'Member must satisfy regular expression pattern: [0-9]+');
        if (m.kind === 'wabaId' && len >= 1 && normalizeWabaId(raw) === undefined) {
          fail(m.name, raw, 'Member must satisfy regular expression pattern: (^waba-.*$)|(^arn:.*:social-messaging:.*:waba/[0-9a-zA-Z]+$)');
        }
        (input as Record<string, unknown>)[m.name] = raw;
        break;
      }
      case 'categories': {
        logged[m.name] = raw;
        if (!Array.isArray(raw) || raw.some((c) => typeof c !== 'string')) {
          fail(m.name, raw, 'Member must be a list of strings');
          break;
        }
        if (raw.length < 1) fail(m.name, raw, 'Member must have length greater than or equal to 1');
        if (raw.length > 9) fail(m.name, raw, 'Member must have length less than or equal to 9');
        if (raw.some((c: string) => !FLOW_CATEGORY_VALUES.includes(c))) {
          fail(m.name, raw, `Member must satisfy constraint: [Member must satisfy enum value set: [${FLOW_CATEGORY_VALUES.join(', ')}]]`);
        }
        if (opts.duplicateCategories === 'reject' && new Set(raw).size !== raw.length) {
          fail(m.name, raw, 'Member must not contain duplicate values');
        }
        input.categories = [...raw];
        break;
      }
      case 'blob': {
        if (typeof raw !== 'string' || !BASE64.test(raw)) {
          logged[m.name] = { invalidBase64: true };
          fail(m.name, '<blob>', 'Member must be a base64-encoded blob');
          break;
        }
        const bytes = Buffer.from(raw, 'base64');
        logged[m.name] = digest(bytes);
        if (bytes.length < 1) fail(m.name, '<blob>', 'Member must have length greater than or equal to 1');
        if (bytes.length > MAX_FLOW_JSON_BYTES) fail(m.name, '<blob>', `Member must have length less than or equal to ${MAX_FLOW_JSON_BYTES}`);
        input.flowJson = bytes;
        break;
      }
      case 'boolean': {
        const value = fromQuery ? (raw === 'true' ? true : raw === 'false' ? false : raw) : raw;
        logged[m.name] = value;
        if (typeof value !== 'boolean') {
          fail(m.name, raw, 'Member must be a boolean');
          break;
        }
        (input as Record<string, unknown>)[m.name] = value;
        break;
      }
      case 'maxResults': {
        const value = fromQuery && typeof raw === 'string' && /^-?[0-9]+$/.test(raw) ? Number(raw) : raw;
        logged[m.name] = value;
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          fail(m.name, raw, 'Member must be an integer');
          break;
        }
        if (value < 1) fail(m.name, value, 'Member must have value greater than or equal to 1');
        if (value > 100) fail(m.name, value, 'Member must have value less than or equal to 100');
        input.maxResults = value;
        break;
      }
    }
  }
  return { input, logged, problems };
}

/** One ValidationException for all problems, worded like AWS's. */
export function validationError(problems: readonly string[]): ServiceError {
  const n = problems.length;
  return new ServiceError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
}
