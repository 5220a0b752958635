/**
 * policies/cloudformation-execution-policy.json: what a restricted CloudFormation execution role
 * must allow to deploy, update and delete stacks of this library. The test synthesizes stacks that
 * use every feature and checks that each resource type in them has its create, update and delete
 * permissions in the document: a new resource type fails here until the document covers it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FlowCategory, FlowJson, WhatsAppFlow, WhatsAppFlowDirectory, WhatsAppFlowProviderConfig } from '../../lib';

const ROOT = path.resolve(__dirname, '../..');
const DOCUMENT = 'policies/cloudformation-execution-policy.json';

/**
 * The permissions CloudFormation's handlers of each resource type use for the properties this
 * library sets (the `handlers` of the type's schema in the CloudFormation registry:
 * `aws cloudformation describe-type --type RESOURCE --type-name <type>`).
 */
const REQUIRED: Record<string, { create: string[]; update: string[]; delete: string[] }> = {
  // CloudFormation invokes the custom resource's ServiceToken, the provider's function.
  'Custom::WhatsAppFlow': { create: ['lambda:InvokeFunction'], update: ['lambda:InvokeFunction'], delete: ['lambda:InvokeFunction'] },
  'AWS::Lambda::Function': {
    create: [
      'lambda:CreateFunction', 'lambda:GetFunction', 'lambda:PutFunctionConcurrency', 'lambda:TagResource', 'iam:PassRole', 's3:GetObject', 's3:GetObjectVersion',
      'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs',
    ],
    update: [
      'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:GetFunction', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency',
      'lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags', 'iam:PassRole', 's3:GetObject', 's3:GetObjectVersion', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs',
    ],
    delete: ['lambda:DeleteFunction', 'lambda:GetFunction', 'ec2:DescribeNetworkInterfaces'],
  },
  'AWS::Lambda::EventInvokeConfig': {
    create: ['lambda:PutFunctionEventInvokeConfig', 'lambda:GetFunctionEventInvokeConfig'],
    update: ['lambda:UpdateFunctionEventInvokeConfig', 'lambda:GetFunctionEventInvokeConfig'],
    delete: ['lambda:DeleteFunctionEventInvokeConfig', 'lambda:GetFunctionEventInvokeConfig'],
  },
  'AWS::IAM::Role': {
    create: ['iam:CreateRole', 'iam:GetRole', 'iam:PutRolePermissionsBoundary', 'iam:AttachRolePolicy', 'iam:TagRole'],
    update: [
      'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary',
      'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:TagRole', 'iam:UntagRole',
    ],
    delete: ['iam:DeleteRole', 'iam:GetRole', 'iam:DetachRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:ListInstanceProfilesForRole'],
  },
  'AWS::IAM::Policy': {
    create: ['iam:PutRolePolicy', 'iam:GetRolePolicy'],
    update: ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:GetRolePolicy'],
    delete: ['iam:DeleteRolePolicy'],
  },
  'AWS::IAM::ManagedPolicy': {
    create: ['iam:CreatePolicy', 'iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:AttachRolePolicy'],
    update: ['iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:ListPolicyVersions', 'iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
    delete: ['iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:ListPolicyVersions', 'iam:ListEntitiesForPolicy', 'iam:DetachRolePolicy'],
  },
  'AWS::Logs::LogGroup': {
    create: ['logs:CreateLogGroup', 'logs:DescribeLogGroups', 'logs:PutRetentionPolicy', 'logs:AssociateKmsKey', 'logs:TagResource'],
    update: [
      'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:AssociateKmsKey', 'logs:DisassociateKmsKey', 'logs:DescribeLogGroups',
      'logs:TagResource', 'logs:UntagResource', 'logs:ListTagsForResource',
    ],
    delete: ['logs:DeleteLogGroup', 'logs:DescribeLogGroups'],
  },
  // Made for the function when `vpc` is set without `securityGroups`.
  'AWS::EC2::SecurityGroup': {
    create: ['ec2:CreateSecurityGroup', 'ec2:DescribeSecurityGroups', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupEgress', 'ec2:CreateTags'],
    update: ['ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:CreateTags', 'ec2:DeleteTags', 'ec2:DescribeSecurityGroups'],
    delete: ['ec2:DeleteSecurityGroup', 'ec2:DescribeSecurityGroups'],
  },
};

/** Types that need no permission of the execution role: CDK's version reporting, kept by CloudFormation itself. */
const NO_PERMISSION = new Set(['AWS::CDK::Metadata']);

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
}

const policy = JSON.parse(fs.readFileSync(path.join(ROOT, DOCUMENT), 'utf8')) as { Version: string; Statement: Statement[] };

/** Whether the document allows the action (IAM's `*` and `?` wildcards, actions case-insensitive). */
function allows(action: string): boolean {
  return policy.Statement.some((s) => s.Effect === 'Allow' && ([] as string[]).concat(s.Action).some((a) => wildcard(a).test(action)));
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

/** Stacks that use every feature of the library, and the types of their resources. */
function featureStacks(): Stack[] {
  const app = new App();
  const env = { account: '123456789012', region: 'eu-west-1' };
  // About `size` characters of text: over 4 KiB goes through an S3 asset.
  const doc = (size: number) => ({
    version: '7.3',
    screens: [{
      id: 'A',
      terminal: true,
      layout: {
        type: 'SingleColumnLayout',
        children: [
          ...Array.from({ length: Math.ceil(size / 2000) }, (_, i) => ({ type: 'TextBody', text: `${i}`.padEnd(Math.min(size, 2000), 'x') })),
          { type: 'Footer', label: 'Done', 'on-click-action': { name: 'complete', payload: {} } },
        ],
      },
    }],
  });

  // Everything at once: the provider settings, flows in several WABAs, inline and S3 content, previews, a clone, a directory.
  const full = new Stack(app, 'Full', { env });
  iam.PermissionsBoundary.of(full).apply(iam.ManagedPolicy.fromManagedPolicyName(full, 'Boundary', 'app-boundary'));
  new WhatsAppFlowProviderConfig(full, 'FlowProvider', {
    logGroupEncryptionKey: kms.Key.fromKeyArn(full, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789'),
    vpc: ec2.Vpc.fromVpcAttributes(full, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-1'] }),
    reservedConcurrentExecutions: 10,
    tracing: lambda.Tracing.ACTIVE,
    logRetention: logs.RetentionDays.ONE_YEAR,
    roleName: 'app-whatsapp-flows',
  });
  const wabas = ['waba-aaaa0000000000000000000000000000', 'waba-bbbb0000000000000000000000000000', 'arn:aws:social-messaging:eu-west-1:123456789012:waba/cccc0000000000000000000000000000'];
  wabas.forEach((wabaId, i) => {
    const small = new WhatsAppFlow(full, `Small${i}`, { wabaId, flowName: `small-${i}`, categories: [FlowCategory.SIGN_UP], flowJson: FlowJson.fromObject(doc(10)), publish: true });
    new WhatsAppFlow(full, `Large${i}`, { wabaId, flowName: `large-${i}`, categories: [FlowCategory.SURVEY], flowJson: FlowJson.fromObject(doc(6000)), preview: true });
    new WhatsAppFlow(full, `Clone${i}`, { wabaId, flowName: `clone-${i}`, categories: [FlowCategory.OTHER], cloneFrom: small });
  });
  new WhatsAppFlowDirectory(full, 'Directory', { wabaId: 'waba-dddd0000000000000000000000000000', directory: path.join(ROOT, 'test', 'fixtures', 'flow-dirs', 'basic') });

  // The defaults, with a security group of the user's.
  const plain = new Stack(app, 'Plain', { env });
  new WhatsAppFlow(plain, 'Flow', { wabaId: wabas[0], flowName: 'plain', categories: [FlowCategory.OTHER], flowJson: FlowJson.fromObject(doc(10)) });
  const withGroups = new Stack(app, 'WithGroups', { env });
  const vpc = ec2.Vpc.fromVpcAttributes(withGroups, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-1'] });
  new WhatsAppFlowProviderConfig(withGroups, 'FlowProvider', { vpc, securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(withGroups, 'Sg', 'sg-1')] });
  new WhatsAppFlow(withGroups, 'Flow', { wabaId: wabas[1], flowName: 'grouped', categories: [FlowCategory.OTHER], flowJson: FlowJson.fromObject(doc(10)) });
  return [full, plain, withGroups];
}

function resourceTypes(stacks: Stack[]): Set<string> {
  return new Set(stacks.flatMap((s) => Object.values<{ Type: string }>(Template.fromStack(s).toJSON().Resources).map((r) => r.Type)));
}

test('the document is an IAM policy document of Allow statements', () => {
  expect(policy.Version).toBe('2012-10-17');
  expect(policy.Statement.length).toBeGreaterThan(0);
  for (const s of policy.Statement) {
    expect(s).toEqual(expect.objectContaining({ Effect: 'Allow', Action: expect.anything(), Resource: expect.anything() }));
  }
});

test('the stacks that use every feature deploy only resource types the document knows', () => {
  const unknown = [...resourceTypes(featureStacks())].filter((t) => !NO_PERMISSION.has(t) && !REQUIRED[t]);
  // A new type: add its create, update and delete permissions (its registry schema's handlers)
  // to REQUIRED above and to policies/cloudformation-execution-policy.json.
  expect(unknown).toEqual([]);
});

test('every resource type of those stacks has its create, update and delete permissions in the document', () => {
  const types = [...resourceTypes(featureStacks())].filter((t) => !NO_PERMISSION.has(t)).sort();
  expect(types).toEqual(expect.arrayContaining(['AWS::EC2::SecurityGroup', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup', 'Custom::WhatsAppFlow']));
  const missing = types.flatMap((type) =>
    (['create', 'update', 'delete'] as const).flatMap((op) => (REQUIRED[type]?.[op] ?? []).filter((a) => !allows(a)).map((a) => `${type} ${op}: ${a}`)),
  );
  expect(missing).toEqual([]);
});

test('passes the provider\'s role to Lambda only', () => {
  const passRole = policy.Statement.filter((s) => ([] as string[]).concat(s.Action).some((a) => wildcard(a).test('iam:PassRole')));
  expect(passRole).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } })]);
});

test('the README links the document and the package ships it', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const own = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect(readme).toContain(`](${DOCUMENT})`);
  expect(own.files).toContain(DOCUMENT);
});
