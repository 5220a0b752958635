/**
 * The local CloudFormation engine with a tiny test function (test/local/fixtures/test-function)
 * instead of the real provider: hand-written templates, an emulator and a runtime per test, the
 * function's record file, and everything the engine's observer heard.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FlowEmulator } from '../../local/emulator';
import { ObservedRecord, runStackOperation, StackOperation, StackResult } from '../../local/cloudformation/engine';
import { credentialsFor } from '../../local/cloudformation/stack-iam';
import { LocalRuntime } from '../../local/lambda/runtime';
import type { DeployedStack } from '../../local/deploy/state';
import type { LocalEnvironment, Template, TemplateResource } from '../../local/cloudformation/template';

export const TEST_FUNCTION_DIR = path.join(__dirname, '..', 'local', 'fixtures', 'test-function');
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const SERVICE_TOKEN = { 'Fn::GetAtt': ['Fn', 'Arn'] };

/** One line of the test function's record file. */
export interface Line {
  readonly at: 'start' | 'call' | 'denied' | 'end';
  readonly requestId: string;
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly logicalId: string;
  readonly physicalId?: string;
  readonly value?: string;
  readonly version: string;
  readonly pid: number;
  readonly status?: string;
  readonly ok?: boolean;
  readonly error?: string;
  readonly answeredPhysicalId?: string;
}

export interface EngineHarness {
  readonly emulator: FlowEmulator;
  readonly runtime: LocalRuntime;
  /** The state folder (function code paths are relative to it). */
  readonly dir: string;
  readonly recordFile: string;
  /** Everything the observer heard, all operations of the test. */
  readonly observed: ObservedRecord[];
  /** The test function's record file, parsed. */
  lines(): Line[];
  /** Runs one stack operation of stack `stackName` (default 'S') with the test function as `Fn`. */
  run(args: Partial<StackOperation> & { stackName?: string; template?: Template; previous?: DeployedStack }): Promise<StackResult>;
  /** A path the test function can wait for (WaitForFile), not there yet. */
  gate(name: string): string;
  /** Resolves once the record file has a line matching `match` (polling). */
  waitForLine(match: (l: Line) => boolean): Promise<Line>;
}

export function env(stackName = 'S'): LocalEnvironment {
  return { partition: 'aws', region: REGION, accountId: ACCOUNT, stackName, stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}/0000` };
}

/** An emulator, a runtime and a state folder per test. */
export function useEngine(): EngineHarness {
  const h = { observed: [] as ObservedRecord[] } as { -readonly [K in keyof EngineHarness]: EngineHarness[K] };
  beforeEach(async () => {
    h.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-'));
    h.recordFile = path.join(h.dir, 'records.jsonl');
    h.observed = [];
    h.emulator = await FlowEmulator.start();
    h.runtime = await LocalRuntime.start({ emulator: h.emulator, logFile: path.join(h.dir, 'functions.log') });
  });
  afterEach(async () => {
    await h.runtime.close({ graceMs: 0 });
    await h.emulator.close();
    fs.rmSync(h.dir, { recursive: true, force: true });
  });
  h.lines = () => {
    try {
      return fs.readFileSync(h.recordFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    } catch {
      return [];
    }
  };
  h.run = ({ stackName = 'S', template: t, previous, ...options }) =>
    runStackOperation({
      env: previous ? { ...env(stackName), stackId: previous.stackId } : env(stackName),
      previous,
      next: t && { template: t, functions: { Fn: path.relative(h.dir, TEST_FUNCTION_DIR) } },
      stateDir: h.dir,
      runtime: h.runtime,
      serviceTimeoutMs: 60_000,
      observer: (r) => h.observed.push(r),
      ...options,
    });
  h.gate = (name) => path.join(h.dir, `gate-${name}`);
  h.waitForLine = async (match) => {
    for (let i = 0; i < 3000; i++) {
      const found = h.lines().find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the record file never had the expected line');
  };
  return h;
}

/**
 * A template with the test function `Fn` (its role `Role`, its VERSION environment variable) and
 * the given resources.
 */
export function template(h: EngineHarness, resources: Record<string, TemplateResource>, options: { version?: string; fn?: Record<string, unknown> } = {}): Template {
  return {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Handler: 'index.handler',
          Runtime: 'nodejs24.x',
          Timeout: 60,
          MemorySize: 256,
          Environment: { Variables: { RECORD_FILE: h.recordFile, VERSION: options.version ?? '1' } },
          ...options.fn,
        },
      },
      ...resources,
    },
  };
}

/** A custom resource served by the test function. */
export function custom(props: Record<string, unknown> = {}, extra: Partial<TemplateResource> = {}): TemplateResource {
  return { Type: 'Custom::Test', Properties: { ServiceToken: SERVICE_TOKEN, ...props }, ...extra };
}

/** An AWS::IAM::Policy of the test function's role. */
export function policy(actions: string[], resources: unknown[], extra: Partial<TemplateResource> = {}): TemplateResource {
  return {
    Type: 'AWS::IAM::Policy',
    Properties: { PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resources }] }, Roles: [{ Ref: 'Role' }] },
    ...extra,
  };
}

/** The ARN of a WABA in the template's account and Region, as the construct writes it. */
export function wabaArn(wabaId: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':social-messaging:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:waba/${wabaId.slice('waba-'.length)}`]] };
}

/** The access key id the test function's containers run with, in stack `stackName`. */
export function roleKey(stackName = 'S'): string {
  return credentialsFor(stackName, 'Role').accessKeyId;
}

/** The lines of one resource's invocations (`at` = 'start' unless said), as [requestType, version, value]. */
export function starts(lines: Line[], logicalId: string): Array<[string, string, string | undefined]> {
  return lines.filter((l) => l.logicalId === logicalId && l.at === 'start').map((l) => [l.requestType, l.version, l.value]);
}

/**
 * CloudFormation's bookkeeping, checked over everything observed: every event sent is concluded
 * exactly once, and at most one answer per RequestId is counted (and only before the conclusion).
 */
export function expectOneConclusionPerEvent(observed: ObservedRecord[]): void {
  const sent = observed.filter((r) => r.kind === 'sent').map((r) => r.requestId);
  expect(new Set(sent).size).toBe(sent.length);
  for (const id of sent) {
    const mine = observed.filter((r) => r.requestId === id);
    expect(mine.filter((r) => r.kind === 'concluded')).toHaveLength(1);
    expect(mine.filter((r) => r.kind === 'answer' && r.counted).length).toBeLessThanOrEqual(1);
  }
}
