/**
 * WhatsAppFlowProviderConfig: the settings a stack's provider takes, how two configurations of
 * one stack combine, and that settings never move the provider's resources (logical ids, the
 * ServiceToken) of a deployed stack.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FlowCategory, FlowJson, WhatsAppFlow, WhatsAppFlowProviderConfig, WhatsAppFlowProviderConfigProps } from '../../lib';
import { NETWORK_INTERFACE_ACTIONS } from '../../lib/provider';

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const doc = {
  version: '7.3',
  screens: [{ id: 'A', terminal: true, layout: { type: 'SingleColumnLayout', children: [{ type: 'Footer', label: 'Done', 'on-click-action': { name: 'complete', payload: {} } }] } }],
};

function stack(): Stack {
  return new Stack(new App(), 'FlowStack', { env: { account: '123456789012', region: 'us-east-1' } });
}

function flow(scope: Stack, id = 'Signup'): WhatsAppFlow {
  return new WhatsAppFlow(scope, id, { wabaId: WABA, flowName: id.toLowerCase(), categories: [FlowCategory.SIGN_UP], flowJson: FlowJson.fromObject(doc) });
}

function vpcOf(scope: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(scope, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-1'] });
}

/** The logical ids of the stack's resources, by type. */
function logicalIds(s: Stack): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, r] of Object.entries<any>(Template.fromStack(s).toJSON().Resources)) (out[r.Type] ??= []).push(id);
  return out;
}

describe('settings', () => {
  test('applies every setting to the provider\'s function, role and log group', () => {
    const s = stack();
    const vpc = vpcOf(s);
    const sg = ec2.SecurityGroup.fromSecurityGroupId(s, 'Sg', 'sg-1');
    new WhatsAppFlowProviderConfig(s, 'FlowProvider', {
      logGroupEncryptionKey: kms.Key.fromKeyArn(s, 'Key', KEY_ARN),
      logRetention: logs.RetentionDays.ONE_YEAR,
      vpc,
      vpcSubnets: { subnets: vpc.privateSubnets },
      securityGroups: [sg],
      reservedConcurrentExecutions: 10,
      tracing: lambda.Tracing.ACTIVE,
      roleName: 'app-whatsapp-flow-provider',
    });
    flow(s);
    const t = Template.fromStack(s);

    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: KEY_ARN, RetentionInDays: 365 });
    t.hasResourceProperties('AWS::IAM::Role', { RoleName: 'app-whatsapp-flow-provider' });
    t.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 10,
      TracingConfig: { Mode: 'Active' },
      VpcConfig: { SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
    });
    t.resourceCountIs('AWS::EC2::SecurityGroup', 0);
  });

  test('runs the function in the VPC with a security group of its own and the network-interface actions in a managed policy it depends on', () => {
    const s = stack();
    new WhatsAppFlowProviderConfig(s, 'FlowProvider', { vpc: vpcOf(s) });
    flow(s);
    const t = Template.fromStack(s);

    t.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: 'vpc-1', SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0' })] });
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [{ Sid: 'FunctionInVpc', Effect: 'Allow', Action: NETWORK_INTERFACE_ACTIONS, Resource: '*' }] },
      Roles: [{ Ref: Match.stringLikeRegexp('WhatsAppFlowProvider.*Role') }],
    });
    const [policyId] = logicalIds(s)['AWS::IAM::ManagedPolicy'].filter((id) => id.includes('NetworkInterfaces'));
    t.hasResource('AWS::Lambda::Function', { DependsOn: Match.arrayWith([policyId]) });
  });

  test('lets CloudWatch Logs use a key of the same stack, for the log groups of the stack\'s account and Region', () => {
    const s = stack();
    new WhatsAppFlowProviderConfig(s, 'FlowProvider', { logGroupEncryptionKey: new kms.Key(s, 'LogsKey', { enableKeyRotation: true }) });
    flow(s);

    Template.fromStack(s).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'WhatsAppFlowProviderLogs',
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:*']] } } },
          }),
        ]),
      },
    });
  });

  test('the role takes the permissions boundary of PermissionsBoundary.of', () => {
    const s = stack();
    iam.PermissionsBoundary.of(s).apply(iam.ManagedPolicy.fromManagedPolicyName(s, 'Boundary', 'app-boundary'));
    new WhatsAppFlowProviderConfig(s, 'FlowProvider', { roleName: 'app-flows' });
    flow(s);

    Template.fromStack(s).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'app-flows',
      PermissionsBoundary: { 'Fn::Join': ['', Match.arrayWith([':iam::123456789012:policy/app-boundary'])] },
    });
  });

  test('keeps the logical ids of the provider\'s resources and the flows\' ServiceToken', () => {
    const plain = stack();
    flow(plain);
    const configured = stack();
    new WhatsAppFlowProviderConfig(configured, 'FlowProvider', {
      logGroupEncryptionKey: kms.Key.fromKeyArn(configured, 'Key', KEY_ARN),
      vpc: vpcOf(configured),
      reservedConcurrentExecutions: 10,
      tracing: lambda.Tracing.ACTIVE,
      logRetention: logs.RetentionDays.ONE_YEAR,
      roleName: 'app-flows',
    });
    flow(configured);

    const before = logicalIds(plain);
    const after = logicalIds(configured);
    for (const type of ['AWS::Lambda::Function', 'AWS::IAM::Role', 'AWS::Logs::LogGroup', 'AWS::Lambda::EventInvokeConfig', 'Custom::WhatsAppFlow']) {
      expect([type, after[type]]).toEqual([type, before[type]]);
    }
    expect(after['AWS::IAM::Policy']).toEqual(expect.arrayContaining(before['AWS::IAM::Policy']));
    const token = (s: Stack) => Template.fromStack(s).findResources('Custom::WhatsAppFlow');
    expect(Object.values<any>(token(configured))[0].Properties.ServiceToken).toEqual(Object.values<any>(token(plain))[0].Properties.ServiceToken);
  });

  test('merges two configurations of one stack that set different settings, or the same setting alike', () => {
    const s = stack();
    const vpc = vpcOf(s);
    new WhatsAppFlowProviderConfig(s, 'Network', { vpc, reservedConcurrentExecutions: 10 });
    new WhatsAppFlowProviderConfig(s, 'Logging', { logRetention: logs.RetentionDays.ONE_YEAR, reservedConcurrentExecutions: 10, vpc });
    flow(s);
    const t = Template.fromStack(s);

    t.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 10, VpcConfig: Match.anyValue() });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('applies a configuration to the stack it is in only', () => {
    const app = new App();
    const configured = new Stack(app, 'Configured');
    const other = new Stack(app, 'Other');
    new WhatsAppFlowProviderConfig(configured, 'FlowProvider', { reservedConcurrentExecutions: 10 });
    flow(configured);
    flow(other, 'Other');

    Template.fromStack(configured).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 10 });
    Template.fromStack(other).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: Match.absent() });
  });

  test('warns about a configuration in a stack without flows', () => {
    const s = stack();
    new WhatsAppFlowProviderConfig(s, 'FlowProvider', { reservedConcurrentExecutions: 10 });

    Annotations.fromStack(s).hasWarning('/FlowStack/FlowProvider', Match.stringLikeRegexp('FlowStack has no WhatsAppFlow, so this configuration applies to nothing'));
  });
});

describe('synth-time errors name the configuration, the value and the fix', () => {
  test('fails on two configurations of one stack that give one setting different values, naming both', () => {
    const s = stack();
    new WhatsAppFlowProviderConfig(s, 'Platform', { reservedConcurrentExecutions: 10 });
    expect(() => new WhatsAppFlowProviderConfig(s, 'Team', { reservedConcurrentExecutions: 5 })).toThrow(
      'FlowStack/Team: reservedConcurrentExecutions is 5 here and 10 in FlowStack/Platform; a stack has one provider, so give reservedConcurrentExecutions once (remove it from one of them)',
    );
    const vpcs = stack();
    new WhatsAppFlowProviderConfig(vpcs, 'A', { vpc: ec2.Vpc.fromVpcAttributes(vpcs, 'One', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'] }) });
    expect(() => new WhatsAppFlowProviderConfig(vpcs, 'B', { vpc: ec2.Vpc.fromVpcAttributes(vpcs, 'Two', { vpcId: 'vpc-2', availabilityZones: ['us-east-1a'] }) })).toThrow(
      /FlowStack\/B: vpc is "<FlowStack\/Two>" here and "<FlowStack\/One>" in FlowStack\/A/,
    );
  });

  test('fails on a configuration made after the stack\'s first flow, naming the flow', () => {
    const s = stack();
    flow(s, 'Signup');
    expect(() => new WhatsAppFlowProviderConfig(s, 'FlowProvider', { reservedConcurrentExecutions: 10 })).toThrow(
      /FlowStack\/FlowProvider: comes after the stack's provider was made \(for its first flow, FlowStack\/Signup\), so it cannot apply; create the WhatsAppFlowProviderConfig before the first WhatsAppFlow of FlowStack/,
    );
  });

  test.each<[string, (s: Stack) => WhatsAppFlowProviderConfigProps, RegExp]>([
    ['no reserved concurrency', () => ({ reservedConcurrentExecutions: 0 }), /reservedConcurrentExecutions must be a whole number of at least 1, got 0; 0 would stop every flow event/],
    ['a fractional concurrency', () => ({ reservedConcurrentExecutions: 2.5 }), /got 2.5/],
    ['a role name over 64 characters', () => ({ roleName: 'r'.repeat(65) }), /roleName must be 1-64 letters, digits or \+=,\.@_- .*got "r+"; rename it/],
    ['subnets without a VPC', () => ({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }), /vpcSubnets is set but vpc is not; set vpc too, or remove vpcSubnets/],
    ['an empty list of security groups', (s) => ({ vpc: vpcOf(s), securityGroups: [] }), /securityGroups is an empty list; list at least one security group/],
  ])('fails on %s', (_what, props, message) => {
    const s = stack();
    expect(() => new WhatsAppFlowProviderConfig(s, 'FlowProvider', props(s))).toThrow(message);
  });

  test('fails outside a stack', () => {
    expect(() => new WhatsAppFlowProviderConfig(new App(), 'FlowProvider', {})).toThrow('FlowProvider: is not inside a stack; create it in the stack whose WhatsApp Flows it configures');
  });
});
