import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { FlowCategory, FlowJson, WhatsAppFlow, WhatsAppFlowDirectory, WhatsAppFlowDirectoryProps, WhatsAppFlowProps } from '../../lib';

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const WABA_ARN = 'arn:aws:social-messaging:us-east-1:123456789012:waba/fedcba9876543210fedcba9876543210';
const FIXTURES = 'test/fixtures/flow-dirs';
const doc = {
  version: '7.3',
  screens: [{ id: 'A', terminal: true, layout: { type: 'SingleColumnLayout', children: [{ type: 'Footer', label: 'Done', 'on-click-action': { name: 'complete', payload: {} } }] } }],
};

function stack(): Stack {
  return new Stack(new App(), 'FlowStack', { env: { account: '123456789012', region: 'us-east-1' } });
}

function flows(directory: string, props: Partial<WhatsAppFlowDirectoryProps> = {}, s = stack()): WhatsAppFlowDirectory {
  return new WhatsAppFlowDirectory(s, 'Flows', { wabaId: WABA, directory, ...props });
}

/** The flow resources of a template, by logical id. */
function flowResources(s: Stack): Record<string, any> {
  return Template.fromStack(s).findResources('Custom::WhatsAppFlow');
}

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-dir-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;

/** A fresh directory with the given files (objects are written as JSON); returns its path. */
function directory(files: Record<string, string | object>): string {
  const dir = path.join(tmpRoot, `d${dirCount++}`);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, undefined, 2));
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A directory with one valid flow file `a.json` and a manifest whose flows are given. */
function withManifest(manifestFlows: unknown, extra: Record<string, string | object> = {}): string {
  return directory({ 'a.json': doc, 'whatsapp-flows.json': { flows: manifestFlows }, ...extra });
}

const A = { file: 'a.json', flowName: 'A flow', categories: ['OTHER'] };

describe('template', () => {
  test('declares one flow per manifest entry, with the entry\'s name, categories, flags and content', () => {
    const s = stack();
    flows(`${FIXTURES}/basic`, {}, s);
    const t = Template.fromStack(s);

    t.resourceCountIs('Custom::WhatsAppFlow', 3);
    t.resourceCountIs('AWS::Lambda::Function', 1);
    t.hasResourceProperties('Custom::WhatsAppFlow', {
      WabaId: WABA,
      FlowName: 'Sign up',
      Categories: ['SIGN_UP'],
      Publish: 'true',
      RemovalPolicy: 'destroy',
      ContentSha256: FlowJson.fromFile(`${FIXTURES}/basic/signup.json`).sha256,
      FlowJson: fs.readFileSync(`${FIXTURES}/basic/signup.json`, 'utf8'),
      AdoptExisting: Match.absent(),
      Preview: Match.absent(),
    });
    t.hasResourceProperties('Custom::WhatsAppFlow', {
      FlowName: 'Satisfaction survey',
      Categories: ['SURVEY', 'OTHER'],
      Publish: 'false',
      Preview: 'true',
      ContentSha256: FlowJson.fromFile(`${FIXTURES}/basic/forms/survey.json`).sha256,
    });
    t.hasResourceProperties('Custom::WhatsAppFlow', {
      FlowName: 'Contact us (legacy)',
      Categories: ['CONTACT_US'],
      AdoptExisting: 'true',
      ContentSha256: Match.absent(),
      FlowJson: Match.absent(),
    });
  });

  test('names each flow by its manifest key: construct id, path and logical id', () => {
    const s = stack();
    const dir = flows(`${FIXTURES}/basic`, {}, s);

    expect(dir.keys).toEqual(['signup', 'survey', 'legacy-contact']);
    expect(dir.flows.map((f) => f.node.id)).toEqual(dir.keys);
    expect(dir.flow('survey').node.path).toBe('FlowStack/Flows/survey');
    expect(Object.keys(flowResources(s)).sort()).toEqual([
      expect.stringMatching(/^Flowslegacycontact[0-9A-F]{8}$/),
      expect.stringMatching(/^Flowssignup[0-9A-F]{8}$/),
      expect.stringMatching(/^Flowssurvey[0-9A-F]{8}$/),
    ]);
    expect(dir.flow('signup')).toBeInstanceOf(WhatsAppFlow);
    expect(dir.manifestPath).toBe(path.resolve(FIXTURES, 'basic', 'whatsapp-flows.json'));
  });

  test('keeps the logical ids and every property when files are renamed or moved', () => {
    const before = stack();
    flows(`${FIXTURES}/basic`, {}, before);
    const after = stack();
    flows(`${FIXTURES}/renamed`, {}, after);

    expect(flowResources(after)).toEqual(flowResources(before));
  });

  test('keeps the logical id and content hash of a large flow (S3 asset) when its file is renamed', () => {
    const big = { ...doc, screens: [{ ...doc.screens[0], title: 'x'.repeat(WhatsAppFlow.INLINE_CONTENT_MAX_BYTES) }] };
    const manifest = (file: string) => ({ flows: { big: { file, flowName: 'Big', categories: ['OTHER'] } } });
    const s1 = stack();
    flows(directory({ 'big.json': big, 'whatsapp-flows.json': manifest('big.json') }), {}, s1);
    const s2 = stack();
    flows(directory({ 'renamed/large.json': big, 'whatsapp-flows.json': manifest('renamed/large.json') }), {}, s2);

    const [[id1, r1]] = Object.entries(flowResources(s1));
    const [[id2, r2]] = Object.entries(flowResources(s2));
    expect(id2).toBe(id1);
    expect(r2.Properties.ContentSha256).toBe(r1.Properties.ContentSha256);
    expect(r2.Properties.ContentS3Key).toEqual(r1.Properties.ContentS3Key);
  });

  test('adds a flow for a new entry and removes only the flow of a removed entry', () => {
    const two = withManifest({ a: A, b: { ...A, flowName: 'B flow' } });
    const one = withManifest({ b: { ...A, flowName: 'B flow' } });
    const s2 = stack();
    flows(two, {}, s2);
    const s1 = stack();
    flows(one, {}, s1);

    const r2 = flowResources(s2);
    const r1 = flowResources(s1);
    expect(Object.keys(r2)).toHaveLength(2);
    expect(Object.keys(r1)).toHaveLength(1);
    const [idB] = Object.keys(r1);
    expect(r2[idB]).toEqual(r1[idB]);
  });

  test('applies removalPolicy to every flow', () => {
    const s = stack();
    flows(`${FIXTURES}/basic`, { removalPolicy: RemovalPolicy.RETAIN }, s);

    for (const r of Object.values(flowResources(s))) {
      expect(r).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { RemovalPolicy: 'retain' } });
    }
  });

  test('reads a manifest of another name, and a WABA given by ARN', () => {
    const dir = directory({ 'a.json': doc, 'flows.manifest.json': { flows: { a: A } } });
    const s = stack();
    flows(dir, { manifestFile: 'flows.manifest.json', wabaId: WABA_ARN }, s);

    Template.fromStack(s).hasResourceProperties('Custom::WhatsAppFlow', { WabaId: WABA_ARN, FlowName: 'A flow' });
  });

  test('declares no flow for an empty manifest', () => {
    const s = stack();
    const dir = flows(directory({ 'whatsapp-flows.json': { flows: {} } }), {}, s);

    expect(dir.flows).toEqual([]);
    Template.fromStack(s).resourceCountIs('Custom::WhatsAppFlow', 0);
  });

  test('skips ignored files and folders, hidden folders and node_modules', () => {
    const dir = withManifest({ a: A }, {
      'drafts/next.json': doc,
      'notes.json': '{}',
      '.vscode/settings.json': '{}',
      'node_modules/x/package.json': '{}',
      'whatsapp-flows.json': { flows: { a: A }, ignore: ['drafts/', 'notes.json'] },
    });

    expect(() => flows(dir)).not.toThrow();
  });

  test('skips content validation of an entry with skipValidation, saying why', () => {
    const invalid = { version: '7.3', screens: [{ id: 'A', layout: { type: 'SingleColumnLayout', children: [{ type: 'TextParagraph' }] } }] };
    const dir = directory({ 'a.json': invalid, 'whatsapp-flows.json': { flows: { a: { ...A, skipValidation: 'uses a component the validator does not know' } } } });
    const s = stack();
    flows(dir, {}, s);

    Annotations.fromStack(s).hasInfo('/FlowStack/Flows/a', Match.stringLikeRegexp('validation skipped: uses a component'));
  });

  test('fails synth on content errors, naming the flow file', () => {
    const invalid = { version: '7.3', screens: [{ id: 'A', layout: { type: 'SingleColumnLayout', children: [{ type: 'TextParagraph' }] } }] };
    const dir = directory({ 'a.json': invalid, 'whatsapp-flows.json': { flows: { a: A } } });
    const s = stack();
    flows(dir, {}, s);

    expect(() => Template.fromStack(s)).toThrow(/\[FlowStack\/Flows\/a\] flowJson has 2 errors:\n.*a\.json:3:3 error MISSING_TERMINAL_SCREEN/);
  });

  test('fails on flow() with an unknown key, listing the keys', () => {
    const dir = flows(`${FIXTURES}/basic`);
    expect(() => dir.flow('sign-up')).toThrow(/flow\("sign-up"\): the manifest .*whatsapp-flows.json has no such key; use one of "signup", "survey", "legacy-contact"/);
  });
});

describe('warnings', () => {
  test('warns when two entries use the same file', () => {
    const s = stack();
    flows(withManifest({ a: A, b: { ...A, flowName: 'B flow' } }), {}, s);

    Annotations.fromStack(s).hasWarning('/FlowStack/Flows', Match.stringLikeRegexp('flows.b.file and flows.a.file are both "a.json".*whatsapp-flow-cdk:DirectorySharedFile'));
  });

  test('warns when two names differ only in case', () => {
    const s = stack();
    flows(withManifest({ a: A, b: { ...A, file: 'b.json', flowName: 'a flow' } }, { 'b.json': doc }), {}, s);

    Annotations.fromStack(s).hasWarning('/FlowStack/Flows', Match.stringLikeRegexp('flows.b.flowName "a flow" differs from flows.a.flowName only in case'));
  });
});

describe('synth-time errors name the manifest, the line, the JSON path and the fix', () => {
  const M = 'whatsapp-flows.json';

  test('lists every problem of a manifest at once, in the order of the file', () => {
    let message = '';
    try {
      flows(`${FIXTURES}/many-problems`);
    } catch (e) {
      message = (e as Error).message;
    }
    const lines = message.split('\n');

    expect(lines[0]).toBe('FlowStack/Flows: the manifest has 9 problems:');
    expect(lines.slice(1).map((l) => l.replace(/^ {2}test\/fixtures\/flow-dirs\/many-problems\/whatsapp-flows\.json:/, '').replace(/: .*$/, ''))).toEqual([
      '2:3 flows',
      '5:7 flows.signup.name',
      '6:22 flows.signup.categories[0]',
      '6:33 flows.signup.categories[1]',
      '7:7 flows.signup.publish',
      '14:5 flows["survey 2"]',
      '19:5 flows.survey',
      '20:7 flows.survey.file',
      '22:7 flows.survey.categories',
    ]);
    expect(message).toContain('"unlisted.json" is a JSON file of the directory that no entry uses');
    expect(message).toContain('key "survey" appears twice in the same object');
  });

  // Each case's directory holds a valid a.json unless the extra files map it to null.
  test.each<[string, unknown, Record<string, string | object | null>, RegExp]>([
    ['a manifest that is not an object', [], {}, /\(manifest\): the manifest must be a JSON object, got an array/],
    ['a manifest without flows', { flow: {} }, {}, /\(manifest\): the manifest has no "flows"; add "flows": \{/],
    ['an unknown top-level key', { flows: {}, flow: 1 }, {}, /flow: unknown key "flow"; the manifest's keys are flows, ignore, comment \(did you mean "flows"\?\)/],
    ['flows given as a list', { flows: [A] }, {}, /flows: flows must be an object keyed by each flow's permanent key, got an array/],
    ['an entry that is not an object', { flows: { a: 'a.json' } }, {}, /flows.a: an entry must be an object, got "a.json"; write \{ "file": "a.json"/],
    ['a key with a space', { flows: { 'sign up': A } }, {}, /flows\["sign up"\]: key "sign up" must be 1-64 letters, digits, - or _.*changing a key replaces the flow/],
    ['a key over 64 characters', { flows: { ['k'.repeat(65)]: A } }, {}, /flows.k+: key "k+" must be 1-64 letters/],
    ['a misspelt field', { flows: { a: { ...A, categroies: ['OTHER'] } } }, {}, /flows.a.categroies: unknown key "categroies"; an entry's keys are .* \(did you mean "categories"\?\)/],
    ['"name" instead of flowName', { flows: { a: { file: 'a.json', name: 'A', categories: ['OTHER'] } } }, {}, /flows.a.name: unknown key "name".*\(for "name" use flowName\)$/],
    ['removalPolicy in an entry', { flows: { a: { ...A, removalPolicy: 'retain' } } }, {}, /flows.a.removalPolicy: unknown key .*\(for "removalPolicy" use the removalPolicy prop of WhatsAppFlowDirectory, which applies to every flow\)/],
    ['a missing flowName', { flows: { a: { file: 'a.json', categories: ['OTHER'] } } }, {}, /flows.a: flowName is missing; add "flowName"/],
    ['a numeric flowName', { flows: { a: { ...A, flowName: 42 } } }, {}, /flows.a.flowName: flowName must be a string, got 42; quote it/],
    ['a flowName over 200 characters', { flows: { a: { ...A, flowName: 'n'.repeat(214) } } }, {}, /flows.a.flowName: flowName must be 1-200 characters, got 214 \("n+…\); shorten it/],
    ['a flowName with white space around it', { flows: { a: { ...A, flowName: ' A ' } } }, {}, /flows.a.flowName: flowName must not start or end with white space, got " A "; trim it/],
    ['two entries with the same flowName', { flows: { a: A, b: { ...A, file: 'b.json' } } }, { 'b.json': doc }, /flows.b.flowName: flowName "A flow" is already the name of flows.a; flow names are unique in a WABA/],
    ['missing categories', { flows: { a: { file: 'a.json', flowName: 'A' } } }, {}, /flows.a: categories is missing; add "categories": \["OTHER"\]/],
    ['a category given as a string', { flows: { a: { ...A, categories: 'SURVEY' } } }, {}, /flows.a.categories: categories must list 1 to 9 categories, got "SURVEY"/],
    ['ten categories', { flows: { a: { ...A, categories: Array(10).fill('OTHER') } } }, {}, /flows.a.categories: categories must list 1 to 9 categories, got 10/],
    ['an unknown category', { flows: { a: { ...A, categories: ['SHOPING'] } } }, {}, /flows.a.categories\[0\]: "SHOPING" is not a flow category; use one of SIGN_UP, .*, OTHER/],
    ['a category in lower case', { flows: { a: { ...A, categories: ['sign-up'] } } }, {}, /flows.a.categories\[0\]: "sign-up" is not a flow category; write "SIGN_UP"/],
    ['a repeated category', { flows: { a: { ...A, categories: ['SURVEY', 'SURVEY'] } } }, {}, /flows.a.categories\[1\]: categories lists SURVEY twice/],
    ['publish given as a string', { flows: { a: { ...A, publish: 'true' } } }, {}, /flows.a.publish: publish must be true or false, got "true"; remove the quotes/],
    ['adoptExisting given as a number', { flows: { a: { ...A, adoptExisting: 1 } } }, {}, /flows.a.adoptExisting: adoptExisting must be true or false, got 1$/],
    ['an empty skipValidation', { flows: { a: { ...A, skipValidation: ' ' } } }, {}, /flows.a.skipValidation: skipValidation must be the reason the content is not checked/],
    ['a missing file', { flows: { a: { ...A, file: 'signup.json' } } }, {}, /flows.a.file: .*signup.json not found; create it, or correct "file"/],
    ['a folder as file', { flows: { a: { ...A, file: 'sub' } } }, { 'sub/x.txt': 'x' }, /flows.a.file: .*sub is not a file/],
    ['an absolute file path', { flows: { a: { ...A, file: '/etc/a.json' } } }, {}, /flows.a.file: file must be relative to the directory, not absolute, got "\/etc\/a.json"/],
    ['a file outside the directory', { flows: { a: { ...A, file: '../a.json' } } }, {}, /flows.a.file: file must stay inside the directory \(no \.\.\), got "..\/a.json"/],
    ['a Windows path', { flows: { a: { ...A, file: 'forms\\a.json' } } }, {}, /flows.a.file: file must use \/ between folders, not \\/],
    ['a file that is not JSON', { flows: { a: { ...A, file: 'bad.json' } } }, { 'bad.json': '{"version": "7.3",\n "screens": [],\n}' }, /flows.a.file: .*bad.json: not valid JSON at line 3, column 1.*fix the JSON syntax/],
    ['a file that is not a Flow JSON document', { flows: { a: { ...A, file: 'pkg.json' } } }, { 'pkg.json': { name: 'x' } }, /flows.a.file: .*pkg.json: Flow JSON has no "version"/],
    ['publish without a file', { flows: { a: { flowName: 'A', categories: ['OTHER'], publish: true } } }, { 'a.json': null }, /flows.a.publish: publish is true but the entry has no file/],
    ['a JSON file no entry uses', { flows: { a: A } }, { 'forms/b.json': doc }, /flows: "forms\/b.json" is a JSON file of the directory that no entry uses.*list it under "ignore"/],
    ['an ignore that is not a list', { flows: { a: A }, ignore: 'drafts/' }, {}, /ignore: ignore must be a list of file paths, got "drafts\/"/],
    ['an ignore entry outside the directory', { flows: { a: A }, ignore: ['../x'] }, {}, /ignore\[0\]: must stay inside the directory \(no \.\.\), got "\.\.\/x"/],
  ])('fails on %s', (_what, manifest, extra, message) => {
    const files = Object.entries({ 'a.json': doc, [M]: manifest as object, ...extra }).filter(([, v]) => v !== null) as Array<[string, string | object]>;
    const dir = directory(Object.fromEntries(files));
    // The message is one problem of the list (or the only one), after the manifest's file:line:column.
    expect(() => flows(dir)).toThrow(new RegExp(`^FlowStack/Flows: (?:.*\\n {2})?\\S*${M.replace('.', '\\.')}:\\d+:\\d+ ${message.source}`, 's'));
  });

  test('fails on a key repeated in the manifest, which JSON would silently drop', () => {
    const dir = directory({ 'a.json': doc, [M]: '{\n  "flows": {\n    "a": { "file": "a.json", "flowName": "A", "categories": ["OTHER"] },\n    "a": { "file": "a.json", "flowName": "A2", "categories": ["OTHER"] }\n  }\n}' });
    expect(() => flows(dir)).toThrow(/whatsapp-flows.json:4:5 flows.a: key "a" appears twice in the same object \(JSON keeps only the last one\); remove or rename one of them$/);
  });

  test('fails on a manifest that is not valid JSON, with its line and column', () => {
    const dir = directory({ [M]: '{\n  "flows": {\n    "a": { "file": "a.json", },\n  }\n}' });
    expect(() => flows(dir)).toThrow(/^FlowStack\/Flows: .*whatsapp-flows.json:3:\d+: not valid JSON at line 3, column \d+: .*; fix the JSON syntax$/);
  });

  test('fails on a missing manifest, saying how to write one', () => {
    const dir = directory({ 'a.json': doc });
    expect(() => flows(dir)).toThrow(/whatsapp-flows.json: manifest not found; create it with \{ "flows": .*npx whatsapp-flow pull --waba <id> --out <directory>/);
  });

  test('fails on a missing directory', () => {
    expect(() => flows('no/such/flows')).toThrow(/^FlowStack\/Flows: directory no\/such\/flows not found \(resolved to \/.*\); check the path/);
  });

  test('fails on a directory that is a file', () => {
    expect(() => flows(`${FIXTURES}/basic/signup.json`)).toThrow(/directory .*signup.json is not a directory/);
  });

  test.each<[string, Partial<WhatsAppFlowDirectoryProps>, RegExp]>([
    ['a Meta numeric WABA id', { wabaId: '102290129340398' }, /wabaId must be the AWS id of a linked WhatsApp Business Account.*got "102290129340398"/],
    ['no directory', { directory: undefined }, /directory is required and must be a path, got nothing/],
    ['a manifestFile outside the directory', { manifestFile: '../whatsapp-flows.json' }, /manifestFile must be a file name inside directory, got "..\/whatsapp-flows.json"/],
    ['a snapshot removal policy', { removalPolicy: RemovalPolicy.SNAPSHOT }, /removalPolicy "snapshot" is not supported for a flow/],
  ])('fails on %s', (_what, props, message) => {
    expect(() => new WhatsAppFlowDirectory(stack(), 'Flows', { wabaId: WABA, directory: `${FIXTURES}/basic`, ...props } as WhatsAppFlowDirectoryProps)).toThrow(message);
  });

  test.each<[string, Partial<WhatsAppFlowDirectoryProps>]>([
    ['a malformed wabaId', { wabaId: 'waba_123' }],
    ['a Meta numeric WABA id', { wabaId: '102290129340398' }],
    ['a removal policy a flow does not support', { removalPolicy: RemovalPolicy.SNAPSHOT }],
  ])('fails on %s with the words WhatsAppFlow uses for the same prop', (_what, props) => {
    const message = (build: (s: Stack) => void) => {
      try {
        build(stack());
      } catch (e) {
        return (e as Error).message.replace(/^FlowStack\/\w+: /, '');
      }
      throw new Error('no error');
    };
    const fromFlow = message((s) => new WhatsAppFlow(s, 'Flows', { wabaId: WABA, flowName: 'a', categories: [FlowCategory.OTHER], ...props } as WhatsAppFlowProps));
    expect(message((s) => flows(`${FIXTURES}/basic`, props, s))).toBe(fromFlow);
  });

  test('fails on a directory given as a token, and lets a wabaId token through', () => {
    const s = stack();
    expect(() => flows(new CfnParameter(s, 'Dir').valueAsString, {}, s)).toThrow(/directory must be known at synth, got a token/);
    const s2 = stack();
    expect(() => flows(withManifest({ a: A }), { wabaId: new CfnParameter(s2, 'Waba').valueAsString }, s2)).not.toThrow();
  });
});
