/**
 * The example app under cdk-nag 3's rule packs, run the way a regulated pipeline runs them
 * (`Validations.of(app).addPlugins(...)`, then synth): what the library acknowledges itself, what
 * the provider settings of the README's "Compliance" section fix, and that the library's
 * acknowledgements cover its own resources only.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import { buildApp } from '../../bin/app';

const ROOT = path.resolve(__dirname, '../..');
const PACKS = ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'HIPAA.Security'];

interface Finding {
  readonly pack: string;
  readonly rule: string;
  readonly severity: string;
  /** The construct path, from the stack down (`WhatsAppFlowProvider.6f1c2d0e/Logs/Resource`). */
  readonly path: string;
}

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the four packs on the app as a pipeline does, and returns every finding they report. */
function findings(build: (outdir: string) => App): Finding[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-'));
  outdirs.push(outdir);
  const app = build(outdir);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app));
  const file = path.join(outdir, 'validation-report.json');
  try {
    app.synth();
  } catch (e) {
    // A failed validation throws after writing its report; anything else is a real failure.
    if (!fs.existsSync(file)) throw e;
  }
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  return report.pluginReports.flatMap((p: any) =>
    p.violations.flatMap((v: any) =>
      v.violatingConstructs.map((c: any) => ({ pack: p.pluginName, rule: v.ruleName, severity: v.severity, path: c.constructPath.split('/').slice(1).join('/').replace(/^WhatsAppFlowProvider\.[0-9a-f]+/, 'Provider') })),
    ),
  );
}

const errors = (all: Finding[]) => all.filter((f) => f.severity === 'error');

test('the four packs are the ones the report names', () => {
  const app = (outdir: string) => {
    const a = buildApp({ outdir });
    new lambda.Function(new Stack(a, 'Other'), 'Unrelated', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = 1'), timeout: Duration.seconds(3) });
    return a;
  };
  expect(new Set(findings(app).map((f) => f.pack))).toEqual(new Set(PACKS));
});

test('the example app as is has no unacknowledged error in AwsSolutions and Serverless; NIST 800-53 R5 and HIPAA Security report only what the settings fix', () => {
  const all = findings((outdir) => buildApp({ outdir }));

  expect(errors(all).filter((f) => f.pack === 'AwsSolutions' || f.pack === 'Serverless')).toEqual([]);
  expect(all.filter((f) => f.severity === 'warning')).toEqual([{ pack: 'Serverless', rule: 'Serverless-LambdaTracing', severity: 'warning', path: 'Provider/Handler/Resource' }]);
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security']) {
    expect(errors(all).filter((f) => f.pack === pack).map((f) => `${f.rule} ${f.path}`).sort()).toEqual([
      `${pack}-CloudWatchLogGroupEncrypted Provider/Logs/Resource`, // logGroupEncryptionKey
      `${pack}-LambdaConcurrency Provider/Handler/Resource`, // reservedConcurrentExecutions
      `${pack}-LambdaInsideVPC Provider/Handler/Resource`, // vpc
    ]);
  }
});

test('the example app with the settings of the README\'s Compliance section has no finding in any of the four packs', () => {
  expect(findings((outdir) => buildApp({ outdir, context: { compliance: 'true' } }))).toEqual([]);
});

test('the README\'s Compliance section shows the settings the example app applies', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Compliance'));
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const config = /new WhatsAppFlowProviderConfig\([\s\S]*?\n\}\);/.exec(snippet)?.[0];
  expect(config).toBeDefined();
  const squash = (s: string) => s.replace(/\s+/g, ' ').replace(/\bthis\b/g, 'stack');
  expect(squash(fs.readFileSync(path.join(ROOT, 'bin', 'app.ts'), 'utf8'))).toContain(squash(config!));
});

test('acknowledges each finding on the provider\'s own resources only, with its reason in the template', () => {
  const all = findings((outdir) => {
    const app = buildApp({ outdir, context: { compliance: 'true' } });
    const stack = app.node.findChild('WhatsAppFlowExample') as Stack;
    // A function of the user's in the same stack, without a dead-letter queue or reserved concurrency.
    new lambda.Function(stack, 'UsersOwn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    return app;
  });
  expect(all.filter((f) => f.path.startsWith('Provider'))).toEqual([]);
  expect(errors(all).map((f) => f.rule)).toEqual(expect.arrayContaining(['Serverless-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'NIST.800.53.R5-LambdaConcurrency']));
  expect(errors(all).every((f) => f.path.startsWith('UsersOwn/'))).toBe(true);

  const app = buildApp({ context: { compliance: 'true' } });
  const template = Template.fromStack(app.node.findChild('WhatsAppFlowExample') as Stack).toJSON();
  const acknowledged = Object.values<any>(template.Resources).flatMap((r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((s: any) => [r.Type, s.id, s.reason]));
  expect(acknowledged.map(([type, id]) => `${type} ${id}`).sort()).toEqual([
    'AWS::IAM::ManagedPolicy AwsSolutions-IAM5[Resource::*]',
    'AWS::IAM::Policy AwsSolutions-IAM5[Resource::*]',
    ...['AWS::IAM::Policy', 'AWS::IAM::Policy'].flatMap((t) => ['HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321'].map((p) => `${t} ${p}-IAMNoInlinePolicy`)),
    'AWS::Lambda::EventInvokeConfig Serverless-LambdaAsyncFailureDestination',
    'AWS::Lambda::Function HIPAA.Security-LambdaDLQ',
    'AWS::Lambda::Function NIST.800.53.R5-LambdaDLQ',
    'AWS::Lambda::Function Serverless-LambdaDLQ',
  ].sort());
  for (const [, id, reason] of acknowledged) expect([id, reason.length >= 60]).toEqual([id, true]);
});
