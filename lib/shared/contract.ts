/**
 * The contract between the construct (lib/) and the provider's handler (lambda/).
 *
 * Everything here is permanent once shipped: CloudFormation stores these property names in
 * deployed templates and sends them back on every Update and rollback, and a ServiceToken or a
 * resource type can never change on a deployed resource. Add names; never rename or remove one.
 *
 * This file has no imports so that the handler bundle can include it without aws-cdk-lib.
 */

/** The CloudFormation resource type of every flow custom resource. */
export const RESOURCE_TYPE = 'Custom::WhatsAppFlow';

/** Construct id of the provider singleton under its stack. Frozen: it determines the ServiceToken. */
export const PROVIDER_ID = 'WhatsAppFlowProvider.6f1c2d0e';

/** Names of the custom resource properties (all arrive as strings, lists of strings or absent). */
export const Prop = {
  /** The AWS id (`waba-…`) or ARN of the linked WhatsApp Business Account. */
  WABA_ID: 'WabaId',
  /** The flow's name, unique within the WABA. */
  FLOW_NAME: 'FlowName',
  /** List of MetaFlowCategory strings. */
  CATEGORIES: 'Categories',
  /** 'true' | 'false' (CloudFormation turns booleans into strings). */
  PUBLISH: 'Publish',
  /**
   * 'destroy' | 'retain' | 'retain-except-on-create' | 'destroy-keep-adopted', for readability in
   * `cdk diff` (RETAIN also sets DeletionPolicy). Unknown values are read as 'retain'.
   */
  REMOVAL_POLICY: 'RemovalPolicy',
  /** SHA-256 (hex) of the Flow JSON in canonical form; absent when the flow has no content. */
  CONTENT_SHA256: 'ContentSha256',
  /** Size in bytes of the Flow JSON as uploaded. */
  CONTENT_BYTES: 'ContentBytes',
  /** The Flow JSON itself (minified), when it travels inline in the template. */
  FLOW_JSON: 'FlowJson',
  /** S3 bucket of the Flow JSON asset, when the content travels through S3. */
  CONTENT_S3_BUCKET: 'ContentS3Bucket',
  /** S3 key of the Flow JSON asset, when the content travels through S3. */
  CONTENT_S3_KEY: 'ContentS3Key',
  /** Meta flow id to clone at creation. */
  CLONE_FLOW_ID: 'CloneFlowId',
  /** 'true' to take over an existing flow of the same name at creation. */
  ADOPT_EXISTING: 'AdoptExisting',
  /** 'true' to fetch a preview link after a create or a content change. */
  PREVIEW: 'Preview',
} as const;

/** Keys of the Data the handler answers with (Fn::GetAtt names). Every key is always present. */
export const Attr = {
  FLOW_ID: 'FlowId',
  FLOW_STATUS: 'FlowStatus',
  WABA_ID: 'WabaId',
  VALIDATION_ERRORS: 'ValidationErrors',
  PREVIEW_URL: 'PreviewUrl',
  PREVIEW_EXPIRES_AT: 'PreviewExpiresAt',
  /** 'created' | 'adopted' | 'updated' | 'unchanged' | 'replaced'. */
  ACTION: 'Action',
  /**
   * What the provider could not make match the declaration, in words (a rename refused because
   * another flow holds the name, a BLOCKED flow, a content Meta refused on a rollback); empty
   * when the flow is as declared.
   */
  DIVERGENCE: 'Divergence',
} as const;

/** Removal policy values carried in {@link Prop.REMOVAL_POLICY}. */
export const RemovalPolicyValue = {
  DESTROY: 'destroy',
  RETAIN: 'retain',
  /** RETAIN_ON_UPDATE_OR_DELETE: CloudFormation only sends Delete to clean up a failed creation. */
  RETAIN_EXCEPT_ON_CREATE: 'retain-except-on-create',
  /**
   * The default with `adoptExisting`: a flow the resource created is deleted or deprecated, a flow
   * it took over is left in place (a rolled-back adoption cannot be told apart from a removal).
   */
  DESTROY_KEEP_ADOPTED: 'destroy-keep-adopted',
} as const;

/**
 * Physical id answered when a Create fails knowing that no flow of its making exists. A Delete of
 * it looks the name up once (a duplicate delivery may have made one) and never waits.
 */
export const CREATE_FAILED_PHYSICAL_ID = 'WhatsAppFlow::CREATE_FAILED';

/**
 * Physical id answered when a Create fails while a CreateWhatsAppFlow call may still take effect
 * (the time ran out during the call). A Delete of it, like one of an id CloudFormation generated
 * for a cancelled create, looks for the flow until any such call must have ended.
 */
export const CREATE_UNCERTAIN_PHYSICAL_ID = 'WhatsAppFlow::CREATE_UNCERTAIN';

/** Prefix of the physical id of a flow that its resource took over (`adoptExisting`) rather than created. */
export const ADOPTED_PHYSICAL_ID_PREFIX = 'adopted:';

/** The physical id of a flow: its flow id, marked when the resource adopted it. */
export function physicalIdOf(flowId: string, adopted: boolean): string {
  return adopted ? `${ADOPTED_PHYSICAL_ID_PREFIX}${flowId}` : flowId;
}

/** The flow a physical id names, and whether it was adopted; undefined when it names no flow. */
export function parsePhysicalId(id: string | undefined): { flowId: string; adopted: boolean } | undefined {
  if (id === undefined) return undefined;
  const adopted = id.startsWith(ADOPTED_PHYSICAL_ID_PREFIX);
  const flowId = adopted ? id.slice(ADOPTED_PHYSICAL_ID_PREFIX.length) : id;
  return FLOW_ID_PATTERN.test(flowId) ? { flowId, adopted } : undefined;
}

/** Largest Flow JSON the service accepts, in bytes (MetaFlowJsonBlob max). */
export const MAX_FLOW_JSON_BYTES = 10_485_760;

/** The service's nine flow categories (MetaFlowCategory). */
export const FLOW_CATEGORIES = [
  'SIGN_UP',
  'SIGN_IN',
  'APPOINTMENT_BOOKING',
  'LEAD_GENERATION',
  'SHOPPING',
  'CONTACT_US',
  'CUSTOMER_SUPPORT',
  'SURVEY',
  'OTHER',
] as const;

/** Pattern of a Meta flow id (MetaFlowId). */
export const FLOW_ID_PATTERN = /^[0-9]{1,100}$/;

/** Pattern of a linked WABA id or ARN accepted by the service (LinkedWhatsAppBusinessAccountId). */
export const WABA_ID_PATTERN = /^waba-[0-9a-zA-Z]+$/;
export const WABA_ARN_PATTERN = /^arn:[a-z0-9-]+:social-messaging:[a-z0-9-]*:[0-9]*:waba\/[0-9a-zA-Z]+$/;

/** The account part of a WABA id or ARN: `waba-abc` and `arn:…:waba/abc` name the same WABA. */
export function wabaAccountId(wabaId: string): string {
  if (wabaId.startsWith('waba-')) return wabaId.slice(5);
  const i = wabaId.lastIndexOf(':waba/');
  return i >= 0 ? wabaId.slice(i + 6) : wabaId;
}
