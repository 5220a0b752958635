/**
 * Public types of the local WhatsApp Flows emulator.
 *
 * The emulator stands in for AWS End User Messaging Social (service `socialmessaging`, the ten
 * WhatsApp Flow operations) and for S3 GetObject/PutObject. Every behaviour that the service's
 * documentation leaves open (UNCONFIRMED below) is an option, with the
 * default documented on the option and in local/emulator/README.md.
 */

/** The ten WhatsApp Flow operations of the service. */
export type FlowOperation =
  | 'CreateWhatsAppFlow'
  | 'UpdateWhatsAppFlow'
  | 'UpdateWhatsAppFlowAssets'
  | 'PublishWhatsAppFlow'
  | 'DeprecateWhatsAppFlow'
  | 'DeleteWhatsAppFlow'
  | 'GetWhatsAppFlow'
  | 'GetWhatsAppFlowPreview'
  | 'ListWhatsAppFlows'
  | 'ListWhatsAppFlowAssets';

/** Every kind of request the emulator records in its call log. */
export type EmulatedOperation =
  | FlowOperation
  | 'S3.GetObject'
  | 'S3.HeadObject'
  | 'S3.PutObject'
  | 'Download'
  | 'UnknownOperation';

/** The error shapes the Flow operations declare (the service model), plus anything else as a string. */
export type ServiceErrorType =
  | 'AccessDeniedByMetaException'
  | 'AccessDeniedException'
  | 'DependencyException'
  | 'InternalServiceException'
  | 'InvalidParametersException'
  | 'ResourceNotFoundException'
  | 'ThrottledRequestException'
  | 'ValidationException'
  | (string & {});

/** Documented flow statuses. `flowStatus` is not an enum in the model: any string may be set. */
export type FlowStatus = 'DRAFT' | 'PUBLISHED' | 'DEPRECATED' | 'BLOCKED' | 'THROTTLED' | (string & {});

/** Token bucket applied to the ten flow operations (not to S3 or downloads). */
export interface RateLimit {
  /** Tokens added per second. */
  readonly requestsPerSecond: number;
  /** Bucket size. @default max(1, requestsPerSecond) */
  readonly burst?: number;
}

/**
 * Behaviour switches. Each one covers a point the spec leaves UNCONFIRMED; the defaults are the
 * variant the brief chose. They can be changed at run time with `FlowEmulator.configure()`.
 */
export interface BehaviourOptions {
  /**
   * Error type answered for a duplicate flow name (Meta code 100; the AWS exception class is UNCONFIRMED).
   * @default 'InvalidParametersException'
   */
  readonly nameConflictError?: ServiceErrorType;
  /**
   * How names are compared for uniqueness (case sensitivity is UNCONFIRMED).
   * @default 'exact'
   */
  readonly nameComparison?: 'exact' | 'caseInsensitive';
  /**
   * Error type answered when the flow's status forbids the call: update of a locked flow (Meta
   * 139001), publish (139002), deprecate (139003), delete (139004) (the AWS exception class is UNCONFIRMED).
   * @default 'InvalidParametersException'
   */
  readonly stateErrorType?: ServiceErrorType;
  /**
   * CreateWhatsAppFlow with `publish: true` and JSON that fails validation (or no JSON): `'draft'`
   * saves a draft and answers 200 with the validationErrors; `'fail'` answers InvalidParameters
   * (139002) and creates nothing (UNCONFIRMED).
   * @default 'draft'
   */
  readonly publishInvalidOnCreate?: 'draft' | 'fail';
  /**
   * CreateWhatsAppFlow with both `cloneFlowId` and `flowJson`: `'override'` keeps the supplied
   * JSON, `'ignore'` keeps the source's JSON (UNCONFIRMED).
   * @default 'override'
   */
  readonly cloneWithJson?: 'override' | 'ignore';
  /**
   * Text of each validationErrors entry: `'json'` is a serialized Meta error object
   * `{"error","error_type","message","pointers"}`, `'text'` the plain message (UNCONFIRMED).
   * @default 'json'
   */
  readonly validationErrorFormat?: 'json' | 'text';
  /**
   * Whether UpdateWhatsAppFlow (name, categories) on a PUBLISHED flow puts it back to DRAFT
   * (UNCONFIRMED; Meta's lifecycle page says it does).
   * @default false
   */
  readonly metadataUpdateUnpublishes?: boolean;
  /**
   * UpdateWhatsAppFlow (name, categories) on a PUBLISHED flow: `'allow'` applies it, `'refuse'`
   * answers the state error (139001), as Meta does for flows created before its Nov 2024 change
   * and as AWS's status page, which does not list it as allowed, may mean (UNCONFIRMED).
   * @default 'allow'
   */
  readonly metadataUpdatePublished?: 'allow' | 'refuse';
  /**
   * DeprecateWhatsAppFlow on a THROTTLED or BLOCKED flow: `'allow'` deprecates it, `'refuse'`
   * answers the state error (139003) (UNCONFIRMED).
   * @default 'allow'
   */
  readonly deprecateLocked?: 'allow' | 'refuse';
  /**
   * DeprecateWhatsAppFlow on an already DEPRECATED flow: `'fail'` answers the state error (139003),
   * `'succeed'` answers 200 without change (Meta says 139003 here "can be ignored") (UNCONFIRMED).
   * @default 'fail'
   */
  readonly deprecateDeprecated?: 'fail' | 'succeed';
  /**
   * Duplicate entries in `categories`: `'keep'` stores them as sent, `'reject'` answers a
   * ValidationException (UNCONFIRMED).
   * @default 'keep'
   */
  readonly duplicateCategories?: 'keep' | 'reject';
  /**
   * Page size of ListWhatsAppFlows / ListWhatsAppFlowAssets when `maxResults` is omitted
   * (UNCONFIRMED).
   * @default 25
   */
  readonly defaultPageSize?: number;
  /**
   * Lifetime of an asset `downloadUrl`; a later GET answers 403 (the documentation says only that it "expires quickly").
   * @default 300000 (5 minutes)
   */
  readonly downloadUrlTtlMs?: number;
}

/** Options of {@link FlowEmulator.start}. */
export interface FlowEmulatorOptions extends BehaviourOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /**
   * JSON file holding the state between runs: loaded at start when present, rewritten atomically
   * (tmp + rename) after every state change.
   * @default - state lives in memory only
   */
  readonly stateFile?: string;
  /** Delay added before every request is answered. @default 0 */
  readonly latencyMs?: number;
  /** Token bucket over the flow operations; excess calls get 429 ThrottledRequestException. @default - unlimited */
  readonly rateLimit?: RateLimit;
  /**
   * The only WABAs that exist; calls naming another one get ResourceNotFoundException.
   * Either form (`waba-…` or ARN) may be given.
   * @default - every WABA exists (created on first use)
   */
  readonly knownWabas?: readonly string[];
  /**
   * The WABAs every caller's (simulated) IAM policy allows, whatever its access key; calls naming
   * another one get 403 AccessDeniedException. Per-caller policies: `setIdentityPolicy()`.
   * @default - all WABAs allowed
   */
  readonly allowedWabas?: readonly string[];
  /**
   * Partition, Region and account of the simulated service: they complete the WABA ARN of a call
   * that names its WABA by id, for identity policies (`setIdentityPolicy`), unless the caller's
   * principal names its own partition and account, or its signature another Region.
   * @default 'aws', 'us-east-1', '123456789012'
   */
  readonly partition?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /**
   * Seed of the flow id generator, for reproducible ids. A state file keeps the seed it was
   * created with.
   * @default - random
   */
  readonly idSeed?: string | number;
}

/** A flow as the tests see it (a copy; changing it does not change the emulator). */
export interface FlowRecord {
  /** Normalized `waba-…` form, whatever form the caller used. */
  readonly wabaId: string;
  readonly flowId: string;
  readonly flowName: string;
  readonly categories: string[];
  readonly status: FlowStatus;
  /** The Flow JSON bytes; absent when the flow has none. */
  readonly json?: Buffer;
  readonly validationErrors: string[];
  /** Present once a preview was generated. */
  readonly previewUrl?: string;
  readonly previewExpiresAt?: string;
  readonly endpointUri?: string;
  readonly dataApiVersion?: string;
}

/** Input of {@link FlowEmulator.seedFlow}: a flow created out of band (console, Meta). */
export interface SeedFlowInput {
  /** Either form (`waba-…` or ARN). */
  readonly wabaId: string;
  readonly flowName: string;
  /** @default ['OTHER'] */
  readonly categories?: string[];
  /** @default 'DRAFT' */
  readonly status?: FlowStatus;
  /** Buffer = bytes, string = UTF-8 text, anything else is JSON-serialized. @default - no JSON */
  readonly json?: Buffer | string | object;
  /** @default - generated */
  readonly flowId?: string;
  /** @default - computed from `json` with the emulator's checks */
  readonly validationErrors?: string[];
  /** For flows created outside AWS (Get returns them). @default - none */
  readonly endpointUri?: string;
  /** @default - none */
  readonly dataApiVersion?: string;
}

/** How a blob is recorded in the call log (never the content). */
export interface BlobDigest {
  readonly bytes: number;
  readonly sha256: string;
}

/** One entry of the call log. */
export interface CallRecord {
  readonly operation: EmulatedOperation;
  /** Parsed input members; `flowJson` (and S3 bodies) as {@link BlobDigest}. */
  readonly input: Record<string, unknown>;
  /** Status answered; 0 when the socket was dropped ('network', 'timeout' faults). */
  httpStatus: number;
  /** Error type answered (or 'network' / 'timeout'); absent on success. */
  errorType?: string;
}

/** A fault queued with {@link FlowEmulator.failNext}. */
export interface FaultSpec {
  /** How many matching calls fail. @default 1 */
  readonly count?: number;
  /**
   * An exception name (answered with its status in the service model, 400 for unknown names),
   * `'network'` (socket destroyed without an answer) or `'timeout'` (no answer for `hangMs`,
   * then the socket is destroyed).
   */
  readonly errorType: ServiceErrorType | 'network' | 'timeout';
  /** @default - the status of errorType in the service model */
  readonly httpStatus?: number;
  /** @default - 'Injected fault: <errorType>' */
  readonly message?: string;
  /** For 'timeout': how long to hold the request. @default 60000 */
  readonly hangMs?: number;
  /**
   * Perform the operation first and fail afterwards (an ambiguous failure: the change happened
   * but the caller sees an error).
   * @default false
   */
  readonly afterEffect?: boolean;
}
