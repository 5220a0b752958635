import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, ArnFormat, CfnResource, CustomResource, IResource, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { FlowCategory, FlowJson } from './flow-json';
import { FlowValidation } from './flow-validation';
import { FindingSeverity, FlowJsonValidator } from './validator';
import { claimFlowName } from './private/flow-names';
import { Attr, FLOW_ID_PATTERN, Prop, RemovalPolicyValue, RESOURCE_TYPE, wabaAccountId } from './shared/contract';
import { FlowConfigError } from './private/errors';
import { renderValue } from './private/messages';
import { checkWabaId, removalPolicyValue } from './private/prop-checks';
import { categoryCountProblem, flowNameProblem, repeatedCategoryProblem } from './private/prop-rules';
import { SERVICE_TIMEOUT, WhatsAppFlowProvider } from './provider';

/** See {@link WhatsAppFlow.INLINE_CONTENT_MAX_BYTES}. */
const INLINE_CONTENT_MAX_BYTES = 4096;

/** A WhatsApp Flow, declared in this app or imported. */
export interface IWhatsAppFlow extends IResource {
  /**
   * Meta's id of the flow (numeric, as a string).
   * @attribute
   */
  readonly flowId: string;

  /**
   * The AWS id (`waba-…`) or ARN of the WhatsApp Business Account that holds the flow.
   * @attribute
   */
  readonly wabaId: string;
}

/** Attributes of an existing flow, for {@link WhatsAppFlow.fromFlowAttributes}. */
export interface WhatsAppFlowAttributes {
  /** The AWS id (`waba-…`) or ARN of the WhatsApp Business Account that holds the flow. */
  readonly wabaId: string;

  /** Meta's id of the flow (numeric, as a string). */
  readonly flowId: string;
}

/** Properties of a {@link WhatsAppFlow}. */
export interface WhatsAppFlowProps {
  /**
   * The linked WhatsApp Business Account that holds the flow: its AWS id
   * (`waba-0123456789abcdef0123456789abcdef`) or its ARN. Not Meta's numeric WABA id.
   *
   * Changing it replaces the flow: a new flow is created in the new account, then the old one
   * is deleted (draft) or deprecated (published).
   */
  readonly wabaId: string;

  /** The flow's name, 1-200 characters, unique within the WABA. Changing it renames the flow in place. */
  readonly flowName: string;

  /** The flow's categories: 1 to 9 distinct values. */
  readonly categories: FlowCategory[];

  /**
   * The flow's content.
   *
   * @default - no content: the flow is created empty (or from `cloneFrom`) and its content is not managed
   */
  readonly flowJson?: FlowJson;

  /**
   * Whether the flow is published, so that it can be sent in template messages.
   *
   * Publishing is one-way: setting it back to `false` later leaves a published flow published.
   * A content change to a published flow is republished whatever this says.
   *
   * @default false
   */
  readonly publish?: boolean;

  /**
   * A flow of the same WABA to copy when the flow is created. Used at creation only.
   *
   * @default - the flow is not a clone
   */
  readonly cloneFrom?: IWhatsAppFlow;

  /**
   * What happens to the flow when it leaves the stack (stack deletion, removal from the code,
   * replacement, or the rollback of the deploy that created it).
   *
   * - `DESTROY`: a draft is deleted; a published flow is renamed out of the way (so that its name
   *   can be used again) and deprecated (published flows cannot be deleted). With `adoptExisting`,
   *   this applies to a flow taken over too, including when the deploy that took it over rolls back.
   * - `RETAIN`: the flow is left untouched (CloudFormation's DeletionPolicy and UpdateReplacePolicy `Retain`).
   * - `RETAIN_ON_UPDATE_OR_DELETE`: like `RETAIN`, except that a flow whose creation failed is cleaned up.
   *
   * @default - `DESTROY`; with `adoptExisting`, `DESTROY` for a flow this construct created and
   * a flow it took over is left in place
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Take over an existing flow of the same name in the WABA at creation, instead of failing
   * because the name is taken. The flow is then updated to match this construct.
   *
   * Like CloudFormation's resource import, a flow taken over is left in place when the construct
   * is removed, unless `removalPolicy` is `DESTROY`: a removal cannot be told apart from the
   * rollback of the deploy that took the flow over, and that rollback must not destroy a flow the
   * stack did not make. To hand a flow taken over to the stack for good, deploy once with
   * `adoptExisting` removed (or set `removalPolicy: RemovalPolicy.DESTROY`).
   *
   * @default false
   */
  readonly adoptExisting?: boolean;

  /**
   * Fetch a preview link (shareable, valid 30 days) after a create or a content change,
   * available as `previewUrl`. Best effort: a failed preview never fails a deploy.
   *
   * @default false
   */
  readonly preview?: boolean;

  /**
   * Whether the content is checked against Meta's Flow JSON rules (and what AWS can deploy) at
   * synth. Errors fail synth; warnings become acknowledgeable CDK warnings.
   *
   * @default FlowValidation.ENFORCE
   */
  readonly validation?: FlowValidation;
}

abstract class WhatsAppFlowBase extends Resource implements IWhatsAppFlow {
  public abstract readonly flowId: string;
  public abstract readonly wabaId: string;
}

/**
 * A WhatsApp Flow of a WhatsApp Business Account linked to AWS End User Messaging Social,
 * created, updated, published and finally deprecated or deleted by `cdk deploy`.
 *
 * @example
 * new WhatsAppFlow(this, 'Signup', {
 *   wabaId: 'waba-0123456789abcdef0123456789abcdef',
 *   flowName: 'signup',
 *   categories: [FlowCategory.SIGN_UP],
 *   flowJson: FlowJson.fromFile('flows/signup.json'),
 *   publish: true,
 * });
 *
 * @see https://docs.aws.amazon.com/social-messaging/latest/userguide/managing-flows.html
 */
export class WhatsAppFlow extends WhatsAppFlowBase {
  /**
   * Flow JSON whose text, escaped as a JSON string in the template, is at most this many bytes
   * travels inline, where `cdk diff` shows it; larger content goes through an S3 asset. With
   * about 700 bytes of other properties per flow, 4 KiB keeps a stack of 200 flows under
   * CloudFormation's 1 MB template limit, and every event (which carries old and new properties)
   * far below Lambda's payload limit.
   */
  public static readonly INLINE_CONTENT_MAX_BYTES = INLINE_CONTENT_MAX_BYTES;

  /**
   * Refers to a flow that exists outside this stack, for example as the source of `cloneFrom`.
   */
  public static fromFlowAttributes(scope: Construct, id: string, attrs: WhatsAppFlowAttributes): IWhatsAppFlow {
    class Import extends WhatsAppFlowBase {
      public readonly flowId = attrs.flowId;
      public readonly wabaId = attrs.wabaId;
    }
    const imported = new Import(scope, id);
    checkWabaId(imported, 'wabaId', attrs.wabaId);
    if (!Token.isUnresolved(attrs.flowId) && !FLOW_ID_PATTERN.test(String(attrs.flowId))) {
      throw new FlowConfigError(`flowId must be Meta's numeric flow id, got ${renderValue(attrs.flowId)}; copy it from the flow's page in WhatsApp Manager or from ListWhatsAppFlows`, imported);
    }
    return imported;
  }

  /** @attribute */
  public readonly flowId: string;

  /**
   * The flow's status as of the last deploy (`DRAFT`, `PUBLISHED`, …).
   * @attribute
   */
  public readonly flowStatus: string;

  /** @attribute */
  public readonly wabaId: string;

  /**
   * Meta's validation errors for the flow's content as of the last deploy, joined with `; `
   * and truncated; empty when there are none.
   * @attribute
   */
  public readonly validationErrors: string;

  /**
   * The flow's preview link, when `preview` is enabled; empty otherwise or when it could not be fetched.
   * @attribute
   */
  public readonly previewUrl: string;

  /**
   * When the preview link expires (ISO 8601), when `preview` is enabled; empty otherwise.
   * @attribute
   */
  public readonly previewExpiresAt: string;

  /**
   * What the last deploy could not make as declared, in words (a name another flow holds, a
   * change Meta refused on a BLOCKED or THROTTLED flow); empty when the flow is as declared.
   * @attribute
   */
  public readonly divergence: string;

  /**
   * SHA-256 of the flow's content in canonical form, if the content is managed.
   * @default - no managed content
   */
  public readonly contentSha256?: string;

  private readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: WhatsAppFlowProps) {
    super(scope, id);
    validateProps(this, props);
    claimFlowName(this, props.wabaId, props.flowName);

    const stack = Stack.of(this);
    const provider = WhatsAppFlowProvider.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;

    const properties: Record<string, unknown> = {
      [Prop.WABA_ID]: props.wabaId,
      [Prop.FLOW_NAME]: props.flowName,
      [Prop.CATEGORIES]: props.categories.map((c) => c.value),
      [Prop.PUBLISH]: String(props.publish ?? false),
      [Prop.REMOVAL_POLICY]:
        props.adoptExisting && props.removalPolicy === undefined ? RemovalPolicyValue.DESTROY_KEEP_ADOPTED : removalPolicyValue(this, removalPolicy),
    };
    if (props.cloneFrom) properties[Prop.CLONE_FLOW_ID] = props.cloneFrom.flowId;
    if (props.adoptExisting) properties[Prop.ADOPT_EXISTING] = 'true';
    if (props.preview) properties[Prop.PREVIEW] = 'true';

    const dependencies: Construct[] = [provider.grantWaba(wabaArn(stack, props.wabaId), props.preview ?? false)];

    if (props.flowJson) {
      const content = props.flowJson;
      properties[Prop.CONTENT_SHA256] = content.sha256;
      properties[Prop.CONTENT_BYTES] = String(content.sizeBytes);
      // Measured as the template holds it: quotes, backslashes and newlines escaped.
      if (content.sizeBytes <= INLINE_CONTENT_MAX_BYTES && Buffer.byteLength(JSON.stringify(content.content)) <= INLINE_CONTENT_MAX_BYTES) {
        properties[Prop.FLOW_JSON] = content.content;
      } else {
        const asset = new Asset(this, 'Content', { path: stageContent(content) });
        properties[Prop.CONTENT_S3_BUCKET] = asset.s3BucketName;
        properties[Prop.CONTENT_S3_KEY] = asset.s3ObjectKey;
        dependencies.push(provider.grantObject(asset.bucket.arnForObjects(asset.s3ObjectKey)));
      }
      this.contentSha256 = content.sha256;
      validateContent(this, content, props.publish ?? false, props.validation ?? FlowValidation.ENFORCE);
    }

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.function.functionArn,
      resourceType: RESOURCE_TYPE,
      properties,
      removalPolicy,
      serviceTimeout: SERVICE_TIMEOUT,
    });
    provider.registerFlow(props.wabaId, props.flowName, this.resource.node.defaultChild as CfnResource, props.adoptExisting ?? false);
    // The content's file, for `whatsapp-flow diff` and `render`: in the cloud assembly's metadata,
    // not in the template, so that moving the file changes nothing to deploy.
    if (props.flowJson?.filePath) {
      const source = path.relative(process.cwd(), props.flowJson.filePath).split(path.sep).join('/') || props.flowJson.filePath;
      (this.resource.node.defaultChild as CfnResource).node.addMetadata('whatsapp-flow-cdk:source', source);
    }
    // The grants must exist before the flow is touched and outlive its deletion.
    for (const dep of dependencies) this.resource.node.addDependency(dep);

    this.flowId = this.resource.getAttString(Attr.FLOW_ID);
    this.flowStatus = this.resource.getAttString(Attr.FLOW_STATUS);
    this.wabaId = this.resource.getAttString(Attr.WABA_ID);
    this.validationErrors = this.resource.getAttString(Attr.VALIDATION_ERRORS);
    this.previewUrl = this.resource.getAttString(Attr.PREVIEW_URL);
    this.previewExpiresAt = this.resource.getAttString(Attr.PREVIEW_EXPIRES_AT);
    this.divergence = this.resource.getAttString(Attr.DIVERGENCE);
  }
}

/** Runs the Flow JSON validator: errors become a synth failure listing them all, warnings CDK warnings. */
function validateContent(scope: Construct, content: FlowJson, publish: boolean, validation: FlowValidation): void {
  if (!validation.enabled) {
    Annotations.of(scope).addInfo(`Flow JSON validation skipped: ${validation.reason}`);
    return;
  }
  const findings = FlowJsonValidator.validateText(content.content, { publish });
  const source = content.filePath ? path.relative(process.cwd(), content.filePath) || content.filePath : content.source;
  for (const f of findings) {
    if (f.severity === FindingSeverity.WARNING) {
      Annotations.of(scope).addWarningV2(`whatsapp-flow-cdk:${f.code}`, FlowJsonValidator.formatFinding(f, source));
    }
  }
  const errors = findings.filter((f) => f.severity === FindingSeverity.ERROR);
  if (errors.length > 0) {
    scope.node.addValidation({
      validate: () => [
        `flowJson has ${errors.length} error${errors.length === 1 ? '' : 's'}${publish ? ' (checked for publishing)' : ''}:\n` +
          errors.map((f) => `  ${FlowJsonValidator.formatFinding(f, source)}`).join('\n') +
          '\n  (run `npx whatsapp-flow validate` on the file; to deploy anyway, set validation: FlowValidation.skip(reason), or "skipValidation": "<reason>" in a flow directory\'s manifest)',
      ],
    });
  }
}

function validateProps(scope: Construct, props: WhatsAppFlowProps): void {
  if (props === undefined || props === null) {
    throw new FlowConfigError('props are required: wabaId, flowName and categories', scope);
  }
  checkWabaId(scope, 'wabaId', props.wabaId);

  const name = props.flowName;
  if (typeof name !== 'string') {
    throw new FlowConfigError(`flowName is required and must be a string, got ${renderValue(name)}`, scope);
  }
  const nameProblem = Token.isUnresolved(name) ? undefined : flowNameProblem(name);
  if (nameProblem) throw new FlowConfigError(nameProblem, scope);

  const categories = props.categories;
  const countProblem = categoryCountProblem(categories, '[FlowCategory.SIGN_UP]');
  if (countProblem) throw new FlowConfigError(countProblem, scope);
  const seen = new Set<string>();
  categories.forEach((c, i) => {
    if (!(c instanceof FlowCategory)) {
      throw new FlowConfigError(`categories[${i}] must be a FlowCategory, got ${renderValue(c)}; use FlowCategory.SIGN_UP (or FlowCategory.of('NAME') for a newer one)`, scope);
    }
    if (seen.has(c.value)) throw new FlowConfigError(repeatedCategoryProblem(c.value), scope);
    seen.add(c.value);
  });

  if (props.flowJson !== undefined && !(props.flowJson instanceof FlowJson)) {
    throw new FlowConfigError(`flowJson must be made with FlowJson.fromFile, fromString or fromObject, got ${renderValue(props.flowJson)}`, scope);
  }
  if (props.publish === true && !props.flowJson && !props.cloneFrom) {
    throw new FlowConfigError('publish is true but the flow has no content; set flowJson (or cloneFrom), or leave publish unset to create an empty draft', scope);
  }
  if (props.cloneFrom) {
    const a = knownWabaAccountId(props.wabaId);
    const b = knownWabaAccountId(props.cloneFrom.wabaId);
    if (a && b && a !== b) {
      throw new FlowConfigError(
        `cloneFrom is a flow of WABA ${renderValue(props.cloneFrom.wabaId)} but this flow is in ${renderValue(props.wabaId)}; the service clones only within one WABA: clone from a flow of the same WABA, or use flowJson with the source's content`,
        scope,
      );
    }
  }
  if (props.adoptExisting && (Token.isUnresolved(props.wabaId) || Token.isUnresolved(props.flowName))) {
    throw new FlowConfigError('adoptExisting needs wabaId and flowName known at synth (not tokens): the provider records which resource declares each flow by them', scope);
  }
  if (props.adoptExisting && props.cloneFrom) {
    throw new FlowConfigError('adoptExisting and cloneFrom cannot be combined: an adopted flow already has its content; remove one of them', scope);
  }
  if (props.removalPolicy !== undefined) removalPolicyValue(scope, props.removalPolicy);
}

/** The id part shared by a WABA's AWS id and its ARN; undefined for tokens. */
function knownWabaAccountId(value: string): string | undefined {
  return Token.isUnresolved(value) ? undefined : wabaAccountId(value);
}

/** The IAM resource ARN of a WABA given by id or ARN. */
function wabaArn(stack: Stack, wabaId: string): string {
  if (Token.isUnresolved(wabaId)) {
    // Unknown until deploy: grant the WABAs of this account and Region.
    return stack.formatArn({ service: 'social-messaging', resource: 'waba', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  }
  if (wabaId.startsWith('arn:')) return wabaId;
  return stack.formatArn({ service: 'social-messaging', resource: 'waba', resourceName: wabaAccountId(wabaId), arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/** A file holding exactly the bytes to upload, for the S3 asset. */
function stageContent(content: FlowJson): string {
  // The file itself, unless it starts with a BOM (the uploaded text does not).
  if (content.filePath && fs.statSync(content.filePath).size === content.sizeBytes) return content.filePath;
  const digest = crypto.createHash('sha256').update(content.content, 'utf8').digest('hex');
  const dir = path.join(os.tmpdir(), 'whatsapp-flow-cdk-content');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${digest}.json`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, content.content, 'utf8');
    fs.renameSync(tmp, file);
  }
  return file;
}
