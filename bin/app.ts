/**
 * The example app: one stack, `WhatsAppFlowExample`, with the flows of `flows/`.
 *
 *   npm start                      deploys it to the built-in emulator (bin/local-deploy.ts)
 *   npx cdk synth                  synthesizes it (cdk.json runs this file)
 *   npx cdk deploy -c wabaId=waba-…   deploys it to your AWS account
 *   -c compliance=true             adds the provider settings of the README's "Compliance" section
 *
 * The WABA is the AWS id (or ARN) of a WhatsApp Business Account linked to AWS End User
 * Messaging Social: from `-c wabaId=…`, else `WHATSAPP_WABA_ID`, else a placeholder that only the
 * local emulator accepts.
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FlowCategory, FlowJson, WhatsAppFlow, WhatsAppFlowProviderConfig } from '../lib';

/** A WABA id that exists only in the local emulator: `npm start` works without an AWS account. */
export const LOCAL_DEMO_WABA_ID = 'waba-00000000000000000000000000000000';

/** Name of the example stack. */
export const EXAMPLE_STACK_NAME = 'WhatsAppFlowExample';

export interface ExampleAppOptions {
  /**
   * Where the cloud assembly is written.
   * @default - the CLI's choice (`CDK_OUTDIR`), else a temporary folder
   */
  readonly outdir?: string;
  /**
   * Context values, as `cdk -c key=value` gives them: `wabaId`, `flowsDir`, `compliance`.
   * @default - the CLI's context (`CDK_CONTEXT_JSON`), if any
   */
  readonly context?: Record<string, unknown>;
}

/** Builds the example app. Tests and `npm start` call this with their own outdir and context. */
export function buildApp(options: ExampleAppOptions = {}): App {
  const app = new App({ outdir: options.outdir, context: options.context });
  const wabaId = String(app.node.tryGetContext('wabaId') ?? process.env.WHATSAPP_WABA_ID ?? LOCAL_DEMO_WABA_ID);
  const flowsDir = String(app.node.tryGetContext('flowsDir') ?? path.join(__dirname, '..', 'flows'));
  const flow = (file: string) => FlowJson.fromFile(path.join(flowsDir, file));

  const stack = new Stack(app, EXAMPLE_STACK_NAME, {
    description: 'whatsapp-flow-cdk example: WhatsApp Flows declared in CDK',
  });
  const compliance = app.node.tryGetContext('compliance');
  if (compliance === true || compliance === 'true') configureForCompliance(stack);

  // Published: usable in template messages right after the deploy.
  const signup = new WhatsAppFlow(stack, 'Signup', {
    wabaId,
    flowName: 'northwind-rewards-signup',
    categories: [FlowCategory.SIGN_UP],
    flowJson: flow('signup.json'),
    publish: true,
  });

  // A draft: editable, sendable only as a test message; a preview link to try it on a phone.
  new WhatsAppFlow(stack, 'FeedbackSurvey', {
    wabaId,
    flowName: 'delivery-feedback-survey',
    categories: [FlowCategory.SURVEY],
    flowJson: flow('feedback-survey.json'),
    preview: true,
  });

  // Larger than 4 KiB: its content travels through an S3 asset rather than in the template.
  new WhatsAppFlow(stack, 'AppointmentRequest', {
    wabaId,
    flowName: 'branch-appointment-request',
    categories: [FlowCategory.APPOINTMENT_BOOKING],
    flowJson: flow('appointment-request.json'),
    publish: true,
  });

  // A copy of the sign-up flow, made once at creation, for a partner campaign to edit in
  // WhatsApp Manager: its content is not managed here.
  new WhatsAppFlow(stack, 'PartnerSignup', {
    wabaId,
    flowName: 'partner-campaign-signup',
    categories: [FlowCategory.SIGN_UP, FlowCategory.LEAD_GENERATION],
    cloneFrom: signup,
  });

  return app;
}

/**
 * The provider settings of the README's "Compliance" section (before the stack's first flow):
 * with them, cdk-nag's AwsSolutions, Serverless, NIST 800-53 R5 and HIPAA Security checks find
 * nothing. The VPC and the key are placeholders for an account's own.
 */
export function configureForCompliance(stack: Stack): void {
  new WhatsAppFlowProviderConfig(stack, 'FlowProvider', {
    logGroupEncryptionKey: kms.Key.fromKeyArn(stack, 'LogsKey', 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789'),
    vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    }),
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    reservedConcurrentExecutions: 10,
    tracing: lambda.Tracing.ACTIVE,
    logRetention: logs.RetentionDays.ONE_YEAR,
  });
}

if (require.main === module) {
  buildApp().synth();
}
