/**
 * Parses custom resource properties into a FlowSpec, in one place. CloudFormation sends every
 * scalar as a string; rollbacks send properties written by older releases, so every shape we
 * ever shipped is accepted.
 */
import { FLOW_CATEGORIES, FLOW_ID_PATTERN, Prop, RemovalPolicyValue, WABA_ARN_PATTERN, WABA_ID_PATTERN } from '../lib/shared/contract';

export type RemovalPolicyKind = (typeof RemovalPolicyValue)[keyof typeof RemovalPolicyValue];

export interface ContentRef {
  /** SHA-256 of the canonical form: what decides whether the content changed. */
  readonly sha256: string;
  readonly inline?: string;
  readonly s3?: { readonly bucket: string; readonly key: string };
}

/** What a resource declares: the desired state of one flow. */
export interface FlowSpec {
  readonly wabaId: string;
  readonly flowName: string;
  readonly categories: string[];
  readonly publish: boolean;
  readonly removalPolicy: RemovalPolicyKind;
  readonly content?: ContentRef;
  readonly cloneFlowId?: string;
  readonly adoptExisting: boolean;
  readonly preview: boolean;
}

/** Raised for properties that cannot describe a flow; the message names the property and the fix. */
export class PropsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PropsError';
  }
}

export function parseProps(raw: unknown, label = 'ResourceProperties'): FlowSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PropsError(`${label} is missing or not an object`);
  }
  const p = raw as Record<string, unknown>;

  const wabaId = str(p[Prop.WABA_ID]);
  if (!wabaId || !(WABA_ID_PATTERN.test(wabaId) || WABA_ARN_PATTERN.test(wabaId))) {
    throw new PropsError(`${label}.${Prop.WABA_ID} must be a linked WABA id (waba-…) or ARN, got ${JSON.stringify(p[Prop.WABA_ID] ?? null)}`);
  }
  const flowName = str(p[Prop.FLOW_NAME]);
  if (!flowName || [...flowName].length > 200) {
    throw new PropsError(`${label}.${Prop.FLOW_NAME} must be 1-200 characters, got ${JSON.stringify(p[Prop.FLOW_NAME] ?? null)}`);
  }
  const categories = list(p[Prop.CATEGORIES]);
  if (categories.length < 1 || categories.length > 9 || new Set(categories).size !== categories.length) {
    throw new PropsError(`${label}.${Prop.CATEGORIES} must list 1 to 9 distinct categories (${FLOW_CATEGORIES.join(', ')}), got ${JSON.stringify(p[Prop.CATEGORIES] ?? null)}`);
  }

  const sha256 = str(p[Prop.CONTENT_SHA256]);
  let content: ContentRef | undefined;
  const inline = p[Prop.FLOW_JSON];
  const bucket = str(p[Prop.CONTENT_S3_BUCKET]);
  const key = str(p[Prop.CONTENT_S3_KEY]);
  if (inline !== undefined || bucket || key) {
    if (!sha256) {
      throw new PropsError(`${label}.${Prop.CONTENT_SHA256} is missing although the flow has content`);
    }
    if (inline !== undefined) {
      // Accept an object too (a template edited by hand, or CloudFormation passing JSON through).
      content = { sha256, inline: typeof inline === 'string' ? inline : JSON.stringify(inline) };
    } else {
      if (!bucket || !key) {
        throw new PropsError(`${label} must give both ${Prop.CONTENT_S3_BUCKET} and ${Prop.CONTENT_S3_KEY}`);
      }
      content = { sha256, s3: { bucket, key } };
    }
  }

  const cloneFlowId = str(p[Prop.CLONE_FLOW_ID]);
  if (cloneFlowId !== undefined && !FLOW_ID_PATTERN.test(cloneFlowId)) {
    throw new PropsError(`${label}.${Prop.CLONE_FLOW_ID} must be a numeric Meta flow id, got ${JSON.stringify(cloneFlowId)}`);
  }

  const removalPolicy = removalPolicyOf(str(p[Prop.REMOVAL_POLICY]));

  return {
    wabaId,
    flowName,
    categories,
    publish: bool(p[Prop.PUBLISH]),
    removalPolicy,
    content,
    cloneFlowId,
    adoptExisting: bool(p[Prop.ADOPT_EXISTING]),
    preview: bool(p[Prop.PREVIEW]),
  };
}

/**
 * The removal policy a `RemovalPolicy` property means. Absent: the oldest shape (destroy). Unknown
 * (a newer release's value reaching older code, or a hand-edited template): retain, which never
 * removes a flow.
 */
export function removalPolicyOf(written: string | undefined): RemovalPolicyKind {
  const rp = (written ?? RemovalPolicyValue.DESTROY).toLowerCase();
  return (Object.values(RemovalPolicyValue) as string[]).includes(rp) ? (rp as RemovalPolicyKind) : RemovalPolicyValue.RETAIN;
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function bool(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => String(x));
  if (typeof v === 'string' && v.length > 0) return v.split(',').map((s) => s.trim());
  return [];
}

/**
 * The resource's ServiceTimeout (seconds, as the construct sets it): how long CloudFormation
 * waits for the answer to each event. Undefined when absent or unreadable.
 */
export function serviceTimeoutMs(raw: unknown): number | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const seconds = Number((raw as Record<string, unknown>).ServiceTimeout);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
