/**
 * `whatsapp-flow diff --live` against the emulator over 127.0.0.1, with the real SDK: flows edited,
 * published, renamed, deprecated and deleted outside CloudFormation, and flows no construct declares.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { FlowCategory, FlowJson, WhatsAppFlow, WhatsAppFlowProps } from '../../lib';
import { run } from '../../cli/commands/diff';
import { STATE_FORMAT } from '../../local/deploy/state';
import { captured, Captured, useServiceEmulator } from '../support/io';

const WABA = 'waba-0123456789abcdef0123456789abcdef';

const doc = (text: string) => ({
  version: '7.3',
  screens: [{ id: 'WELCOME', title: 'Welcome', terminal: true, layout: { type: 'SingleColumnLayout', children: [
    { type: 'TextHeading', text },
    { type: 'Footer', label: 'Done', 'on-click-action': { name: 'complete', payload: {} } },
  ] } }],
});

const service = useServiceEmulator('whatsapp-flow-live-');

async function live(...args: string[]): Promise<Captured> {
  return captured(run, ['--live', ...args], service.tmp);
}

/** Synthesizes one stack of flows into `dir`; returns the logical id of each construct id. */
function synth(dir: string, flows: Record<string, Partial<WhatsAppFlowProps>>): Record<string, string> {
  const app = new App({ outdir: path.join(service.tmp, dir) });
  const stack = new Stack(app, 'FlowStack');
  const ids: Record<string, string> = {};
  for (const [id, props] of Object.entries(flows)) {
    const f = new WhatsAppFlow(stack, id, { wabaId: WABA, flowName: id.toLowerCase(), categories: [FlowCategory.SIGN_UP], flowJson: FlowJson.fromObject(doc(id)), ...props });
    ids[id] = stack.getLogicalId(f.node.findChild('Resource').node.defaultChild as any);
  }
  app.synth();
  return ids;
}

/** A local deploy state recording these physical ids. */
function writeState(dir: string, resources: Record<string, string>): void {
  fs.mkdirSync(path.join(service.tmp, dir), { recursive: true });
  const state = {
    format: STATE_FORMAT,
    stacks: {
      FlowStack: {
        stackName: 'FlowStack', stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/FlowStack/1', status: 'UPDATE_COMPLETE', updatedAt: new Date(0).toISOString(),
        template: {}, functions: {},
        resources: Object.fromEntries(Object.entries(resources).map(([id, physicalId]) => [id, { type: 'Custom::WhatsAppFlow', physicalId, properties: { WabaId: WABA }, data: {} }])),
      },
    },
  };
  fs.writeFileSync(path.join(service.tmp, dir, 'deployed.json'), JSON.stringify(state));
}

describe('whatsapp-flow diff --live', () => {
  let ids: Record<string, string>;
  beforeAll(() => {
    ids = synth('cdk.out', {
      InSync: { publish: true },
      Edited: { publish: true },
      PublishedByHand: {},
      Deprecated: { publish: true },
      Renamed: {},
      Recategorized: { categories: [FlowCategory.SIGN_UP, FlowCategory.SURVEY] },
      Deleted: {},
      NeverDeployed: {},
    });
  });

  /** The live flows as the last deploy left them, then changed outside CloudFormation. */
  function seedDrift(): Record<string, string> {
    const seed = (name: string, status: 'DRAFT' | 'PUBLISHED' | 'DEPRECATED', text = name, categories = ['SIGN_UP']) =>
      service.emulator.seedFlow({ wabaId: WABA, flowName: name.toLowerCase(), categories, status, json: JSON.stringify(doc(text), undefined, 4) }).flowId;
    return {
      InSync: seed('InSync', 'PUBLISHED'),
      Edited: seed('Edited', 'PUBLISHED', 'Edited in WhatsApp Manager'),
      PublishedByHand: seed('PublishedByHand', 'PUBLISHED'),
      Deprecated: seed('Deprecated', 'DEPRECATED'),
      Renamed: service.emulator.seedFlow({ wabaId: WABA, flowName: 'renamed by hand', categories: ['SIGN_UP'], json: doc('Renamed') }).flowId,
      Recategorized: seed('Recategorized', 'DRAFT', 'Recategorized', ['SIGN_UP']),
      Deleted: '9999999999999999',
      HandMade: seed('hand-made', 'DRAFT'),
      Retired: seed('old (retired 123)', 'DEPRECATED'),
    };
  }

  /** The drift, and a local deploy state that knows the physical ids of two of the flows. */
  function seedDriftAndState(): Record<string, string> {
    const flowIds = seedDrift();
    writeState('.local', Object.fromEntries(['Renamed', 'Deleted'].map((k) => [ids[k], flowIds[k]])));
    return flowIds;
  }

  test('reports each flow in sync, or what differs from what is live: content edited, published by hand, deprecated, renamed, categories', async () => {
    const flowIds = seedDriftAndState();

    const out = await live('cdk.out', '--format', 'json');

    expect(out).toMatchObject({ code: 2, stderr: '' });
    const report = JSON.parse(out.stdout);
    const byName = (name: string) => report.flows.find((f: { flowName: string }) => f.flowName === name);
    expect(byName('insync')).toMatchObject({ state: 'in sync', differences: [], live: { flowId: flowIds.InSync, status: 'PUBLISHED', matchedBy: 'name' } });
    expect(byName('edited')).toMatchObject({ state: 'drift', differences: [{ what: 'content', text: expect.stringMatching(/^content differs \(.* live, .* declared\): edited outside CloudFormation/) }] });
    expect(byName('edited').content.entries).toContainEqual(expect.objectContaining({ kind: 'changed', label: 'TextHeading', detail: 'text: "Edited in WhatsApp Manager" → "Edited"' }));
    expect(byName('publishedbyhand').differences).toEqual([{ what: 'status', text: 'PUBLISHED live, publish false declared: published outside CloudFormation (a published flow cannot return to draft)' }]);
    expect(byName('deprecated').differences).toEqual([{ what: 'status', text: expect.stringMatching(/^DEPRECATED live: deprecated outside CloudFormation/) }]);
    expect(byName('renamed')).toMatchObject({
      state: 'drift', live: { flowId: flowIds.Renamed, matchedBy: 'physical id' },
      differences: [{ what: 'name', text: 'named "renamed by hand" live, "renamed" declared: renamed outside CloudFormation' }],
    });
    expect(byName('recategorized').differences).toEqual([{ what: 'categories', text: 'categories SIGN_UP live, SIGN_UP, SURVEY declared' }]);
    expect(byName('deleted')).toMatchObject({ state: 'missing', reason: `flow 9999999999999999, which the local deploy state records, is not in ${WABA}: deleted outside CloudFormation` });
    expect(byName('neverdeployed')).toMatchObject({ state: 'missing', reason: `no flow named "neverdeployed" in ${WABA}: not deployed yet, or deleted outside CloudFormation` });
    expect(report.drift).toBe(7);
    expect(report.unmanaged).toEqual([{ wabaId: WABA, flows: [{ flowId: flowIds.HandMade, flowName: 'hand-made', status: 'DRAFT', categories: ['SIGN_UP'] }], deprecated: 1 }]);
  });

  test('only reads: lists each WABA once and fetches the content of the flows it compares', async () => {
    seedDriftAndState();
    await live('cdk.out');
    expect(new Set(service.emulator.operations())).toEqual(new Set(['ListWhatsAppFlows', 'ListWhatsAppFlowAssets', 'Download']));
    expect(service.emulator.calls('ListWhatsAppFlows')).toHaveLength(1);
  });

  test('prints one line per flow and the live flows no construct declares', async () => {
    seedDriftAndState();
    const out = await live('cdk.out');
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^FlowStack/${ids.InSync} "insync": in sync — live flow \\d+ \\(PUBLISHED, matched by name\\)$`));
    expect(out.stdout).toMatch(/^ {2}~ content differs .*\n {6}~ screens\[0\] screen WELCOME: components changed\n {10}~ screens\[0\]\.layout\.children\[0\] TextHeading: text: "Edited in WhatsApp Manager" → "Edited"$/m);
    expect(out.stdout).toContain(`live flows of ${WABA} that no construct declares:\n  `);
    expect(out.stdout).toMatch(/^ {2}\d+ "hand-made" \(DRAFT\)$/m);
    expect(lines[lines.length - 1]).toBe('flows that differ from what is live: 7 of 8; live flows that no construct declares: 1');
  });

  test('writes a Markdown report with its own hidden marker, for an issue or a job summary', async () => {
    seedDriftAndState();
    const out = await live('cdk.out', '--format', 'markdown');
    expect(out.stdout.split('\n').slice(0, 2)).toEqual(['<!-- whatsapp-flow-cdk:drift -->', '## WhatsApp Flows: drift from what is live']);
    expect(out.stdout).toMatch(/^\| insync \| FlowStack\/InSync[0-9A-F]{8} \| ✅ in sync \| \d+ \(PUBLISHED\) \| {2}\|$/m);
    expect(out.stdout).toContain('<details><summary>edited: content, live → declared</summary>');
    expect(out.stdout).toMatch(/\*\*Live flows of waba-0123456789abcdef0123456789abcdef that no construct declares:\*\* hand-made \(\d+, DRAFT\)/);
  });

  test('exits 0 when every flow is as live, listing the flows no construct declares; 2 for them with --strict', async () => {
    synth('in-sync', { InSync: { publish: true } });
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'insync', categories: ['SIGN_UP'], status: 'PUBLISHED', json: doc('InSync') });
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'hand-made', status: 'DRAFT' });

    const out = await live('in-sync');
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout.trimEnd().split('\n').pop()).toBe('flows that differ from what is live: 0 of 1; live flows that no construct declares: 1');
    expect((await live('in-sync', '--strict')).code).toBe(2);
  });

  test('fails with exit 1 and the service\'s message when a call is refused', async () => {
    service.emulator.failNext('ListWhatsAppFlows', { errorType: 'AccessDeniedException', message: 'User is not authorized to perform: social-messaging:ListWhatsAppFlows' });
    const out = await live('cdk.out');
    expect(out).toEqual({ code: 1, stdout: '', stderr: 'whatsapp-flow diff --live: ListWhatsAppFlows failed: AccessDeniedException: User is not authorized to perform: social-messaging:ListWhatsAppFlows\n' });
  });

  test.each<[string, string[], string]>([
    ['no assembly', [], 'expected one cloud assembly folder (what is deployed), got 0'],
    ['two assemblies', ['a', 'b'], 'expected one cloud assembly folder (what is deployed), got 2'],
    ['an unknown format', ['cdk.out', '--format', 'html'], '--format must be text, markdown, json, got "html"'],
    ['an unknown option', ['cdk.out', '--watch'], 'unknown option "--watch"'],
  ])('fails with exit 1 on %s, before calling the service', async (_what, args, message) => {
    const out = await live(...args);
    expect(out).toEqual({ code: 1, stdout: '', stderr: `whatsapp-flow diff --live: ${message} (see whatsapp-flow diff --live --help)\n` });
    expect(service.emulator.operations()).toEqual([]);
  });

  test('fails with exit 1 on a --state-dir whose state is corrupt, naming the file', async () => {
    fs.mkdirSync(path.join(service.tmp, 'corrupt'), { recursive: true });
    fs.writeFileSync(path.join(service.tmp, 'corrupt', 'deployed.json'), '{');
    const out = await live('cdk.out', '--state-dir', 'corrupt');
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^whatsapp-flow diff --live: .*corrupt\/deployed\.json is corrupt/);
  });
});
