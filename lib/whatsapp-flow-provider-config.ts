import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { PROVIDER_ID } from './shared/contract';
import { FlowConfigError } from './private/errors';
import { renderValue } from './private/messages';

/**
 * Settings of the provider of a stack's flows (its one Lambda function, role and log group), for
 * accounts whose rules ask for them. See {@link WhatsAppFlowProviderConfig}.
 */
export interface WhatsAppFlowProviderConfigProps {
  /**
   * The KMS key that encrypts the provider's log group.
   *
   * The key policy must let CloudWatch Logs use the key for the log groups of the stack's account
   * and Region. A key created in the same stack (`new kms.Key(...)`) gets that statement; for an
   * imported key, add it to the key policy yourself (the README shows it).
   *
   * @default - the log group is encrypted by CloudWatch Logs with its own key
   */
  readonly logGroupEncryptionKey?: kms.IKey;

  /**
   * How long the provider's log lines are kept.
   *
   * @default logs.RetentionDays.SIX_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The VPC to run the provider's function in.
   *
   * The function then needs outbound HTTPS to the AWS End User Messaging Social endpoint of the
   * Region, to S3 (to answer CloudFormation on its pre-signed ResponseURL, and to read content
   * assets over 4 KiB), and to the download links of deployed Flow JSON that the service hands
   * out (Meta's servers): through a NAT gateway, or VPC endpoints and a proxy.
   *
   * @default - the function does not run in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Where in `vpc` the function runs.
   *
   * @default - the VPC's private subnets with egress (as for any Lambda function in a VPC)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The security groups of the function's network interfaces. They must allow the outbound
   * HTTPS described under `vpc`; nothing connects to the function.
   *
   * @default - one security group, made for the function, that allows all outbound traffic and no inbound
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Concurrent executions reserved for the provider, which are also its maximum.
   *
   * CloudFormation sends each flow's event on its own; events beyond this number wait in
   * Lambda's queue, and one that waits longer than two minutes is dropped (the deploy then
   * fails that flow after 7 minutes). 10 or more keeps a deploy of hundreds of flows moving.
   *
   * @default - no reservation: the function uses the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * AWS X-Ray tracing of the provider's function.
   *
   * @default lambda.Tracing.DISABLED
   */
  readonly tracing?: lambda.Tracing;

  /**
   * The name of the provider's IAM role, for accounts that require role names to follow a
   * convention. Changing it replaces the role. Permissions boundaries set with
   * `PermissionsBoundary.of(scope)` apply to the role whether it is named or not.
   *
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
}

const CONFIG_SYMBOL = Symbol.for('whatsapp-flow-cdk.WhatsAppFlowProviderConfig');

/** The settings, in the order they are applied and compared. */
const SETTINGS: ReadonlyArray<keyof WhatsAppFlowProviderConfigProps> = [
  'logGroupEncryptionKey', 'logRetention', 'vpc', 'vpcSubnets', 'securityGroups', 'reservedConcurrentExecutions', 'tracing', 'roleName',
];

/**
 * Settings of the provider of this stack's flows: its log group's KMS key and retention, its
 * VPC, reserved concurrency, tracing and role name.
 *
 * Every stack has one provider, made when its first `WhatsAppFlow` is: create the configuration
 * in the stack before that flow. Several configurations of one stack are merged; two that give
 * one setting different values fail synth, naming both.
 *
 * @example
 * new WhatsAppFlowProviderConfig(stack, 'FlowProvider', {
 *   logGroupEncryptionKey: key,
 *   vpc,
 *   reservedConcurrentExecutions: 10,
 *   tracing: lambda.Tracing.ACTIVE,
 *   logRetention: logs.RetentionDays.ONE_YEAR,
 * });
 */
export class WhatsAppFlowProviderConfig extends Construct {
  /**
   * Whether `x` is a WhatsAppFlowProviderConfig (also one made by another copy of this library).
   *
   * @param x any value
   */
  public static isWhatsAppFlowProviderConfig(x: any): x is WhatsAppFlowProviderConfig {
    return x !== null && typeof x === 'object' && CONFIG_SYMBOL in x;
  }

  /** @internal */
  public readonly _props: WhatsAppFlowProviderConfigProps;

  constructor(scope: Construct, id: string, props: WhatsAppFlowProviderConfigProps = {}) {
    super(scope, id);
    Object.defineProperty(this, CONFIG_SYMBOL, { value: true });
    this._props = props ?? {};
    const stack = stackOf(this);
    checkProps(this, this._props);

    const provider = stack.node.tryFindChild(PROVIDER_ID) as { readonly createdFor?: string } | undefined;
    if (provider) {
      throw new FlowConfigError(
        `comes after the stack's provider was made (for its first flow, ${provider.createdFor ?? provider}), so it cannot apply; create the WhatsAppFlowProviderConfig before the first WhatsAppFlow of ${stack.node.path}`,
        this,
      );
    }
    for (const other of configsOf(stack)) {
      if (other === this) continue;
      for (const key of SETTINGS) {
        const mine = this._props[key];
        const theirs = other._props[key];
        if (mine !== undefined && theirs !== undefined && !sameSetting(mine, theirs)) {
          throw new FlowConfigError(
            `${key} is ${describe(mine)} here and ${describe(theirs)} in ${other.node.path}; a stack has one provider, so give ${key} once (remove it from one of them)`,
            this,
          );
        }
      }
    }
    this.node.addValidation({
      validate: () => {
        if (!stack.node.tryFindChild(PROVIDER_ID)) {
          Annotations.of(this).addWarningV2(
            'whatsapp-flow-cdk:ProviderConfigUnused',
            `${stack.node.path} has no WhatsAppFlow, so this configuration applies to nothing; create it in the stack of the flows`,
          );
        }
        return [];
      },
    });
  }
}

/**
 * The provider settings of a stack: what its configurations give (they never conflict: a
 * conflicting one fails when it is created).
 */
export function providerSettings(stack: Stack): WhatsAppFlowProviderConfigProps {
  const merged: Record<string, unknown> = {};
  for (const config of configsOf(stack)) {
    for (const key of SETTINGS) {
      if (merged[key] === undefined && config._props[key] !== undefined) merged[key] = config._props[key];
    }
  }
  return merged as WhatsAppFlowProviderConfigProps;
}

function configsOf(stack: Stack): WhatsAppFlowProviderConfig[] {
  return stack.node.findAll().filter((c): c is WhatsAppFlowProviderConfig => WhatsAppFlowProviderConfig.isWhatsAppFlowProviderConfig(c) && Stack.of(c) === stack);
}

function stackOf(config: WhatsAppFlowProviderConfig): Stack {
  for (let c: IConstruct | undefined = config.node.scope; c; c = c.node.scope) {
    if (Stack.isStack(c)) return c;
  }
  throw new FlowConfigError('is not inside a stack; create it in the stack whose WhatsApp Flows it configures', config);
}

function checkProps(scope: Construct, props: WhatsAppFlowProviderConfigProps): void {
  const n = props.reservedConcurrentExecutions;
  if (n !== undefined && !Token.isUnresolved(n) && (!Number.isInteger(n) || n < 1)) {
    throw new FlowConfigError(
      `reservedConcurrentExecutions must be a whole number of at least 1, got ${typeof n === 'number' ? String(n) : renderValue(n)}; 0 would stop every flow event, so leave it unset for no reservation (10 or more is a good value)`,
      scope,
    );
  }
  const name = props.roleName;
  if (name !== undefined && !Token.isUnresolved(name) && !/^[\w+=,.@-]{1,64}$/.test(name)) {
    throw new FlowConfigError(`roleName must be 1-64 letters, digits or +=,.@_- (IAM's rule for role names), got ${renderValue(name)}; rename it`, scope);
  }
  if (!props.vpc) {
    for (const key of ['vpcSubnets', 'securityGroups'] as const) {
      if (props[key] !== undefined) throw new FlowConfigError(`${key} is set but vpc is not; set vpc too, or remove ${key}`, scope);
    }
  }
  if (props.securityGroups !== undefined && props.securityGroups.length === 0) {
    throw new FlowConfigError('securityGroups is an empty list; list at least one security group, or leave it unset to have one made for the function', scope);
  }
}

/** Whether two values of a setting are the same: the same constructs, equal plain values. */
function sameSetting(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameSetting(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameSetting(a[k], b[k]));
  }
  return false;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype;
}

/** A setting's value for a message: constructs by their path. */
function describe(value: unknown): string {
  const plain = (v: unknown): unknown => {
    if (v !== null && typeof v === 'object' && 'node' in v && typeof (v as IConstruct).node?.path === 'string') return `<${(v as IConstruct).node.path}>`;
    if (Array.isArray(v)) return v.map(plain);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
  };
  return renderValue(plain(value), 120);
}
