import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Annotations, ArnFormat, CfnResource, Duration, Lazy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { DeclaredFlow, encodeHolders, HOLDERS_ENV } from './shared/holders';
import { PROVIDER_ID, wabaAccountId } from './shared/contract';
import { FlowConfigError } from './private/errors';
import { providerSettings } from './whatsapp-flow-provider-config';

/** The handler's own deadline: it answers FAILED this long before Lambda would kill it. */
export const HANDLER_TIMEOUT = Duration.minutes(5);

/**
 * How long CloudFormation waits for an answer before it fails the resource. A lost answer costs
 * this, not CloudFormation's default of one hour. Lambda's timeout plus two minutes for the
 * asynchronous invocation to start and the answer to arrive.
 */
export const SERVICE_TIMEOUT = Duration.minutes(7);

/** How long the provider's logs are kept. */
export const LOG_RETENTION = logs.RetentionDays.SIX_MONTHS;

/** Memory of the provider: enough to hold, encode and send a 10 MB flow several times over. */
export const HANDLER_MEMORY_MB = 512;

/** Above this many S3 objects one policy would outgrow IAM's 6,144-character limit. */
export const MAX_OBJECT_GRANTS = 40;

/** The social-messaging actions the handler calls for every flow. */
export const FLOW_ACTIONS = [
  'social-messaging:CreateWhatsAppFlow',
  'social-messaging:UpdateWhatsAppFlow',
  'social-messaging:UpdateWhatsAppFlowAssets',
  'social-messaging:PublishWhatsAppFlow',
  'social-messaging:DeprecateWhatsAppFlow',
  'social-messaging:DeleteWhatsAppFlow',
  'social-messaging:GetWhatsAppFlow',
  'social-messaging:ListWhatsAppFlows',
  // Reads a flow's deployed Flow JSON: to compare it when adopting or reconciling, and to keep it
  // as the restore point of a live flow whose content is replaced.
  'social-messaging:ListWhatsAppFlowAssets',
];

/** Only for flows that ask for a preview link. */
export const PREVIEW_ACTION = 'social-messaging:GetWhatsAppFlowPreview';

/**
 * What Lambda needs of the role of a function in a VPC to manage its network interfaces (the
 * actions of the AWS managed policy AWSLambdaVPCAccessExecutionRole).
 */
export const NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/**
 * The cdk-nag findings that follow from what a custom-resource provider is, acknowledged on the
 * provider's own resources with the reason (cdk-nag 3 reads `Validations.acknowledge`; the
 * template's `cdk_nag` metadata is what cdk-nag 2 reads, and the audit trail of both).
 */
const ACKNOWLEDGED = {
  noDeadLetterQueue: {
    ids: ['Serverless-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ'],
    reason:
      'CloudFormation invokes the provider asynchronously and waits for the answer on the event\'s ResponseURL: the handler answers every event itself, failures and timeouts included, and an event left unanswered fails its resource after the ServiceTimeout. Lambda does not retry (retryAttempts 0), so a dead-letter queue would only hold events CloudFormation has already failed.',
  },
  noFailureDestination: {
    ids: ['Serverless-LambdaAsyncFailureDestination'],
    reason:
      'A failed invocation of the provider is handled by CloudFormation, which fails the resource after the ServiceTimeout (7 minutes) and rolls back; an asynchronous failure destination would only record events CloudFormation has already failed.',
  },
  wabaPolicy: {
    ids: ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R4-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'],
    reason:
      'One policy per WABA, a resource of its own that the flows of the WABA depend on, so that CloudFormation deletes it only after the last Delete of those flows has run (a flow moved to another WABA is cleaned up after the update); its statements name only that WABA.',
  },
  defaultPolicy: {
    ids: ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R4-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'],
    reason:
      'The function\'s own grants (writing its log group; X-Ray when tracing is on) in the default policy of its role, which the function depends on: it exists before the first flow event and is deleted after the last one.',
  },
  tracingWildcard: {
    ids: ['AwsSolutions-IAM5[Resource::*]'],
    reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords, which active tracing needs, support no resource-level permissions.',
  },
  networkWildcard: {
    ids: ['AwsSolutions-IAM5[Resource::*]'],
    reason:
      'The network-interface actions Lambda needs to run a function in a VPC (those of AWSLambdaVPCAccessExecutionRole): ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets support no resource-level permissions, and the interfaces Lambda creates have ids unknown at deploy.',
  },
};

/** Acknowledges cdk-nag findings on one resource, with their reason. */
function acknowledge(resource: CfnResource, what: { readonly ids: readonly string[]; readonly reason: string }): void {
  for (const id of what.ids) Validations.of(resource).acknowledge({ id, reason: what.reason });
  const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: Array<{ id: string; reason: string }> } | undefined)?.rules_to_suppress ?? [];
  const added = what.ids.filter((id) => !existing.some((r) => r.id === id)).map((id) => ({ id, reason: what.reason }));
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...added] });
}

/**
 * The one provider of a stack: a Lambda function that CloudFormation invokes directly for every
 * `Custom::WhatsAppFlow` resource, with its role, its log group and the grants of the flows.
 *
 * Grants are separate policy resources so that permissions outlive the resources that need them:
 * - one policy per WABA, whose logical id comes from the WABA, so a flow that moves to another
 *   WABA keeps the old WABA's policy until CloudFormation's cleanup has deleted the old flow (the
 *   old flow's resource depended on that policy in the old template, so it is deleted first);
 * - one managed policy for the content objects in S3 whose logical id comes from the set of
 *   objects, so an update or its rollback never runs while the object it reads is un-granted.
 *
 * @internal
 */
export class WhatsAppFlowProvider extends Construct {
  /** The provider of the stack of `scope`, created on first use. */
  public static of(scope: IConstruct): WhatsAppFlowProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing) {
      return existing as WhatsAppFlowProvider;
    }
    return new WhatsAppFlowProvider(stack, PROVIDER_ID, scope.node.path);
  }

  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  private readonly wabaPolicies = new Map<string, { policy: iam.Policy; preview: boolean }>();
  private readonly objectArns = new Map<string, string>();
  private contentPolicy?: iam.ManagedPolicy;
  private readonly declared = new Map<string, { wabaId: string; flowName: string; resource: CfnResource; adopts: boolean }>();

  private constructor(
    scope: Stack,
    id: string,
    /** The construct the provider was made for (the stack's first flow). */
    public readonly createdFor: string,
  ) {
    super(scope, id);
    // The stack's WhatsAppFlowProviderConfig, if any (made before the first flow).
    const settings = providerSettings(scope);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: settings.logRetention ?? LOG_RETENTION,
      encryptionKey: settings.logGroupEncryptionKey,
    });
    // CloudWatch Logs encrypts with the key only if the key policy lets it (a no-op for an imported key).
    settings.logGroupEncryptionKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'WhatsAppFlowProviderLogs',
        principals: [new iam.ServicePrincipal(`logs.${scope.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': scope.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'whatsapp-flow-cdk provider: manages the WhatsApp Flows of this stack',
      roleName: settings.roleName,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new lambda.Function(this, 'Handler', {
      description: 'whatsapp-flow-cdk: maps CloudFormation events of Custom::WhatsAppFlow to WhatsApp Flow API calls',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(handlerBundleDir()),
      timeout: HANDLER_TIMEOUT,
      memorySize: HANDLER_MEMORY_MB,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // The handler answers every event itself; a retry by Lambda could only act on an event twice.
      retryAttempts: 0,
      // An event Lambda could not deliver within this long is dropped rather than acted on after
      // CloudFormation stopped waiting for it (Lambda keeps throttled asynchronous events up to
      // 6 hours by default). The handler also refuses events older than their ServiceTimeout.
      maxEventAge: Duration.minutes(2),
      vpc: settings.vpc,
      vpcSubnets: settings.vpcSubnets,
      securityGroups: settings.securityGroups,
      reservedConcurrentExecutions: settings.reservedConcurrentExecutions,
      tracing: settings.tracing,
    });
    if (settings.vpc) {
      // A managed policy, not the role's default policy: CreateFunction checks these permissions,
      // and the function's deletion (which removes its network interfaces) comes before the policy's.
      const network = new iam.ManagedPolicy(this, 'NetworkInterfaces', {
        roles: [this.role],
        description: 'whatsapp-flow-cdk provider: network interfaces of the function in its VPC',
        statements: [new iam.PolicyStatement({ sid: 'FunctionInVpc', actions: NETWORK_INTERFACE_ACTIONS, resources: ['*'] })],
      });
      const networkPolicy = network.node.defaultChild as CfnResource;
      this.function.node.defaultChild!.node.addDependency(networkPolicy);
      acknowledge(networkPolicy, ACKNOWLEDGED.networkWildcard);
    }
    acknowledge(this.function.node.defaultChild as CfnResource, ACKNOWLEDGED.noDeadLetterQueue);
    const invokeConfig = this.function.node.tryFindChild('EventInvokeConfig')?.node.defaultChild;
    if (CfnResource.isCfnResource(invokeConfig)) acknowledge(invokeConfig, ACKNOWLEDGED.noFailureDestination);
    const defaultPolicy = this.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (CfnResource.isCfnResource(defaultPolicy)) {
      acknowledge(defaultPolicy, ACKNOWLEDGED.defaultPolicy);
      if (settings.tracing === lambda.Tracing.ACTIVE || settings.tracing === lambda.Tracing.PASS_THROUGH) acknowledge(defaultPolicy, ACKNOWLEDGED.tracingWildcard);
    }
    this.function.addEnvironment(
      HOLDERS_ENV,
      Lazy.string({
        produce: () => {
          const stack = Stack.of(this);
          const flows: DeclaredFlow[] = [...this.declared.values()].map((d) => ({ wabaId: d.wabaId, flowName: d.flowName, logicalId: stack.resolve(d.resource.logicalId), adopts: d.adopts }));
          return encodeHolders(flows);
        },
      }),
    );
  }

  /**
   * Grants the flow actions on one WABA, and returns the policy a flow of that WABA must depend on.
   *
   * @param wabaArn the ARN of the WABA (may contain tokens)
   * @param preview whether GetWhatsAppFlowPreview is needed too
   */
  public grantWaba(wabaArn: string, preview: boolean): iam.Policy {
    const id = `Waba${hash(JSON.stringify(Stack.of(this).resolve(wabaArn)))}`;
    let entry = this.wabaPolicies.get(id);
    if (!entry) {
      const policy = new iam.Policy(this, id, {
        roles: [this.role],
        statements: [
          new iam.PolicyStatement({
            sid: 'ManageFlows',
            // Every flow action supports resource-level permissions on the WABA (there is no
            // flow-level resource type), so none of them needs "*" (Service Authorization
            // Reference, "Actions defined by AWS End User Messaging Social").
            actions: FLOW_ACTIONS,
            resources: [wabaArn],
          }),
        ],
      });
      entry = { policy, preview: false };
      this.wabaPolicies.set(id, entry);
      acknowledge(policy.node.defaultChild as CfnResource, ACKNOWLEDGED.wabaPolicy);
    }
    if (preview && !entry.preview) {
      entry.policy.addStatements(new iam.PolicyStatement({ sid: 'PreviewFlows', actions: [PREVIEW_ACTION], resources: [wabaArn] }));
      entry.preview = true;
    }
    return entry.policy;
  }

  /**
   * Records which resource declares the flow of this WABA and name, in the function's environment
   * (see lib/shared/holders.ts). Flows whose WABA or name is a token are not recorded.
   */
  public registerFlow(wabaId: string, flowName: string, resource: CfnResource, adopts: boolean): void {
    if (Token.isUnresolved(wabaId) || Token.isUnresolved(flowName)) return;
    this.declared.set(`${wabaAccountId(wabaId)}\n${flowName}`, { wabaId, flowName, resource, adopts });
  }

  /**
   * Grants read access to one content object in S3, and returns the policy a flow must depend on.
   */
  public grantObject(objectArn: string): iam.ManagedPolicy {
    const key = JSON.stringify(Stack.of(this).resolve(objectArn));
    this.objectArns.set(key, objectArn);
    if (!this.contentPolicy) {
      const policy = new iam.ManagedPolicy(this, 'ContentRead', {
        roles: [this.role],
        description: 'whatsapp-flow-cdk provider: read the Flow JSON objects of this stack',
      });
      policy.addStatements(
        new iam.PolicyStatement({
          sid: 'ReadFlowContent',
          actions: ['s3:GetObject'],
          resources: Lazy.list({ produce: () => this.objectResources() }),
        }),
      );
      const cfn = policy.node.defaultChild as iam.CfnManagedPolicy;
      // The logical id names the set of objects: a new set is a new policy, created before the
      // flows that read it, while the old one stays until cleanup (or comes back on rollback).
      policy.node.addValidation({
        validate: () => {
          cfn.overrideLogicalId(`WhatsAppFlowContentRead${hash([...this.objectArns.keys()].sort().join('\n'))}`);
          if (this.objectArns.size > MAX_OBJECT_GRANTS) {
            Annotations.of(this).addWarningV2(
              'whatsapp-flow-cdk:ContentGrantWidened',
              `${this.objectArns.size} flows read their content from S3, more than one IAM policy can list (${MAX_OBJECT_GRANTS}); the provider may read any .json object of the asset bucket. Split the flows across stacks to keep object-level grants`,
            );
          }
          return [];
        },
      });
      this.contentPolicy = policy;
    }
    return this.contentPolicy;
  }

  private objectResources(): string[] {
    const arns = [...this.objectArns.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, arn]) => arn);
    if (arns.length <= MAX_OBJECT_GRANTS) {
      return arns;
    }
    // Too many objects for one policy: grant the JSON objects of the asset buckets instead.
    return [...new Set(arns.map((arn) => bucketJsonObjects(arn)))];
  }
}

function bucketJsonObjects(objectArn: string): string {
  // objectArn is `${bucketArn}/${key}`; keep the bucket part, any .json key.
  const parts = objectArn.split('/');
  return `${parts.slice(0, -1).join('/')}/*.json`;
}

function hash(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex').slice(0, 8).toUpperCase();
}

/**
 * The folder of the prebuilt handler bundle, found relative to this file whether it runs from
 * source (lib/) or compiled (dist/lib/). Synth never builds it.
 */
export function handlerBundleDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'lambda', 'dist');
    if (fs.existsSync(path.join(candidate, 'index.js'))) {
      return candidate;
    }
    dir = path.dirname(dir);
  }
  throw new FlowConfigError(
    `the whatsapp-flow-cdk provider bundle (lambda/dist/index.js) is missing next to ${__dirname}; reinstall the package, or run \`npm run build\` when working on whatsapp-flow-cdk itself`,
  );
}
