/**
 * `npm start`: the example app (or a test app described by a spec file) deployed to the
 * emulator through the bundled handler, run after run, in a fresh state folder per test. Each
 * test reads the outcome from the command's JSON, the emulator's state file and deployed.json.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FlowEmulator, FlowRecord } from '../../../local/emulator';
import { EXAMPLE_STACK_NAME, LOCAL_DEMO_WABA_ID } from '../../../bin/app';
import { main } from '../../../local/deploy/npm-start';
import type { Row } from '../../../local/cloudformation/engine';
import type { DeployedState } from '../../../local/deploy/state';
import type { FlowEntry } from '../fixtures/spec-app';
import { unpublishableFlow, validFlow } from '../../support/cfn';

const ROOT = path.resolve(__dirname, '../../..');
const SPEC_APP = path.join(__dirname, '..', 'fixtures', 'spec-app.ts');
const WABA_A = 'waba-aaaa0000000000000000000000000000';
const WABA_B = 'waba-bbbb0000000000000000000000000000';
/** The name a published flow named "live" takes when it leaves the stack (renamed so that its name can be used again). */
const RETIRED_LIVE = expect.stringMatching(/^live \(retired [0-9]+\)$/);

let dir: string;
let stateDir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-deploy-'));
  stateDir = path.join(dir, 'state');
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface RunResult {
  readonly code: number;
  readonly stderr: string;
  readonly json: { ok: boolean; stacks: Array<{ stack: string; outcome: string; events: number; failure?: string; problems: string[] }>; rows: Row[]; notes: string[] };
}

/** Runs `npm start -- <args> --json` in-process against the test's state folder. */
async function run(...args: string[]): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main([...args, '--state-dir', stateDir, '--json'], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: ROOT });
  return { code, stderr, json: stdout ? JSON.parse(stdout) : undefined };
}

/** Deploys the spec app with these flows (stack `Spec`). */
async function deploySpec(flows: FlowEntry[]): Promise<RunResult> {
  const file = path.join(dir, `spec-${Date.now()}-${Math.random()}.json`);
  fs.writeFileSync(file, JSON.stringify({ stackName: 'Spec', flows }));
  return run('--app', SPEC_APP, '-c', `spec=${file}`);
}

/** The example app's flow files, copied so the test can edit them. */
function copyOfExampleFlows(): string {
  const copy = path.join(dir, 'flows');
  fs.cpSync(path.join(ROOT, 'flows'), copy, { recursive: true });
  return copy;
}

/** The emulator's flows as the state file holds them. */
async function emulatorFlows(): Promise<FlowRecord[]> {
  const emulator = await FlowEmulator.start({ stateFile: path.join(stateDir, 'emulator-state.json') });
  try {
    return emulator.flows();
  } finally {
    await emulator.close();
  }
}

function deployed(): DeployedState {
  return JSON.parse(fs.readFileSync(path.join(stateDir, 'deployed.json'), 'utf8'));
}

/** The construct id of a row (the logical id without its hash suffix). */
function constructId(r: Row): string {
  return r.logicalId.replace(/[0-9A-F]{8}$/, '');
}

/** The rows of a construct id. */
function rowsOf(result: RunResult, id: string): Array<Pick<Row, 'action' | 'flowId' | 'status'>> {
  return result.json.rows.filter((r) => constructId(r) === id).map(({ action, flowId, status }) => ({ action, flowId, status }));
}

/** Flows by name: independent flows are created in parallel, in no set order. */
function sortedByName(flows: FlowRecord[]): FlowRecord[] {
  return [...flows].sort((a, b) => a.flowName.localeCompare(b.flowName) || a.wabaId.localeCompare(b.wabaId));
}

function byName(flows: FlowRecord[], name: string): FlowRecord | undefined {
  return flows.find((f) => f.flowName === name);
}

const text = (f: FlowRecord | undefined) => f?.json?.toString('utf8');

test('deploys the example app through the real entry: published, draft, cloned and S3-borne flows', async () => {
  // WHEN
  const { stdout, code } = await new Promise<{ stdout: string; code: number }>((resolve) => {
    execFile(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['bin/local-deploy.ts', '--state-dir', stateDir, '--json'], { cwd: ROOT, timeout: 60_000 }, (error, out) =>
      resolve({ stdout: out, code: error ? Number(error.code ?? 1) : 0 }),
    );
  });

  // THEN
  expect(code).toBe(0);
  const result = JSON.parse(stdout);
  expect(result.stacks).toEqual([expect.objectContaining({ stack: EXAMPLE_STACK_NAME, outcome: 'created', events: 4 })]);
  const flows = await emulatorFlows();
  expect(sortedByName(flows).map((f) => [f.flowName, f.status, f.wabaId])).toEqual([
    ['branch-appointment-request', 'PUBLISHED', LOCAL_DEMO_WABA_ID],
    ['delivery-feedback-survey', 'DRAFT', LOCAL_DEMO_WABA_ID],
    ['northwind-rewards-signup', 'PUBLISHED', LOCAL_DEMO_WABA_ID],
    ['partner-campaign-signup', 'DRAFT', LOCAL_DEMO_WABA_ID],
  ]);
  // the table is in template order, whatever order the parallel events completed in
  expect(result.rows.map((r: Row) => r.logicalId.replace(/[0-9A-F]{8}$/, ''))).toEqual(['Signup', 'FeedbackSurvey', 'AppointmentRequest', 'PartnerSignup']);
  const file = (name: string) => fs.readFileSync(path.join(ROOT, 'flows', name), 'utf8');
  expect(text(byName(flows, 'northwind-rewards-signup'))).toBe(file('signup.json'));
  expect(text(byName(flows, 'delivery-feedback-survey'))).toBe(file('feedback-survey.json'));
  expect(text(byName(flows, 'branch-appointment-request'))).toBe(file('appointment-request.json'));
  expect(text(byName(flows, 'partner-campaign-signup'))).toBe(file('signup.json'));
  for (const f of flows) expect(f.validationErrors).toEqual([]);

  const resources = deployed().stacks[EXAMPLE_STACK_NAME].resources;
  const appointment = Object.entries(resources).find(([id]) => id.startsWith('AppointmentRequest'))![1];
  expect(appointment.properties.FlowJson).toBeUndefined();
  expect(appointment.properties.ContentS3Key).toMatch(/\.json$/);
  expect(appointment.physicalId).toBe(byName(flows, 'branch-appointment-request')!.flowId);
  const survey = result.rows.find((r: Row) => r.logicalId.startsWith('FeedbackSurvey'));
  expect(survey.previewUrl).toMatch(/^https:\/\/.*preview/);
}, 60_000);

test('does nothing when nothing changed, and says so', async () => {
  // GIVEN
  expect((await run()).code).toBe(0);
  const emulatorState = fs.readFileSync(path.join(stateDir, 'emulator-state.json'));
  const state = fs.readFileSync(path.join(stateDir, 'deployed.json'));
  const log = fs.readFileSync(path.join(stateDir, 'handler.log'));

  // WHEN
  const second = await run();

  // THEN no event reached the handler, so no call reached the service
  expect(second.code).toBe(0);
  expect(second.json.stacks).toEqual([expect.objectContaining({ outcome: 'no changes', events: 0 })]);
  expect(second.json.rows.map((r) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  expect(fs.readFileSync(path.join(stateDir, 'emulator-state.json')).equals(emulatorState)).toBe(true);
  expect(fs.readFileSync(path.join(stateDir, 'deployed.json')).equals(state)).toBe(true);
  expect(fs.readFileSync(path.join(stateDir, 'handler.log')).equals(log)).toBe(true);
});

test('applies an edit of one flow file to that flow only', async () => {
  // GIVEN
  const flowsDir = copyOfExampleFlows();
  expect((await run('-c', `flowsDir=${flowsDir}`)).code).toBe(0);
  const before = await emulatorFlows();
  const logBefore = fs.readFileSync(path.join(stateDir, 'handler.log'), 'utf8');

  // WHEN
  const surveyFile = path.join(flowsDir, 'feedback-survey.json');
  const edited = fs.readFileSync(surveyFile, 'utf8').replace('How did we do?', 'How was your delivery?');
  fs.writeFileSync(surveyFile, edited);
  const second = await run('-c', `flowsDir=${flowsDir}`);

  // THEN
  expect(second.code).toBe(0);
  expect(second.json.rows.map((r) => [constructId(r), r.action])).toEqual([
    ['Signup', 'unchanged'],
    ['FeedbackSurvey', 'updated'],
    ['AppointmentRequest', 'unchanged'],
    ['PartnerSignup', 'unchanged'],
  ]);
  const after = await emulatorFlows();
  expect(text(byName(after, 'delivery-feedback-survey'))).toBe(edited);
  for (const name of ['northwind-rewards-signup', 'branch-appointment-request', 'partner-campaign-signup']) {
    expect(byName(after, name)).toEqual(byName(before, name));
  }
  const newLines = fs.readFileSync(path.join(stateDir, 'handler.log'), 'utf8').slice(logBefore.length).trim().split('\n').map((l) => JSON.parse(l));
  expect(new Set(newLines.map((l) => l.logicalId))).toEqual(new Set([second.json.rows[1].logicalId]));
  expect(new Set(newLines.map((l) => l.requestType))).toEqual(new Set(['Update']));
});

test('deletes a removed draft, deprecates a removed published flow and leaves a retained one', async () => {
  // GIVEN
  const keep: FlowEntry = { id: 'Keep', flowName: 'keep', wabaId: WABA_A, json: validFlow('Keep') };
  expect(
    (await deploySpec([
      keep,
      { id: 'Draft', flowName: 'draft', wabaId: WABA_A, json: validFlow('Draft') },
      { id: 'Live', flowName: 'live', wabaId: WABA_A, json: validFlow('Live'), publish: true },
      { id: 'Kept', flowName: 'kept', wabaId: WABA_A, json: validFlow('Kept'), retain: true },
    ])).code,
  ).toBe(0);

  // WHEN
  const second = await deploySpec([keep]);

  // THEN
  expect(second.code).toBe(0);
  expect(rowsOf(second, 'Keep')).toEqual([expect.objectContaining({ action: 'unchanged' })]);
  expect(rowsOf(second, 'Draft')).toEqual([expect.objectContaining({ action: 'deleted', status: 'DELETED' })]);
  expect(rowsOf(second, 'Live')).toEqual([expect.objectContaining({ action: 'deprecated', status: 'DEPRECATED' })]);
  expect(rowsOf(second, 'Kept')).toEqual([expect.objectContaining({ action: 'retained', status: 'DRAFT' })]);
  const flows = await emulatorFlows();
  expect(sortedByName(flows).map((f) => [f.flowName, f.status])).toEqual([
    ['keep', 'DRAFT'],
    ['kept', 'DRAFT'],
    [RETIRED_LIVE, 'DEPRECATED'],
  ]);
  expect(Object.keys(deployed().stacks.Spec.resources).map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['Keep']);
});

test('fails a deploy whose flow Meta refuses to publish and rolls back the flows that run created', async () => {
  // WHEN the broken flow comes after the others (independent, they would run in parallel with it
  // and be cancelled when it fails)
  const result = await deploySpec([
    { id: 'Draft', flowName: 'draft', wabaId: WABA_A, json: validFlow('Draft') },
    { id: 'Live', flowName: 'live', wabaId: WABA_A, json: validFlow('Live'), publish: true },
    { id: 'Broken', flowName: 'broken', wabaId: WABA_A, json: unpublishableFlow(), publish: true, unchecked: true, dependsOn: ['Draft', 'Live'] },
  ]);

  // THEN
  expect(result.code).toBe(1);
  expect(result.json.stacks[0]).toMatchObject({ outcome: 'rolled back' });
  expect(result.json.stacks[0].failure).toMatch(/^Broken\w+ failed: .*terminal/);
  expect(result.json.rows.map((r) => [constructId(r), r.action, r.status])).toEqual([
    ['Draft', 'created', 'DRAFT'],
    ['Live', 'created', 'PUBLISHED'],
    ['Broken', 'failed', '-'],
    ['Broken', 'rolled back', '-'],
    ['Live', 'rolled back', 'DEPRECATED'],
    ['Draft', 'rolled back', 'DELETED'],
  ]);
  // a published flow cannot be deleted: undoing its creation deprecates it
  expect((await emulatorFlows()).map((f) => [f.flowName, f.status])).toEqual([[RETIRED_LIVE, 'DEPRECATED']]);
  expect(deployed().stacks).toEqual({});
});

test('rolls back an update that succeeded when a later flow of the same deploy fails, keeping the previous state', async () => {
  // GIVEN
  const draft: FlowEntry = { id: 'Draft', flowName: 'draft', wabaId: WABA_A, json: validFlow('Version 1') };
  expect((await deploySpec([draft])).code).toBe(0);
  const before = deployed().stacks.Spec;

  // WHEN
  const result = await deploySpec([
    { ...draft, json: validFlow('Version 2') },
    { id: 'Broken', flowName: 'broken', wabaId: WABA_A, json: unpublishableFlow(), publish: true, unchecked: true, dependsOn: ['Draft'] },
  ]);

  // THEN
  expect(result.code).toBe(1);
  expect(result.json.rows.map((r) => [constructId(r), r.action])).toEqual([
    ['Draft', 'updated'],
    ['Broken', 'failed'],
    ['Draft', 'rolled back'],
    ['Broken', 'rolled back'],
  ]);
  const flows = await emulatorFlows();
  expect(flows).toHaveLength(1);
  expect(JSON.parse(text(flows[0])!).screens[0].title).toBe('Version 1');
  const after = deployed().stacks.Spec;
  expect(after.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(after.template).toEqual(before.template);
  expect(Object.values(after.resources).map((r) => [r.physicalId, r.properties])).toEqual(Object.values(before.resources).map((r) => [r.physicalId, r.properties]));
});

test('--destroy deprecates the published flows, deletes the drafts and clears the local state', async () => {
  // GIVEN
  expect((await run()).code).toBe(0);
  fs.writeFileSync(path.join(stateDir, 'my-notes.txt'), 'not the local deploy\'s');

  // WHEN
  const result = await run('--destroy');

  // THEN
  expect(result.code).toBe(0);
  expect(result.json.stacks).toEqual([expect.objectContaining({ stack: EXAMPLE_STACK_NAME, outcome: 'deleted' })]);
  expect(result.json.rows.map((r) => [constructId(r), r.action])).toEqual([
    ['PartnerSignup', 'deleted'],
    ['AppointmentRequest', 'deprecated'],
    ['FeedbackSurvey', 'deleted'],
    ['Signup', 'deprecated'],
  ]);
  expect(fs.readdirSync(stateDir)).toEqual(['my-notes.txt']);
});

describe('simulated IAM', () => {
  const draft: FlowEntry = { id: 'Draft', flowName: 'draft', wabaId: WABA_A, json: validFlow('Draft') };
  const live: FlowEntry = { id: 'Live', flowName: 'live', wabaId: WABA_A, json: validFlow('Live'), publish: true };

  test('replaces flows moved to another WABA and cleans up the old ones while the old WABA is still granted', async () => {
    // GIVEN
    const kept: FlowEntry = { id: 'Kept', flowName: 'kept', wabaId: WABA_A, json: validFlow('Kept'), retain: true };
    expect((await deploySpec([draft, live, kept])).code).toBe(0);
    const before = await emulatorFlows();
    const [oldDraft, oldLive, oldKept] = ['draft', 'live', 'kept'].map((name) => byName(before, name)!);

    // WHEN the grant of WABA A leaves the template with them
    const result = await deploySpec([{ ...draft, wabaId: WABA_B }, { ...live, wabaId: WABA_B }, { ...kept, wabaId: WABA_B }]);

    // THEN
    expect(result.code).toBe(0);
    expect(rowsOf(result, 'Draft')).toEqual([
      expect.objectContaining({ action: 'replaced', status: 'DRAFT' }),
      { action: 'deleted', flowId: oldDraft.flowId, status: 'DELETED' },
    ]);
    expect(rowsOf(result, 'Live')).toEqual([
      expect.objectContaining({ action: 'replaced', status: 'PUBLISHED' }),
      { action: 'deprecated', flowId: oldLive.flowId, status: 'DEPRECATED' },
    ]);
    expect(rowsOf(result, 'Kept')).toEqual([
      expect.objectContaining({ action: 'replaced', status: 'DRAFT' }),
      { action: 'retained', flowId: oldKept.flowId, status: 'DRAFT' },
    ]);
    const flows = await emulatorFlows();
    expect(sortedByName(flows).map((f) => [f.flowName, f.wabaId, f.status])).toEqual([
      ['draft', WABA_B, 'DRAFT'],
      ['kept', WABA_A, 'DRAFT'],
      ['kept', WABA_B, 'DRAFT'],
      ['live', WABA_B, 'PUBLISHED'],
      [RETIRED_LIVE, WABA_A, 'DEPRECATED'],
    ]);
  });

  test('fails with AccessDenied when a flow does not depend on the grant of its new WABA, and keeps the previous deploy', async () => {
    // GIVEN
    expect((await deploySpec([draft])).code).toBe(0);
    const before = await emulatorFlows();

    // WHEN the flow moves before the new WABA's policy is created: nothing orders them, and one
    // resource at a time in template order puts the flow first
    const file = path.join(dir, 'spec-moved.json');
    fs.writeFileSync(file, JSON.stringify({ stackName: 'Spec', flows: [{ ...draft, wabaId: WABA_B, withoutGrantDependency: true }] }));
    const result = await run('--app', SPEC_APP, '-c', `spec=${file}`, '--concurrency', '1');

    // THEN
    expect(result.code).toBe(1);
    expect(result.json.stacks[0].failure).toMatch(/AccessDeniedException.*waba\/bbbb0/);
    // The rollback (an Update back to the old WABA) succeeds without replacing anything.
    expect(result.json.stacks[0].problems).toEqual([]);
    expect(deployed().stacks.Spec.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect((await emulatorFlows()).filter((f) => f.wabaId === WABA_A)).toEqual(before);
    expect(Object.values(deployed().stacks.Spec.resources).map((r) => r.physicalId)).toEqual([before[0].flowId]);
  }, 120_000); // the handler retries an IAM denial for 30 s (a new grant may be propagating) before it fails
});

describe('errors', () => {
  test('fails with exit code 2 and one line when the state is corrupt', async () => {
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(path.join(stateDir, 'deployed.json'), '{"format":');

    const result = await run();

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^local-deploy: .*deployed\.json is corrupt .*delete .* to start again/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('fails with exit code 2 and the usage on an unknown argument', async () => {
    const result = await run('--frobnicate');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown argument "--frobnicate"[\s\S]*usage: npm start/);
  });

  test('fails with exit code 2 naming the file when the app does not synthesize', async () => {
    const file = path.join(dir, 'spec.json');
    fs.writeFileSync(file, JSON.stringify({ stackName: 'Spec', flows: [{ id: 'Bad', flowName: 'bad', wabaId: '1234', json: validFlow() }] }));

    const result = await run('--app', SPEC_APP, '-c', `spec=${file}`);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^local-deploy: synth failed: .*wabaId must be the AWS id/);
  });
});
