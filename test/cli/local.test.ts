/**
 * `whatsapp-flow local deploy|destroy|status` on a user's app: a temporary CDK project whose
 * cdk.json runs a plain JavaScript app that requires `whatsapp-flow-cdk` (this repository, built)
 * and aws-cdk-lib. The command runs in-process; the app runs as the CDK CLI would run it.
 * test/package/tarball.test.ts does the same from the packed tarball installed offline.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FlowEmulator } from '../../local/emulator';
import { main } from '../../cli/main';
import { captured, Captured } from '../support/io';

const ROOT = path.resolve(__dirname, '../..');
const WABA = 'waba-11110000000000000000000000000000';
const FLOW = fs.readFileSync(path.join(ROOT, 'flows', 'signup.json'), 'utf8');

let project: string;

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'user-app-'));
  fs.mkdirSync(path.join(project, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(project, 'node_modules', 'whatsapp-flow-cdk'), 'dir');
  for (const dep of ['aws-cdk-lib', 'constructs']) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(project, 'node_modules', dep), 'dir');
  fs.mkdirSync(path.join(project, 'flows'));
  fs.writeFileSync(path.join(project, 'flows', 'signup.json'), FLOW);
});

afterEach(() => {
  fs.rmSync(project, { recursive: true, force: true });
});

/** Writes the project's cdk.json and its app (the body of a function of app and stack). */
function writeApp(body: string, cdk: Record<string, unknown> = {}): void {
  fs.writeFileSync(path.join(project, 'cdk.json'), JSON.stringify({ app: 'node app.js', context: { wabaId: WABA }, ...cdk }));
  fs.writeFileSync(
    path.join(project, 'app.js'),
    `const cdk = require('aws-cdk-lib');
const { App, Stack, CfnParameter, Fn } = cdk;
const { WhatsAppFlow, FlowCategory, FlowJson } = require('whatsapp-flow-cdk');
const app = new App();
const stack = new Stack(app, 'Shop');
const wabaId = app.node.tryGetContext('wabaId');
const flow = (scope, id, props = {}) => new WhatsAppFlow(scope, id, { wabaId, flowName: id.toLowerCase(), categories: [FlowCategory.SIGN_UP], flowJson: FlowJson.fromFile('flows/signup.json'), ...props });
${body}
`,
  );
}

async function local(...argv: string[]): Promise<Captured> {
  return captured(main, ['local', ...argv], project);
}

async function emulatorFlows(): Promise<Array<{ flowName: string; status: string }>> {
  const emulator = await FlowEmulator.start({ stateFile: path.join(project, '.whatsapp-flow-local', 'emulator-state.json') });
  try {
    return emulator.flows().map((f) => ({ flowName: f.flowName, status: f.status })).sort((a, b) => a.flowName.localeCompare(b.flowName));
  } finally {
    await emulator.close();
  }
}

test('deploys the flows of the app of cdk.json, lists the other resources once as skipped, then status and destroy', async () => {
  // GIVEN an app with two flows, an SNS topic and another custom resource (which would call AWS)
  writeApp(`
const sns = require('aws-cdk-lib/aws-sns');
const cr = require('aws-cdk-lib/custom-resources');
new sns.Topic(stack, 'Orders');
new cr.AwsCustomResource(stack, 'Lookup', {
  onCreate: { service: 'SSM', action: 'getParameter', parameters: { Name: 'x' }, physicalResourceId: cr.PhysicalResourceId.of('x') },
  policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
});
const signup = flow(stack, 'Signup', { publish: true });
flow(stack, 'Copy', { flowJson: undefined, cloneFrom: signup });
`);

  // WHEN
  const deploy = await local('deploy');

  // THEN the flows are deployed through the handler, and everything else is named once as skipped
  expect(deploy.code).toBe(0);
  expect(deploy.stdout).toMatch(/Signup[0-9A-F]{8}\s+created\s+\d+\s+PUBLISHED/);
  expect(deploy.stdout).toMatch(/Copy[0-9A-F]{8}\s+created\s+\d+\s+DRAFT/);
  expect(deploy.stdout).toMatch(/done in .*; state in \.whatsapp-flow-local; npx whatsapp-flow local destroy removes everything/);
  const skipped = deploy.stderr.split('\n').filter((l) => l.includes('not simulated locally'));
  expect(skipped).toEqual([expect.stringMatching(/^Shop: not simulated locally, skipped: .*Orders[0-9A-F]{8} \(AWS::SNS::Topic\).*Lookup[0-9A-F]{8} \(Custom::AWS\)/)]);
  expect(deploy.stderr).not.toMatch(/Lookup.*(SUCCESS|FAILED)/);
  expect(await emulatorFlows()).toEqual([{ flowName: 'copy', status: 'DRAFT' }, { flowName: 'signup', status: 'PUBLISHED' }]);
  expect(fs.readFileSync(path.join(project, '.whatsapp-flow-local', '.gitignore'), 'utf8')).toMatch(/^\*$/m);

  const status = await local('status');
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(/^Shop: CREATE_COMPLETE/);
  expect(status.stdout).toMatch(/Shop\s+Signup[0-9A-F]{8}\s+signup\s+\d+\s+PUBLISHED/);

  // WHEN a flow's file changes, the next deploy updates that flow only
  fs.writeFileSync(path.join(project, 'flows', 'signup.json'), FLOW.replace('Earn points on every order', 'Earn double points on every order'));
  const again = await local('deploy', '--json');
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout).rows.map((r: { logicalId: string; action: string }) => `${r.logicalId.slice(0, -8)} ${r.action}`)).toEqual(['Signup updated', 'Copy unchanged']);

  const destroy = await local('destroy');
  expect(destroy.code).toBe(0);
  expect(destroy.stdout).toMatch(/Shop: stack deleted \(1 deleted, 1 deprecated\)/);
  expect(await emulatorFlows()).toEqual([]);
  expect((await local('status')).stdout).toMatch(/^nothing is deployed from \.whatsapp-flow-local/);
});

test('refuses to deploy flows that need values it cannot know, naming each flow and what blocks it', async () => {
  // GIVEN flows whose properties come from a parameter without default, SSM, a skipped resource,
  // another stack, and a flow that is itself blocked
  writeApp(`
const sns = require('aws-cdk-lib/aws-sns');
const ssm = require('aws-cdk-lib/aws-ssm');
const topic = new sns.Topic(stack, 'Orders');
flow(stack, 'FromParameter', { flowName: new CfnParameter(stack, 'Name').valueAsString });
flow(stack, 'FromSsm', { flowName: ssm.StringParameter.valueForStringParameter(stack, '/shop/flow-name') });
const fromTopic = flow(stack, 'FromTopic', { flowName: topic.topicName });
flow(stack, 'CloneOfBlocked', { flowJson: undefined, cloneFrom: fromTopic });
flow(stack, 'Fine');
const other = new Stack(app, 'Other');
flow(other, 'Imported', { flowName: Fn.importValue('shop-flow-name') });
`);

  // WHEN
  const out = await local('deploy');

  // THEN nothing is deployed, and each blocked flow is named with its reasons
  expect(out.code).toBe(1);
  const lines = out.stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith('whatsapp-flow local: 5 flows cannot be deployed locally, so nothing was deployed:'));
  expect(start).toBeGreaterThanOrEqual(0);
  expect(lines.slice(start + 1, start + 6).sort()).toEqual([
    expect.stringMatching(/^ {2}Other\/Imported[0-9A-F]{8}: FlowName imports "shop-flow-name" from another stack \(Fn::ImportValue\)/),
    expect.stringMatching(/^ {2}Shop\/CloneOfBlocked[0-9A-F]{8} \(flow "cloneofblocked"\): refers to flow FromTopic[0-9A-F]{8}, which cannot be deployed locally$/),
    expect.stringMatching(/^ {2}Shop\/FromParameter[0-9A-F]{8}: FlowName uses parameter Name, which has no Default/),
    expect.stringMatching(/^ {2}Shop\/FromSsm[0-9A-F]{8}: FlowName uses parameter \w+, whose value CloudFormation reads from SSM \(\/shop\/flow-name\)/),
    expect.stringMatching(/^ {2}Shop\/FromTopic[0-9A-F]{8}: FlowName refers to Orders[0-9A-F]{8} \(AWS::SNS::Topic\), which the local deploy does not create$/),
  ]);
  expect(lines[start + 6]).toMatch(/^ {2}for the local trial, give those values in the app/);
  expect(out.stderr).not.toMatch(/\n\s+at |undefined/);
  expect(fs.existsSync(path.join(project, '.whatsapp-flow-local', 'deployed.json'))).toBe(false);
});

test('deploys from a cloud assembly folder given as --app', async () => {
  // GIVEN a cdk.out the app wrote before (as cdk synth writes it)
  writeApp(`flow(stack, 'Signup');`);
  const outdir = path.join(project, 'cdk.out');
  const synth = spawnSync(process.execPath, ['app.js'], { cwd: project, env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ wabaId: WABA }) }, encoding: 'utf8' });
  expect(synth.status).toBe(0);
  fs.rmSync(path.join(project, 'app.js'));

  // WHEN
  const out = await local('deploy', '--app', 'cdk.out');

  // THEN
  expect(out.code).toBe(0);
  expect(out.stdout).toMatch(/Signup[0-9A-F]{8}\s+created/);
  expect((await local('destroy')).code).toBe(0);
});

describe('user mistakes print the message and the fix, without a stack trace', () => {
  test.each<[string, () => void, string[], RegExp]>([
    ['a folder without cdk.json', () => undefined, ['deploy'], /^whatsapp-flow local: there is no cdk\.json in .*\n {2}run this in the folder of your CDK app/],
    ['an app that fails', () => writeApp(`throw new Error('the app is broken');`), ['deploy'], /whatsapp-flow local: the app \(.*node.* app\.js\) failed with exit code 1 \(its output is above\)\n {2}fix what it reports/],
    ['an app with a synth error', () => writeApp(`flow(stack, 'Signup', { flowName: '' });`), ['deploy'], /flowName must be 1-200 characters, got 0[\s\S]*whatsapp-flow local: the app \(.*\) failed with exit code 1/],
    ['no action', () => writeApp(''), [], /^whatsapp-flow local: no action given\n {2}run whatsapp-flow local deploy, local destroy or local status\n$/],
    ['an unknown option', () => writeApp(''), ['deploy', '--force'], /^whatsapp-flow local: unknown argument "--force"\n {2}run whatsapp-flow local --help/],
    ['a corrupt state', () => {
      writeApp(`flow(stack, 'Signup');`);
      fs.mkdirSync(path.join(project, '.whatsapp-flow-local'));
      fs.writeFileSync(path.join(project, '.whatsapp-flow-local', 'deployed.json'), '{');
    }, ['deploy'], /^whatsapp-flow local: .*deployed\.json is corrupt .*\n {2}wait for the other run, or delete \.whatsapp-flow-local/],
  ])('%s', async (_what, given, argv, message) => {
    given();
    const out = await local(...argv);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(message);
    // The app's own output (a crash of the app included) is shown as cdk synth shows it; what
    // whatsapp-flow prints after it has no stack trace.
    const ours = out.stderr.slice(out.stderr.indexOf('whatsapp-flow local:'));
    expect(ours).not.toMatch(/\n\s+at [\w<]/);
    expect(ours).not.toMatch(/undefined/);
  });
});
