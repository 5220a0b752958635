/**
 * The three ways of putting N flows in a stack that the benchmark compares:
 *
 * - `ours`: `WhatsAppFlow` (one provider function per stack, content ≤ 4 KiB inline, larger in S3);
 * - `diy`: what a CDK user writes today without this library: one `AwsCustomResource` per flow,
 *   CreateWhatsAppFlow on create, UpdateWhatsAppFlowAssets on update, DeleteWhatsAppFlow on
 *   delete, the Flow JSON inline in the template;
 * - `providerFramework`: our handler logic behind `custom-resources.Provider` (the framework's
 *   onEvent function invoking ours), with the same properties and content handling as ours.
 *
 * The baselines live here, in the benchmark, never in the product.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import { App, ArnFormat, CustomResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import * as cr from 'aws-cdk-lib/custom-resources';
import { FlowCategory, FlowJson, FlowValidation, WhatsAppFlow } from '../../lib';
import { FLOW_ACTIONS, handlerBundleDir, HANDLER_MEMORY_MB, HANDLER_TIMEOUT } from '../../lib/provider';
import { Prop, RESOURCE_TYPE } from '../../lib/shared/contract';
import type { LocalEnvironment } from '../../local/cloudformation/template';
import { ACCOUNT, REGION, WABA } from './context';

export type Variant = 'ours' | 'diy' | 'providerFramework';
export const VARIANTS: readonly Variant[] = ['ours', 'diy', 'providerFramework'];
export const VARIANT_LABEL: Record<Variant, string> = {
  ours: 'WhatsAppFlow',
  diy: 'AwsCustomResource DIY',
  providerFramework: 'Provider framework',
};

export const STACK_NAME = 'BenchFlows';

/** Where the local engine deploys a benchmark stack: the pseudo parameters, a new stack id each time. */
export function benchEnv(stackName = STACK_NAME): LocalEnvironment {
  return { partition: 'aws', region: REGION, accountId: ACCOUNT, stackName, stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}/${randomUUID()}` };
}

export interface BuildOptions {
  readonly variant: Variant;
  /** One Flow JSON file per flow. */
  readonly files: readonly string[];
  readonly outdir: string;
  readonly validation: boolean;
  /** Our construct's Flow JSON check at synth (on unless measuring its cost). @default true */
  readonly flowValidation?: boolean;
  readonly publish?: boolean;
}

export function flowName(i: number): string {
  return `bench-flow-${String(i).padStart(3, '0')}`;
}

/** Builds the app of one variant (not synthesized). */
export function buildApp(o: BuildOptions): App {
  const app = new App({ outdir: o.outdir, builtinCloudFormationValidation: o.validation });
  const stack = new Stack(app, STACK_NAME, { env: { account: ACCOUNT, region: REGION } });
  build(stack, o);
  return app;
}

/** Builds and synthesizes one app; returns the path of the stack's template. */
export function synthStack(o: BuildOptions): { templatePath: string; template: any; warnings: number } {
  const assembly = buildApp(o).synth();
  const artifact = assembly.getStackByName(STACK_NAME);
  const warnings = artifact.messages.filter((m) => m.level === 'warning').length;
  return { templatePath: artifact.templateFullPath, template: artifact.template, warnings };
}

function build(stack: Stack, o: BuildOptions): void {
  switch (o.variant) {
    case 'ours':
      return buildOurs(stack, o);
    case 'diy':
      return buildDiy(stack, o);
    case 'providerFramework':
      return buildProviderFramework(stack, o);
  }
}

function buildOurs(stack: Stack, o: BuildOptions): void {
  o.files.forEach((file, i) => {
    new WhatsAppFlow(stack, `Flow${i}`, {
      wabaId: WABA,
      flowName: flowName(i),
      categories: [FlowCategory.OTHER],
      flowJson: FlowJson.fromFile(file),
      publish: o.publish ?? false,
      validation: o.flowValidation === false ? FlowValidation.skip('benchmark: synth without the Flow JSON check') : undefined,
    });
  });
}

function wabaArn(stack: Stack): string {
  return stack.formatArn({ service: 'social-messaging', resource: 'waba', resourceName: WABA.slice('waba-'.length), arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/**
 * What the AWS CDK docs lead a user to write: the Flow JSON read from its file and passed as a
 * string (the SDK encodes it), one AwsCustomResource per flow with its own generated policy.
 */
function buildDiy(stack: Stack, o: BuildOptions): void {
  const arn = wabaArn(stack);
  o.files.forEach((file, i) => {
    const flowJson = fs.readFileSync(file, 'utf8');
    new cr.AwsCustomResource(stack, `Flow${i}`, {
      resourceType: 'Custom::WhatsAppFlow',
      onCreate: {
        service: 'SocialMessaging',
        action: 'CreateWhatsAppFlow',
        parameters: { id: WABA, flowName: flowName(i), categories: ['OTHER'], flowJson, publish: o.publish ?? false },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('flowId'),
      },
      onUpdate: {
        service: 'SocialMessaging',
        action: 'UpdateWhatsAppFlowAssets',
        parameters: { id: WABA, flowId: new cr.PhysicalResourceIdReference(), flowJson },
      },
      onDelete: {
        service: 'SocialMessaging',
        action: 'DeleteWhatsAppFlow',
        parameters: { id: WABA, flowId: new cr.PhysicalResourceIdReference() },
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [arn] }),
      // The Lambda runtime's SDK may predate the flow commands; true would `npm install` the
      // latest SDK at every cold start (network). Locally the repository's client is used.
      installLatestAwsSdk: false,
    });
  });
}

/** Our handler behind the Provider framework: same function settings, properties and grants. */
function buildProviderFramework(stack: Stack, o: BuildOptions): void {
  const onEvent = new lambda.Function(stack, 'OnEvent', {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(handlerBundleDir()),
    timeout: HANDLER_TIMEOUT,
    memorySize: HANDLER_MEMORY_MB,
    logGroup: new logs.LogGroup(stack, 'OnEventLogs', { retention: logs.RetentionDays.SIX_MONTHS, removalPolicy: RemovalPolicy.DESTROY }),
  });
  onEvent.addToRolePolicy(new iam.PolicyStatement({ actions: FLOW_ACTIONS, resources: [wabaArn(stack)] }));
  const provider = new cr.Provider(stack, 'Provider', {
    onEventHandler: onEvent,
    logGroup: new logs.LogGroup(stack, 'FrameworkLogs', { retention: logs.RetentionDays.SIX_MONTHS, removalPolicy: RemovalPolicy.DESTROY }),
  });
  o.files.forEach((file, i) => {
    const content = FlowJson.fromFile(file);
    const properties: Record<string, unknown> = {
      [Prop.WABA_ID]: WABA,
      [Prop.FLOW_NAME]: flowName(i),
      [Prop.CATEGORIES]: ['OTHER'],
      [Prop.PUBLISH]: String(o.publish ?? false),
      [Prop.REMOVAL_POLICY]: 'destroy',
      [Prop.CONTENT_SHA256]: content.sha256,
      [Prop.CONTENT_BYTES]: String(content.sizeBytes),
    };
    if (content.sizeBytes <= WhatsAppFlow.INLINE_CONTENT_MAX_BYTES) {
      properties[Prop.FLOW_JSON] = content.content;
    } else {
      const asset = new Asset(stack, `Flow${i}Content`, { path: file });
      properties[Prop.CONTENT_S3_BUCKET] = asset.s3BucketName;
      properties[Prop.CONTENT_S3_KEY] = asset.s3ObjectKey;
      asset.grantRead(onEvent);
    }
    new CustomResource(stack, `Flow${i}`, { serviceToken: provider.serviceToken, resourceType: RESOURCE_TYPE, properties });
  });
}

/** What a template costs, as CloudFormation and IAM count it. */
export interface TemplateFacts {
  /** Bytes of the template file the CDK writes (what the CLI uploads). */
  readonly bytes: number;
  /** Bytes of the same template minified. */
  readonly minifiedBytes: number;
  readonly resources: number;
  readonly functions: number;
  readonly policyStatements: number;
  /** Bytes of every policy document (minified JSON), trust policies excluded. */
  readonly policyBytes: number;
  /** Largest aggregate of inline policies attached to one role (IAM limit 10,240 characters). */
  readonly maxRoleInlineChars: number;
  /** Largest managed policy (IAM limit 6,144 characters). */
  readonly maxManagedPolicyChars: number;
  /** Bytes of the largest single resource in the template. */
  readonly largestResourceBytes: number;
  /** Flow resources whose content travels inline (a `FlowJson` property). */
  readonly inlineFlows: number;
}

export const TEMPLATE_LIMIT_BYTES = 1_048_576;
export const RESOURCE_LIMIT = 500;
export const ROLE_INLINE_LIMIT = 10_240;
export const MANAGED_POLICY_LIMIT = 6_144;

export function templateFacts(templatePath: string, template: any): TemplateFacts {
  const resources: Record<string, any> = template.Resources ?? {};
  let functions = 0;
  let policyStatements = 0;
  let policyBytes = 0;
  let maxManaged = 0;
  let largest = 0;
  let inlineFlows = 0;
  const roleInline = new Map<string, number>();
  const addInline = (role: string, chars: number) => roleInline.set(role, (roleInline.get(role) ?? 0) + chars);
  // IAM counts the policy as CloudFormation resolves it: pseudo parameters and joins of strings
  // are resolved here; references to other resources are left as they are (a close estimate).
  const docSize = (doc: unknown) => JSON.stringify(resolvePseudo(doc)).length;
  const statements = (doc: any) => (Array.isArray(doc?.Statement) ? doc.Statement.length : doc?.Statement ? 1 : 0);
  for (const [id, r] of Object.entries(resources)) {
    largest = Math.max(largest, JSON.stringify(r).length);
    const p = r.Properties ?? {};
    if (r.Type === RESOURCE_TYPE && p[Prop.FLOW_JSON] !== undefined) inlineFlows++;
    switch (r.Type) {
      case 'AWS::Lambda::Function':
        functions++;
        break;
      case 'AWS::IAM::Policy': {
        const size = docSize(p.PolicyDocument);
        policyStatements += statements(p.PolicyDocument);
        policyBytes += size;
        for (const role of p.Roles ?? []) addInline(JSON.stringify(role), size);
        break;
      }
      case 'AWS::IAM::ManagedPolicy': {
        const size = docSize(p.PolicyDocument);
        policyStatements += statements(p.PolicyDocument);
        policyBytes += size;
        maxManaged = Math.max(maxManaged, size);
        break;
      }
      case 'AWS::IAM::Role':
        for (const pol of p.Policies ?? []) {
          const size = docSize(pol.PolicyDocument);
          policyStatements += statements(pol.PolicyDocument);
          policyBytes += size;
          addInline(JSON.stringify({ Ref: id }), size);
        }
        break;
      default:
        break;
    }
  }
  return {
    bytes: fs.statSync(templatePath).size,
    minifiedBytes: Buffer.byteLength(JSON.stringify(template)),
    resources: Object.keys(resources).length,
    functions,
    policyStatements,
    policyBytes,
    maxRoleInlineChars: Math.max(0, ...roleInline.values()),
    maxManagedPolicyChars: maxManaged,
    largestResourceBytes: largest,
    inlineFlows,
  };
}

const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };

/** Resolves `Ref` to pseudo parameters and `Fn::Join` of strings, as CloudFormation would. */
function resolvePseudo(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resolvePseudo);
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'Ref' && typeof o.Ref === 'string' && PSEUDO[o.Ref]) return PSEUDO[o.Ref];
  if (keys.length === 1 && keys[0] === 'Fn::Join' && Array.isArray(o['Fn::Join'])) {
    const [sep, parts] = o['Fn::Join'] as [unknown, unknown];
    const resolved = Array.isArray(parts) ? parts.map(resolvePseudo) : parts;
    if (typeof sep === 'string' && Array.isArray(resolved) && resolved.every((x) => typeof x === 'string')) return resolved.join(sep);
    return { 'Fn::Join': [sep, resolved] };
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolvePseudo(x)]));
}

/** Lambda invocations CloudFormation causes per flow event (custom resources are invoked asynchronously). */
export const INVOCATIONS_PER_EVENT: Record<Variant, string> = {
  ours: '1 (CloudFormation → handler)',
  diy: '1 (CloudFormation → AwsCustomResource handler)',
  providerFramework: '2 (CloudFormation → framework onEvent → our handler, synchronous)',
};
