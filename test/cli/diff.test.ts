import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, NestedStack, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import { FlowCategory, FlowJson, FlowValidation, WhatsAppFlow, WhatsAppFlowProps } from '../../lib';
import { run } from '../../cli/commands/diff';
import { DEPRECATE_IS_FINAL, PUBLISH_IS_FINAL } from '../../cli/diff/plan';
import { diffContent } from '../../cli/diff/content';
import { COMMENT_MARKER, MARKDOWN_BUDGET, renderMarkdown } from '../../cli/diff/formats';
import { CHROMIUM_ENV } from '../../cli/render/chromium';
import { DiffReport } from '../../cli/diff/report';
import { captured, Captured } from '../support/io';

const ROOT = path.resolve(__dirname, '../..');
const WABA = 'waba-0123456789abcdef0123456789abcdef';
const OTHER_WABA = 'waba-fedcba9876543210fedcba9876543210';

// ---------------------------------------------------------------------------------------------
// Flow JSON documents

const complete = { type: 'Footer', label: 'Done', 'on-click-action': { name: 'complete', payload: {} } };
const navigate = (to: string) => ({ type: 'Footer', label: 'Next', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: to }, payload: {} } });
const screen = (id: string, children: unknown[], extra: object = {}) => ({ id, title: id, ...extra, layout: { type: 'SingleColumnLayout', children } });
const doc = (...screens: unknown[]) => ({ version: '7.3', screens });
const simple = (text = 'Hello') => doc(screen('WELCOME', [{ type: 'TextHeading', text }, complete], { terminal: true }));
/** Over 4 KiB: travels through an S3 asset. */
const large = (tail: string) => doc(screen('WELCOME', [{ type: 'TextBody', text: 'x'.repeat(3000) }, { type: 'TextBody', text: tail }, { type: 'TextBody', text: 'y'.repeat(3000) }, complete], { terminal: true }));

const threeScreens = doc(
  screen('A', [{ type: 'TextHeading', text: 'Hi' }, { type: 'TextBody', text: 'one' }, { type: 'TextBody', text: 'two' }, navigate('B')]),
  screen('B', [{ type: 'TextBody', text: 'b' }, navigate('C')]),
  screen('C', [{ type: 'TextBody', text: 'c' }, complete], { terminal: true }),
);
/** B replaced by D; an input and a paragraph inserted at the top of A. */
const threeScreensChanged = doc(
  screen('A', [
    { type: 'TextHeading', text: 'Hi' },
    { type: 'TextInput', name: 'email', label: 'Email' },
    { type: 'TextBody', text: 'zero' },
    { type: 'TextBody', text: 'one' },
    { type: 'TextBody', text: 'two' },
    navigate('D'),
  ]),
  screen('D', [{ type: 'TextBody', text: 'd' }, navigate('C')]),
  screen('C', [{ type: 'TextBody', text: 'c' }, complete], { terminal: true }),
);
/** Version 3.1: a warning for a draft, an error for a flow to be published through AWS. */
const version31 = { ...simple(), version: '3.1' };

// ---------------------------------------------------------------------------------------------
// Assemblies

type Flows = Record<string, Partial<WhatsAppFlowProps>>;

/** Synthesizes an app with one stack of flows (and optionally a stage with more) into `dir`. */
function synth(dir: string, flows: Flows, stageFlows?: Flows): string {
  const app = new App({ outdir: dir });
  addFlows(new Stack(app, 'FlowStack'), flows);
  if (stageFlows) addFlows(new Stack(new Stage(app, 'Prod'), 'Flows'), stageFlows);
  app.synth();
  return dir;
}

function addFlows(stack: Stack, flows: Flows): void {
  for (const [id, props] of Object.entries(flows)) {
    new WhatsAppFlow(stack, id, {
      wabaId: WABA,
      flowName: id.toLowerCase(),
      categories: [FlowCategory.SIGN_UP],
      flowJson: FlowJson.fromObject(simple()),
      ...props,
    });
  }
}

async function diff(...args: string[]): Promise<Captured> {
  return captured(run, args, ROOT);
}

interface JsonFlow {
  stack: string;
  logicalId: string;
  flowName: string;
  action: string;
  tags: string[];
  effects: string[];
  notes: string[];
  irreversible: string[];
  content?: { entries: Array<{ kind: string; path: string; label: string; detail?: string }>; counts: Record<string, number>; omitted: number };
  contentSummary?: string;
  findings?: { publish: boolean; errors: number; warnings: number; list: Array<{ code: string; severity: string; path: string }> };
}

let tmp: string;
let oldDir: string;
let newDir: string;
let report: { changed: number; errors: number; flows: JsonFlow[] };

/** The report of the flow whose construct id is `id` (logical ids end with a hash). */
function flow(id: string, stack = 'FlowStack'): JsonFlow {
  const found = report.flows.filter((f) => f.stack === stack && new RegExp(`^${id}[0-9A-F]{8}$`).test(f.logicalId));
  expect(found).toHaveLength(1);
  return found[0];
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whatsapp-flow-diff-'));
  oldDir = synth(path.join(tmp, 'old'), {
    Gone: {},
    GonePublished: { publish: true },
    Kept: { publish: true, removalPolicy: RemovalPolicy.RETAIN },
    Rename: {},
    Categories: { categories: [FlowCategory.SIGN_UP, FlowCategory.SURVEY] },
    CategoriesReordered: { categories: [FlowCategory.SIGN_UP, FlowCategory.SURVEY] },
    Publish: {},
    Unpublish: { publish: true },
    Move: { publish: true },
    MoveRetained: { removalPolicy: RemovalPolicy.RETAIN },
    Content: {},
    ContentLive: { publish: true },
    Large: { flowJson: FlowJson.fromObject(large('small tail')) },
    Screens: { flowJson: FlowJson.fromObject(threeScreens) },
    Findings: {},
    FindingsDraft: {},
    Same: {},
    Reformat: { flowJson: FlowJson.fromString(JSON.stringify(simple())) },
  }, { Staged: {} });
  newDir = synth(path.join(tmp, 'new'), {
    Created: { publish: true },
    Rename: { flowName: 'renamed' },
    Categories: { categories: [FlowCategory.SIGN_UP, FlowCategory.LEAD_GENERATION] },
    CategoriesReordered: { categories: [FlowCategory.SURVEY, FlowCategory.SIGN_UP] },
    Publish: { publish: true },
    Unpublish: { publish: false },
    Move: { publish: true, wabaId: OTHER_WABA },
    MoveRetained: { wabaId: OTHER_WABA, removalPolicy: RemovalPolicy.RETAIN },
    Content: { flowJson: FlowJson.fromObject(simple('Hello again')) },
    ContentLive: { flowJson: FlowJson.fromObject(simple('Hello again')) },
    Large: { flowJson: FlowJson.fromObject(large('a longer tail, still small enough')) },
    Screens: { flowJson: FlowJson.fromObject(threeScreensChanged) },
    Findings: { publish: true, flowJson: FlowJson.fromObject(version31), validation: FlowValidation.skip('testing the diff') },
    FindingsDraft: { flowJson: FlowJson.fromObject(version31) },
    Same: {},
    Reformat: {},
  }, { Staged: { flowName: 'staged-renamed' } });
  const out = await diff(oldDir, newDir, '--format', 'json');
  expect(out.stderr).toBe('');
  report = JSON.parse(out.stdout);
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

describe('what a deploy does to each flow', () => {
  test('creates a flow that is new in the stack, and publishes it when publish is true', () => {
    const f = flow('Created');
    expect(f.action).toBe('create');
    expect(f.effects).toEqual([`creates flow "created" in ${WABA} and publishes it`]);
    expect(f.contentSummary).toBe('1 screen: WELCOME; 503 bytes');
    expect(f.findings).toMatchObject({ publish: true, errors: 0, warnings: 0 });
  });

  test('deletes a draft that leaves the stack', () => {
    const f = flow('Gone');
    expect(f.action).toBe('delete');
    expect(f.effects).toEqual(['deletes flow "gone", a draft']);
    expect(f.notes).toEqual(['if an earlier deploy published it, it is deprecated instead (published flows cannot be deleted)']);
  });

  test('deprecates a published flow that leaves the stack', () => {
    const f = flow('GonePublished');
    expect(f.action).toBe('deprecate');
    expect(f.effects).toEqual(['renames flow "gonepublished" out of the way and deprecates it (published flows cannot be deleted)']);
  });

  test('marks the steps that cannot be undone, publishing and deprecating, with why; a draft\'s deletion is not one', () => {
    expect(flow('Created').irreversible).toEqual([PUBLISH_IS_FINAL]);
    expect(flow('Publish').irreversible).toEqual([PUBLISH_IS_FINAL]);
    expect(flow('GonePublished').irreversible).toEqual([DEPRECATE_IS_FINAL]);
    expect(flow('Move').irreversible).toEqual([PUBLISH_IS_FINAL, `the old flow: ${DEPRECATE_IS_FINAL}`]);
    expect(flow('Gone').irreversible).toEqual([]);
    expect(flow('ContentLive').irreversible).toEqual([]);
    expect(flow('Rename').irreversible).toEqual([]);
  });

  test('leaves a retained flow untouched when it leaves the stack', () => {
    const f = flow('Kept');
    expect(f.action).toBe('retained');
    expect(f.effects[0]).toMatch(/^leaves flow "kept" untouched \(removal policy RETAIN\)/);
  });

  test('renames a flow in place', () => {
    const f = flow('Rename');
    expect(f).toMatchObject({ action: 'update', tags: ['rename'], effects: ['renames it from "rename" to "renamed"'] });
    expect(f.findings).toBeUndefined();
  });

  test('changes categories, and ignores their order as the handler does', () => {
    expect(flow('Categories')).toMatchObject({ action: 'update', tags: ['categories'], effects: ['changes its categories from SIGN_UP, SURVEY to SIGN_UP, LEAD_GENERATION'] });
    expect(flow('CategoriesReordered').action).toBe('unchanged');
  });

  test('publishes a draft when publish turns true, and validates it for publishing', () => {
    const f = flow('Publish');
    expect(f).toMatchObject({ action: 'update', tags: ['publish'], effects: ['publishes it'] });
    expect(f.findings).toMatchObject({ publish: true, errors: 0 });
  });

  test('says that publish true to false has no effect: a published flow stays published', () => {
    const f = flow('Unpublish');
    expect(f.action).toBe('no call');
    expect(f.effects).toEqual(['publish true → false has no effect: a published flow stays published (remove it from the stack to deprecate it)']);
  });

  test('replaces a flow whose WABA changed: created in the new WABA, the old one deprecated', () => {
    const f = flow('Move');
    expect(f.action).toBe('replace');
    expect(f.effects).toEqual([
      `creates flow "move" in ${OTHER_WABA} and publishes it`,
      `then renames the old flow "move" in ${WABA} out of the way and deprecates it (published flows cannot be deleted)`,
    ]);
  });

  test('replaces a retained flow whose WABA changed, leaving the old one untouched', () => {
    const f = flow('MoveRetained');
    expect(f.action).toBe('replace');
    expect(f.effects).toEqual([
      `creates flow "moveretained" in ${OTHER_WABA} as a draft`,
      `leaves the old flow "moveretained" in ${WABA} untouched (removal policy RETAIN)`,
    ]);
  });

  test('updates inline content of a draft and summarizes the change', () => {
    const f = flow('Content');
    expect(f).toMatchObject({ action: 'update', tags: ['content'] });
    expect(f.effects).toEqual(['updates the content of the draft (a flow still published by an earlier deploy is republished)']);
    expect(f.content!.entries).toEqual([
      { kind: 'changed', depth: 0, path: 'screens[0]', oldPath: 'screens[0]', label: 'screen WELCOME', detail: 'components changed' },
      { kind: 'changed', depth: 1, path: 'screens[0].layout.children[0]', oldPath: 'screens[0].layout.children[0]', label: 'TextHeading', detail: 'text: "Hello" → "Hello again"' },
    ]);
    expect(f.findings).toMatchObject({ publish: false, errors: 0, warnings: 0 });
  });

  test('republishes a published flow whose content changes, although publish is now false', () => {
    const f = flow('ContentLive');
    expect(f.action).toBe('update');
    expect(f.tags).toEqual(['content', 'publish off (no effect)']);
    expect(f.effects).toEqual(['updates the content and republishes it']);
    expect(f.notes[0]).toMatch(/^republished although publish is false/);
    expect(f.findings!.publish).toBe(true);
  });

  test('reads content that travels through an S3 asset from the assembly\'s asset files', () => {
    const template = JSON.parse(fs.readFileSync(path.join(newDir, 'FlowStack.template.json'), 'utf8'));
    const large = Object.values<any>(template.Resources).find((r) => r.Properties?.FlowName === 'large');
    expect(large.Properties.ContentS3Key).toMatch(/^[0-9a-f]{64}\.json$/);
    expect(large.Properties.FlowJson).toBeUndefined();

    const f = flow('Large');
    expect(f).toMatchObject({ action: 'update', tags: ['content'] });
    expect(f.content!.entries).toContainEqual({ kind: 'changed', depth: 1, path: 'screens[0].layout.children[1]', oldPath: 'screens[0].layout.children[1]', label: 'TextBody', detail: 'text: "small tail" → "a longer tail, still small enough"' });
  });

  test('reports an unchanged flow, and a reformat with the same canonical content, as unchanged', () => {
    expect(flow('Same')).toMatchObject({ action: 'unchanged', tags: [], effects: [], notes: [] });
    const reformat = flow('Reformat');
    expect(reformat).toMatchObject({ action: 'unchanged', effects: [], notes: ['content reformatted: same canonical content, no call'] });
    expect(reformat.content).toBeUndefined();
  });

  test('finds the flows of stacks in stages (nested assemblies), by stack name', () => {
    expect(flow('Staged', 'Prod-Flows')).toMatchObject({ action: 'update', tags: ['rename'] });
  });

  test('finds the flows of nested stacks, under their parent stack', async () => {
    const nested = (dir: string, text: string) => {
      const app = new App({ outdir: dir });
      addFlows(new NestedStack(new Stack(app, 'Parent'), 'Child'), { Inner: { flowJson: FlowJson.fromObject(simple(text)) } });
      app.synth();
      return dir;
    };
    const out = await diff(nested(path.join(tmp, 'nested-old'), 'Hello'), nested(path.join(tmp, 'nested-new'), 'Bye'), '--json');
    const [f]: JsonFlow[] = JSON.parse(out.stdout).flows;
    expect(f.stack).toMatch(/^Parent\/ChildNestedStack/);
    expect(f).toMatchObject({ action: 'update', tags: ['content'] });
  });

  test('lists the flows of each stack in template order, removed flows after them', () => {
    const ids = report.flows.filter((f) => f.stack === 'FlowStack').map((f) => f.logicalId.slice(0, -8));
    expect(ids.slice(0, 3)).toEqual(['Created', 'Rename', 'Categories']);
    expect(ids.slice(-3)).toEqual(['Gone', 'GonePublished', 'Kept']);
    expect(report.changed).toBe(report.flows.length - 3);
  });
});

describe('content changes, screen by screen', () => {
  test('lists screens added and removed by id, and a component inserted without marking later ones changed', () => {
    const f = flow('Screens');
    expect(f.content!.entries).toEqual([
      { kind: 'changed', depth: 0, path: 'screens[0]', oldPath: 'screens[0]', label: 'screen A', detail: 'components changed' },
      { kind: 'added', depth: 1, path: 'screens[0].layout.children[1]', label: 'TextInput name=email', detail: 'added: "Email"' },
      { kind: 'added', depth: 1, path: 'screens[0].layout.children[2]', label: 'TextBody', detail: 'added: "zero"' },
      { kind: 'changed', depth: 1, path: 'screens[0].layout.children[5]', oldPath: 'screens[0].layout.children[3]', label: 'Footer', detail: 'on-click-action.next.name: "B" → "D"' },
      { kind: 'removed', depth: 0, path: 'screens[1]', label: 'screen B', detail: 'was in the old version ("B")' },
      { kind: 'added', depth: 0, path: 'screens[1]', label: 'screen D', detail: '"D", 2 components' },
    ]);
    expect(f.content!.counts).toEqual({ screensAdded: 1, screensRemoved: 1, screensChanged: 1, componentsAdded: 2, componentsRemoved: 0, componentsChanged: 1 });
  });

  test('matches components by type and name, with the JSON path of the change; a reordering shows as a move', () => {
    const form = (children: unknown[]) => ({ type: 'Form', name: 'form', children });
    const before = doc(screen('S', [{ type: 'TextBody', text: 'x' }]), screen('T', [form([{ type: 'TextBody', text: 'a' }, { type: 'TextInput', name: 'name', label: 'Name' }, { type: 'TextInput', name: 'email', label: 'Email' }])]));
    const after = doc(screen('S', [{ type: 'TextBody', text: 'x' }]), screen('T', [form([{ type: 'TextBody', text: 'a' }, { type: 'TextInput', name: 'email', label: 'E-mail' }, { type: 'TextInput', name: 'name', label: 'Name' }])]));
    const d = diffContent(JSON.stringify(before), JSON.stringify(after, undefined, 2));
    expect(d.entries).toEqual([
      { kind: 'changed', depth: 0, path: 'screens[1]', oldPath: 'screens[1]', label: 'screen T', detail: 'components changed' },
      { kind: 'changed', depth: 1, path: 'screens[1].layout.children[0].children[1]', oldPath: 'screens[1].layout.children[0].children[2]', label: 'TextInput name=email', detail: 'label: "Email" → "E-mail"' },
      { kind: 'moved', depth: 1, path: 'screens[1].layout.children[0].children[2]', oldPath: 'screens[1].layout.children[0].children[1]', label: 'TextInput name=name', detail: 'moved from screens[1].layout.children[0].children[1]' },
    ]);
    // The Form holding them has no change of its own: it is not counted.
    expect(d.counts).toMatchObject({ componentsChanged: 1, componentsAdded: 0, componentsRemoved: 0 });
  });

  test('names the options of a list that were removed, added and changed by their titles', () => {
    const group = (options: Array<{ id: string; title: string; description?: string }>) => doc(screen('S', [
      { type: 'RadioButtonsGroup', name: 'room', label: 'Room', 'data-source': options },
      { type: 'NavigationList', name: 'menu', 'list-items': options.map((o) => ({ id: o.id, 'main-content': { title: o.title } })) },
      complete,
    ], { terminal: true }));
    const before = group([{ id: 'garden', title: 'Garden' }, { id: 'sea', title: 'Sea view' }, { id: 'attic', title: 'Attic' }, { id: 'suite', title: 'Suite' }]);
    const after = group([{ id: 'garden', title: 'Garden room' }, { id: 'attic', title: 'Attic' }, { id: 'suite', title: 'Suite', description: 'Two rooms' }, { id: 'lake', title: 'Lake view' }]);
    const d = diffContent(JSON.stringify(before), JSON.stringify(after));
    expect(d.entries.slice(1).map((e) => `${e.label}: ${e.detail}`)).toEqual([
      'RadioButtonsGroup name=room: data-source: removed "Sea view"; added "Lake view"; "Garden" title: "Garden" → "Garden room"; "Suite" description added ("Two rooms")',
      'NavigationList name=menu: list-items: removed "Sea view"; added "Lake view"; "Garden" main-content.title: "Garden" → "Garden room"',
    ]);
  });

  test('shows what a person reads of a component that is added or removed: its text, label, options or condition', () => {
    const before = doc(screen('S', [{ type: 'TextCaption', text: 'Prices include VAT' }, complete], { terminal: true }));
    const after = doc(screen('S', [
      { type: 'Dropdown', name: 'size', label: 'Size', 'data-source': [{ id: 's', title: 'Small' }, { id: 'l', title: 'Large' }] },
      { type: 'If', condition: '${data.vip}', then: [{ type: 'TextBody', text: 'Welcome back' }] },
      { type: 'Image', src: 'iVBORw0KGgo', 'alt-text': 'Our shop' },
      complete,
    ], { terminal: true, data: { vip: { type: 'boolean', __example__: true } } }));
    const d = diffContent(JSON.stringify(before), JSON.stringify(after));
    expect(d.entries.filter((e) => e.depth === 1).map((e) => `${e.kind} ${e.label}: ${e.detail}`)).toEqual([
      'removed TextCaption: removed: "Prices include VAT"',
      'added Dropdown name=size: added: "Size" (2 options: "Small", "Large")',
      'added If: added: if ${data.vip}',
      'added Image: added: image "Our shop"',
    ]);
    expect(d.counts).toMatchObject({ componentsAdded: 3, componentsRemoved: 1, componentsChanged: 0 });
  });

  test('shows a changed image by its size, never its content', () => {
    const image = (kb: number) => doc(screen('S', [{ type: 'Image', src: 'iVBORw0KGgo'.padEnd(kb * 1024, 'A'), height: 100 }, complete], { terminal: true }));
    const d = diffContent(JSON.stringify(image(12)), JSON.stringify(image(14)));
    expect(d.entries[1]).toEqual({ kind: 'changed', depth: 1, path: 'screens[0].layout.children[0]', oldPath: 'screens[0].layout.children[0]', label: 'Image', detail: 'src changed (12 KB → 14 KB)' });
    expect(JSON.stringify(d).length).toBeLessThan(1000);
  });

  test('reports screen properties, document properties and the order of screens', () => {
    const before = { ...threeScreens, data_api_version: '3.0' };
    const after = { version: '7.2', screens: [threeScreens.screens[1], { ...(threeScreens.screens[0] as object), title: 'Start' }, threeScreens.screens[2]] };
    const d = diffContent(JSON.stringify(before), JSON.stringify(after));
    expect(d.entries).toEqual([
      { kind: 'changed', depth: 0, path: '', label: 'document', detail: 'version: "7.3" → "7.2"' },
      { kind: 'removed', depth: 0, path: '', label: 'document', detail: 'data_api_version removed (was "3.0")' },
      { kind: 'info', depth: 0, path: 'screens', label: 'screen order', detail: 'A, B, C → B, A, C' },
      { kind: 'changed', depth: 0, path: 'screens[1]', oldPath: 'screens[0]', label: 'screen A', detail: 'title: "A" → "Start"' },
    ]);
  });

  test('caps the summary of a huge document', () => {
    const many = (text: string) => JSON.stringify(doc(...Array.from({ length: 1000 }, (_, i) => screen(`S${i}`, [{ type: 'TextBody', text }])))) ;
    const d = diffContent(many('a'), many('b'));
    expect(d.entries).toHaveLength(200);
    expect(d.omitted).toBe(1800);
    expect(d.counts.screensChanged).toBe(1000);
  });

  test('says so when a version is not a JSON object, instead of failing', () => {
    const d = diffContent('{"version":"7.3","screens":[]}', '{ not json');
    expect(d).toMatchObject({ unparsed: 'the new content is not a JSON object', entries: [] });
  });
});

describe('validator findings on the new version', () => {
  test('checks the new version with publish from the new properties, and counts its errors', () => {
    const f = flow('Findings');
    expect(f.findings).toMatchObject({ publish: true, errors: 1 });
    expect(f.findings!.list.map((x) => [x.severity, x.code])).toContainEqual(['error', 'AWS_UNSUPPORTED_VERSION']);
    expect(f.notes).toContain('the new version has validator errors: publishing it is expected to fail, and with it the deploy (a published flow gets its previous content back)');
    expect(report.errors).toBe(1);
  });

  test('checks a draft as a draft: what only blocks publishing is a warning', () => {
    const f = flow('FindingsDraft');
    expect(f.findings).toMatchObject({ publish: false, errors: 0, warnings: 1 });
    expect(f.findings!.list.map((x) => [x.severity, x.code])).toEqual([['warning', 'AWS_UNSUPPORTED_VERSION']]);
    expect(f.notes).toEqual([]);
  });
});

describe('output', () => {
  test('prints plain text by default: one block per changed flow, the unchanged ones last, then the totals', async () => {
    const out = await diff(oldDir, newDir);
    expect(out.code).toBe(1);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^FlowStack\/Created[0-9A-F]{8} "created": create and publish$/);
    expect(out.stdout).toMatch(/^FlowStack\/Screens[0-9A-F]{8} "screens": update \(content\)\n {2}- updates the content of the draft .*\n {2}content: [0-9.]+ KB → [0-9.]+ KB; 1 screen changed, 1 screen added, 1 screen removed, 1 component changed, 2 components added\n {4}~ screens\[0\] screen A: components changed\n {8}\+ screens\[0\]\.layout\.children\[1\] TextInput name=email: added: "Email"\n/m);
    expect(out.stdout).toMatch(/^ {4}\d+:\d+ error AWS_UNSUPPORTED_VERSION version: /m);
    expect(lines[lines.length - 1]).toBe(`${report.changed} of ${report.flows.length} flows change; validator: 1 error, 1 warning in the new versions`);
  });

  test('prints a pull-request comment with --format markdown: a summary table, then a section per changed flow', async () => {
    const out = await diff(oldDir, newDir, '--format', 'markdown');
    expect(out.code).toBe(1);
    const md = out.stdout;
    expect(md.startsWith(`${COMMENT_MARKER}\n## WhatsApp Flows: what this deploy does\n\n**`)).toBe(true);
    expect(md).toContain('| Flow | Source | Action | Changes | Validator |\n|---|---|---|---|---|\n');
    expect(md).toMatch(/^\| `created` \| FlowStack\/Created[0-9A-F]{8} \| \*\*create\*\* ⚠️ \| publish \| ✅ \|$/m);
    expect(md).toMatch(/^\| `findings` \| .* \| \*\*update\*\* ⚠️ \| content, publish \| ❌ 1 error, 0 warnings \|$/m);
    expect(md).toMatch(/^\| `findingsdraft` \| .* \| \*\*update\*\* \| content \| ⚠️ 0 errors, 1 warning \|$/m);
    expect(md).toMatch(/^\| `gone` \| .* \| \*\*delete\*\* \| {2}\| {2}\|$/m);
    expect(md).toMatch(/^\| `gonepublished` \| .* \| \*\*deprecate\*\* ⚠️ \| /m);
    expect(md).toContain(`- ⚠️ **Irreversible:** ${DEPRECATE_IS_FINAL}\n`);
    expect(md).toContain('<details><summary>3 unchanged flows</summary>');
    // Unchanged flows get no section; changed ones do, in the order of the table.
    expect(md).not.toContain('### `same`');
    const sections = [...md.matchAll(/^### `([^`]+)`: (.+)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
    expect(sections).toHaveLength(report.changed);
    expect(sections[0]).toBe('created: create');
    const screens = md.slice(md.indexOf('### `screens`'));
    expect(screens).toMatch(/^```diff\n~ screens\[0\] screen A: components changed\n {2}\+ screens\[0\]\.layout\.children\[1\] TextInput name=email: added: "Email"\n/m);
    expect(md).toMatch(/^- ❌ \*\*AWS_UNSUPPORTED_VERSION\*\* `version` \(line \d+\): /m);
    expect(md.length).toBeLessThan(20_000);
  });

  test('links the Markdown to the HTML report when given its URL', async () => {
    const md = (await diff(oldDir, newDir, '--format', 'markdown', '--report-url', 'https://ci.example/run/1/artifacts/2')).stdout;
    expect(md.split('\n').slice(0, 6)).toEqual([COMMENT_MARKER, '## WhatsApp Flows: what this deploy does', '', expect.stringMatching(/^\*\*\d+ of \d+ flows change/), '', '🖼️ [The changed screens, drawn before and after](<https://ci.example/run/1/artifacts/2>)']);
  });

  test('writes one self-contained HTML page with --format html: each changed screen before and after, its changes marked', async () => {
    const out = await diff(oldDir, newDir, '--format', 'html', '--out', path.join(tmp, 'report', 'flows.html'));
    expect(out).toMatchObject({ code: 1, stdout: '', stderr: '' });
    const html = fs.readFileSync(path.join(tmp, 'report', 'flows.html'), 'utf8');
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'">');
    expect(html).not.toMatch(/<script/);
    const section = html.slice(html.indexOf('data-flow="screens"'));
    const pair = (id: string) => section.slice(section.indexOf(`<div class="pair" data-screen="${id}">`), section.indexOf('<div class="pair"', section.indexOf(`<div class="pair" data-screen="${id}">`) + 1));
    const [before, after] = pair('A').split('<div class="side side-after">');
    // A: an input added at children[1]; the Footer changed (children[3] before, [5] after).
    expect(after).toContain('<div class="c c-TextInput mark-added" data-path="screens[0].layout.children[1]"><span class="mark-tag">added</span>');
    expect(after).toContain('<div class="c c-Footer mark-changed" data-path="screens[0].layout.children[5]">');
    expect(before).toContain('<div class="c c-Footer mark-changed" data-path="screens[0].layout.children[3]">');
    expect(before).not.toContain('mark-added');
    expect(pair('B')).toMatch(/<section class="screen screen-removed" id="f\d+-old-screen-B"[\s\S]*removed in the new version/);
    expect(pair('D')).toMatch(/not in the old version[\s\S]*<section class="screen screen-added" id="f\d+-new-screen-D"/);
    expect(section).toMatch(/<g class="node node-screen node-entry node-changed" data-screen="A">/);
    expect(section).toContain('Removed screens (not on the map): B');
    expect(html).toContain('⚠ <strong>Irreversible:</strong> deprecating cannot be undone');
  });

  test('fails with exit 1 on --images when no Chromium is installed, saying so', async () => {
    const saved = process.env[CHROMIUM_ENV];
    process.env[CHROMIUM_ENV] = path.join(tmp, 'no-chromium');
    try {
      const out = await diff(oldDir, newDir, '--format', 'markdown', '--images', path.join(tmp, 'pictures'));
      expect(out).toEqual({ code: 1, stdout: '', stderr: `whatsapp-flow diff: --images: ${CHROMIUM_ENV} is ${JSON.stringify(path.join(tmp, 'no-chromium'))}, which is not an executable file\n` });
    } finally {
      if (saved === undefined) delete process.env[CHROMIUM_ENV];
      else process.env[CHROMIUM_ENV] = saved;
    }
  });

  test('keeps a Markdown comment under GitHub\'s size limit, leaving out the sections that do not fit', () => {
    const entries = Array.from({ length: 200 }, (_, i) => ({ kind: 'changed' as const, depth: 1, path: `screens[0].layout.children[${i}]`, label: 'TextBody', detail: `text: "${'a'.repeat(40)}" → "${'b'.repeat(40)}"` }));
    const counts = { screensAdded: 0, screensRemoved: 0, screensChanged: 1, componentsAdded: 0, componentsRemoved: 0, componentsChanged: 200 };
    const flows = Array.from({ length: 100 }, (_, i) => ({
      stack: 'FlowStack',
      logicalId: `Flow${i}`,
      flowName: `flow-${i}`,
      action: 'update' as const,
      plan: { action: 'update' as const, tags: ['content'], effects: ['updates the content of the draft'], notes: [], irreversible: [], contentChanged: true, validate: false, publishes: false },
      content: { oldBytes: 1000, newBytes: 1000, entries, omitted: 0, counts },
    }));
    const report: DiffReport = { flows, changed: 100, errors: 0, warnings: 0 };
    const md = renderMarkdown(report);
    expect(md.length).toBeLessThan(MARKDOWN_BUDGET + 200);
    expect(md).toContain('<details><summary>Screens and components</summary>');
    expect(md).toContain('… 100 more not shown');
    expect(md).toMatch(/_\d+ more flow sections left out to keep this comment short: run `npx whatsapp-flow diff` for the full report\._\n$/);
    expect(md.match(/^\| `flow-\d+` /gm)).toHaveLength(100);
  });

  test('prints one JSON document with --format json', async () => {
    expect(Object.keys(report)).toEqual(['changed', 'errors', 'warnings', 'flows']);
    expect(Object.keys(flow('Rename'))).toEqual(['stack', 'logicalId', 'flowName', 'action', 'tags', 'effects', 'notes', 'irreversible']);
  });
});

describe('the source file of each flow', () => {
  let dir: string;
  let file: (name: string) => string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(tmp, 'source-'));
    file = (name) => path.relative(ROOT, path.join(dir, name)).split(path.sep).join('/');
    const write = (name: string, value: unknown) => {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), JSON.stringify(value, undefined, 2));
    };
    write('flows/signup.json', simple());
    write('flows/moved.json', simple());
    write('new/signup.json', version31);
    write('new/elsewhere/moved.json', simple());
    const fromFile = (name: string) => FlowJson.fromFile(path.join(dir, name));
    synth(path.join(dir, 'old'), { Signup: { flowJson: fromFile('flows/signup.json') }, Moved: { flowJson: fromFile('flows/moved.json') } });
    synth(path.join(dir, 'new'), {
      Signup: { publish: true, flowJson: fromFile('new/signup.json'), validation: FlowValidation.skip('testing the diff') },
      Moved: { flowJson: fromFile('new/elsewhere/moved.json') },
    });
  });

  test('names the Flow JSON file recorded at synth, and gives the validator\'s findings at its lines', async () => {
    const out = await diff(path.join(dir, 'old'), path.join(dir, 'new'));
    expect(out.stdout).toMatch(new RegExp(`^FlowStack/Signup[0-9A-F]{8} "signup" \\(${escape(file('new/signup.json'))}\\): update \\(content, publish\\)$`, 'm'));
    expect(out.stdout).toMatch(new RegExp(`^ {4}${escape(file('new/signup.json'))}:2:3 error AWS_UNSUPPORTED_VERSION version: `, 'm'));

    const md = (await diff(path.join(dir, 'old'), path.join(dir, 'new'), '--format', 'markdown')).stdout;
    expect(md).toContain(`| \`signup\` | \`${file('new/signup.json')}\` | **update** ⚠️ |`);
    expect(md).toContain(`- ❌ **AWS_UNSUPPORTED_VERSION** \`version\` (\`${file('new/signup.json')}:2:3\`): `);
    const json = JSON.parse((await diff(path.join(dir, 'old'), path.join(dir, 'new'), '--json')).stdout);
    expect(json.flows.map((f: { sourceFile?: string }) => f.sourceFile)).toEqual([file('new/signup.json'), file('new/elsewhere/moved.json')]);
  });

  test('reports a flow whose file moved, with the same content, as unchanged: the template does not hold the path', async () => {
    const json = JSON.parse((await diff(path.join(dir, 'old'), path.join(dir, 'new'), '--json')).stdout);
    expect(json.flows[1]).toMatchObject({ action: 'unchanged', effects: [], notes: [] });
    const template = (side: string) => fs.readFileSync(path.join(dir, side, 'FlowStack.template.json'), 'utf8');
    expect(template('old')).not.toContain('moved.json');
    expect(template('new')).not.toContain('moved.json');
  });
});

describe('a logical id that changes', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(tmp, 'moved-'));
    synth(path.join(dir, 'old'), { Signup: {}, Survey: {} });
    synth(path.join(dir, 'new'), { SignupFlow: { flowName: 'signup' }, SurveyFlow: { flowName: 'survey', adoptExisting: true } });
  });

  test('warns that the new flow\'s creation would find the name taken, and that adoptExisting takes it over instead', async () => {
    const out = await diff(path.join(dir, 'old'), path.join(dir, 'new'), '--json');
    const flows: JsonFlow[] = JSON.parse(out.stdout).flows;
    const byId = (id: string) => flows.find((f) => f.logicalId.slice(0, -8) === id)!;
    expect(byId('SignupFlow').action).toBe('create');
    expect(byId('SignupFlow').notes[0]).toMatch(/^FlowStack\/Signup[0-9A-F]{8} \("signup"\) has the same name in this WABA and leaves the stack in the same deploy, but CloudFormation creates before it deletes: this creation would find the name taken and fail/);
    expect(byId('Signup').action).toBe('delete');
    expect(byId('SurveyFlow').notes[0]).toMatch(/^takes over the flow of FlowStack\/Survey[0-9A-F]{8} \("survey"\)/);
    expect(byId('Survey')).toMatchObject({ action: 'retained' });
    expect(byId('Survey').effects[0]).toMatch(/^leaves flow "survey" in place: FlowStack\/SurveyFlow[0-9A-F]{8} \("survey"\) takes it over \(adoptExisting\)$/);
  });
});

describe('exit codes', () => {
  test('exits 0 when no flow changes', async () => {
    const again = synth(path.join(tmp, 'again'), { Same: {}, Reformat: { flowJson: FlowJson.fromObject(simple()) } });
    const base = synth(path.join(tmp, 'base'), { Same: {}, Reformat: { flowJson: FlowJson.fromString(JSON.stringify(simple())) } });
    const out = await diff(base, again);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout.trimEnd().split('\n').pop()).toBe('0 of 2 flows change');
  });

  test('exits 2 when a flow changes and no new version has errors', async () => {
    const base = synth(path.join(tmp, 'changes-old'), { Same: {}, Content: {} });
    const head = synth(path.join(tmp, 'changes-new'), { Same: {}, Content: { flowJson: FlowJson.fromObject(simple('Hello again')) } });
    expect(await diff(base, head)).toMatchObject({ code: 2, stderr: '' });
  });

  test('exits 1 when a changed flow\'s new version has validator errors, whatever else changes', async () => {
    expect(report.errors).toBe(1);
    expect((await diff(oldDir, newDir)).code).toBe(1);
  });

  test('with --allow-missing-old, takes a missing old assembly as "no flows yet"', async () => {
    const out = await diff(path.join(tmp, 'does-not-exist'), newDir, '--allow-missing-old', '--json');
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout).flows.every((f: JsonFlow) => f.action === 'create')).toBe(true);
  });

  test('fails with 1 on a missing folder, naming it', async () => {
    const out = await diff(path.join(tmp, 'does-not-exist'), newDir);
    expect(out).toEqual({ code: 1, stdout: '', stderr: `whatsapp-flow diff: ${path.join(tmp, 'does-not-exist')}: no such directory; pass the cloud assembly folder written by cdk synth (cdk.out)\n` });
  });

  test('fails with 1 on a folder that is not a cloud assembly', async () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
    const out = await diff(empty, newDir);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`whatsapp-flow diff: ${path.join(empty, 'manifest.json')}: not a cloud assembly (it has no manifest.json); pass the folder written by cdk synth (cdk.out)\n`);
  });

  test('fails with 1 on a template that cannot be read', async () => {
    const broken = copy(newDir, 'broken-template');
    fs.writeFileSync(path.join(broken, 'FlowStack.template.json'), '{ "Resources": ');
    const out = await diff(oldDir, broken);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(new RegExp(`^whatsapp-flow diff: ${escape(path.join(broken, 'FlowStack.template.json'))}: not valid JSON \\(.+\\)\\n$`));
  });

  test('fails with 1 on a content asset that is missing, naming the file', async () => {
    const broken = copy(newDir, 'broken-asset');
    const template = JSON.parse(fs.readFileSync(path.join(broken, 'FlowStack.template.json'), 'utf8'));
    const key: string = Object.values<any>(template.Resources).find((r) => r.Properties?.FlowName === 'large').Properties.ContentS3Key;
    const asset = path.join(broken, `asset.${key}`);
    fs.rmSync(asset);
    const out = await diff(oldDir, broken);
    expect(out).toMatchObject({ code: 1, stdout: '' });
    expect(out.stderr).toBe(`whatsapp-flow diff: ${asset}: the content asset is missing (no such file); synthesize again\n`);
  });

  test('fails with 1 on a content key that names no asset', async () => {
    const broken = copy(newDir, 'broken-key');
    const file = path.join(broken, 'FlowStack.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const [id, large] = Object.entries<any>(template.Resources).find(([, r]) => r.Properties?.FlowName === 'large')!;
    large.Properties.ContentS3Key = 'nothing.json';
    fs.writeFileSync(file, JSON.stringify(template));
    const out = await diff(oldDir, broken);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`whatsapp-flow diff: ${file}: flow ${id}: ContentS3Key "nothing.json" names no file asset of ${path.join(broken, 'FlowStack.assets.json')}\n`);
  });

  test('fails with 1 on bad usage', async () => {
    expect((await diff(oldDir)).code).toBe(1);
    const out = await diff(oldDir, newDir, '--format', 'pdf');
    expect(out.code).toBe(1);
    expect(out.stderr.split('\n')[0]).toBe('whatsapp-flow diff: --format must be text, markdown, json, html, got "pdf"');
    expect((await diff(oldDir, newDir, '--images', 'pictures')).stderr.split('\n')[0]).toBe('whatsapp-flow diff: --images is for --format markdown');
  });

  test('runs through the real entry point', () => {
    const result = spawnSync('npx', ['tsx', 'bin/whatsapp-flow.ts', 'diff', oldDir, newDir, '--format', 'markdown'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    expect(result.stdout.startsWith(`${COMMENT_MARKER}\n## WhatsApp Flows: what this deploy does\n`)).toBe(true);
  });
});

function copy(dir: string, name: string): string {
  const to = path.join(tmp, name);
  fs.cpSync(dir, to, { recursive: true });
  return to;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
