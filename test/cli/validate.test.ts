import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../../cli/commands/validate';
import { captured, Captured } from '../support/io';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = 'test/fixtures/flows';

async function validate(args: string[], cwd = ROOT): Promise<Captured> {
  return captured(run, args, cwd);
}

describe('whatsapp-flow validate', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whatsapp-flow-cli-'));
  });
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('exits 0 and prints a summary for valid files', async () => {
    const out = await validate([`${FIXTURES}/good-minimal.json`, `${FIXTURES}/good-two-screens-bom.json`]);
    expect(out).toEqual({ code: 0, stdout: '2 files checked: 0 errors, 0 warnings\n', stderr: '' });
  });

  test('exits 0 on warnings, and 1 on the same file with --publish', async () => {
    const draft = await validate([`${FIXTURES}/warn-old-version.json`]);
    expect(draft.code).toBe(0);
    expect(draft.stdout).toContain(`${FIXTURES}/warn-old-version.json:1:2 warning AWS_UNSUPPORTED_VERSION version: `);
    const publish = await validate(['--publish', `${FIXTURES}/warn-old-version.json`]);
    expect(publish.code).toBe(1);
    expect(publish.stdout).toContain('error AWS_UNSUPPORTED_VERSION');
    expect(publish.stdout.trim().split('\n').pop()).toBe('1 file checked: 1 error, 0 warnings');
  });

  test('exits 1 and prints one line per finding, in the order of the file', async () => {
    const out = await validate([`${FIXTURES}/bad-undeclared-reference.json`]);
    expect(out.code).toBe(1);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^test\/fixtures\/flows\/bad-undeclared-reference\.json:14:33 error INVALID_SCREEN_DYNAMIC_DATA screens\[0\]\.layout\.children\[1\]\.text: .+ \("\$\{data\.price\}"\) — .+$/);
    expect(lines[1]).toMatch(/:15:\d+ error INVALID_SCREEN_DYNAMIC_DATA /);
    expect(lines[2]).toBe('1 file checked: 2 errors, 0 warnings');
  });

  test('reports a parse error with its line and column', async () => {
    const out = await validate([`${FIXTURES}/bad-trailing-comma.json`]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(`${FIXTURES}/bad-trailing-comma.json:8:5 error INVALID_FLOW_JSON (document): not valid JSON at line 8, column 5: trailing comma`);
  });

  test('prints one JSON document with --json', async () => {
    const out = await validate(['--json', `${FIXTURES}/good-minimal.json`, `${FIXTURES}/bad-unknown-component.json`]);
    expect(out.code).toBe(1);
    const doc = JSON.parse(out.stdout);
    expect(Object.keys(doc)).toEqual(['files', 'errors', 'warnings']);
    expect(doc.files.map((f: { file: string }) => f.file)).toEqual([`${FIXTURES}/good-minimal.json`, `${FIXTURES}/bad-unknown-component.json`]);
    expect(doc.files[0].findings).toEqual([]);
    expect(doc.files[1].findings[0]).toEqual({
      severity: 'error',
      code: 'UNKNOWN_COMPONENT',
      path: 'screens[0].layout.children[0].type',
      value: '"TextParagraph"',
      message: 'there is no component type "TextParagraph"',
      fix: 'use a component from Meta\'s components reference (e.g. TextBody, TextInput, Footer)',
      line: 10,
      column: 13,
    });
    expect({ errors: doc.errors, warnings: doc.warnings }).toEqual({ errors: 2, warnings: 0 });
  });

  test('prints GitHub Actions annotations with --format github: one workflow command per finding, at its file, line and column', async () => {
    const out = await validate(['--format', 'github', `${FIXTURES}/bad-undeclared-reference.json`, `${FIXTURES}/warn-old-version.json`]);
    expect(out.code).toBe(1);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toBe(`::error file=${FIXTURES}/bad-undeclared-reference.json,line=14,col=33,title=INVALID_SCREEN_DYNAMIC_DATA::screens[0].layout.children[1].text: ` +
      '${data.price}: "price" is not declared in the data of screen "ORDER" ("${data.price}") — declare it in screens[0].data, e.g. "price": { "type": "string", "__example__": "…" }');
    expect(lines[2]).toMatch(new RegExp(`^::warning file=${FIXTURES}/warn-old-version\\.json,line=1,col=2,title=AWS_UNSUPPORTED_VERSION::version: `));
    expect(lines[3]).toBe('2 files checked: 2 errors, 1 warning');
  });

  test('escapes what would end a workflow command: % in messages, also : and , in the file name', async () => {
    const name = 'a,b:c%.json';
    fs.writeFileSync(path.join(tmp, name), '{ "version": "7.3", "screens": [ { "id": "A", "title": "A", "terminal": true, "layout": { "type": "SingleColumnLayout", "children": [ ' +
      '{ "type": "50%", "text": "x" }, { "type": "Footer", "label": "Done", "on-click-action": { "name": "complete", "payload": {} } } ] } } ] }');
    const out = await validate(['--format', 'github', name], tmp);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^::warning file=a%2Cb%3Ac%25\.json,line=1,col=\d+,title=UNCONFIRMED_COMPONENT::screens\[0\]\.layout\.children\[0\]\.type: component type "50%25" is not in the catalogue/);
    for (const line of lines.slice(0, -1)) expect(line.replace(/%(25|0D|0A|3A|2C)/g, '')).not.toContain('%');
  });

  test('writes a SARIF 2.1.0 log with --format sarif, for code scanning', async () => {
    const out = await validate(['--format', 'sarif', `${FIXTURES}/good-minimal.json`, `${FIXTURES}/bad-undeclared-reference.json`]);
    expect(out.code).toBe(1);
    const log = JSON.parse(out.stdout);
    expect(log).toMatchObject({ version: '2.1.0', $schema: 'https://json.schemastore.org/sarif-2.1.0.json' });
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0].tool.driver).toEqual({
      name: 'whatsapp-flow validate',
      rules: [{ id: 'INVALID_SCREEN_DYNAMIC_DATA', name: 'INVALID_SCREEN_DYNAMIC_DATA', shortDescription: { text: 'Flow JSON: invalid screen dynamic data' } }],
    });
    expect(log.runs[0].results).toHaveLength(2);
    expect(log.runs[0].results[0]).toEqual({
      ruleId: 'INVALID_SCREEN_DYNAMIC_DATA',
      ruleIndex: 0,
      level: 'error',
      message: { text: expect.stringMatching(/^screens\[0\]\.layout\.children\[1\]\.text: \$\{data\.price\}: "price" is not declared/) },
      locations: [{ physicalLocation: { artifactLocation: { uri: `${FIXTURES}/bad-undeclared-reference.json` }, region: { startLine: 14, startColumn: 33 } } }],
    });
  });

  test('expands globs, sorted, each file once', async () => {
    const out = await validate(['--json', `${FIXTURES}/good-*.json`, `${FIXTURES}/good-minimal.json`]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).files.map((f: { file: string }) => f.file)).toEqual([`${FIXTURES}/good-minimal.json`, `${FIXTURES}/good-two-screens-bom.json`]);
  });

  test('resolves files and globs against the given working directory', async () => {
    const out = await validate(['**/*.json'], path.join(ROOT, FIXTURES));
    expect(out.stdout.trim().split('\n').pop()).toBe('9 files checked: 22 errors, 1 warning');
    expect(out.code).toBe(1);
  });

  test.each([
    ['no arguments', [], 'no files given'],
    ['an unknown option', ['--strict', `${FIXTURES}/good-minimal.json`], 'unknown option "--strict"'],
    ['an unknown format', ['--format', 'xml', `${FIXTURES}/good-minimal.json`], '--format must be text, json, github, sarif, got "xml"'],
  ])('fails with exit 1 and the usage on %s', async (_, args, message) => {
    const out = await validate(args);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(message);
    expect(out.stderr).toContain('usage: whatsapp-flow validate');
  });

  test('prints the usage on --help and exits 0', async () => {
    const out = await validate(['--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('exit codes:');
  });

  test('fails with exit 1 on a missing file, saying so on stderr only: no "0 files checked" report', async () => {
    expect(await validate([`${FIXTURES}/nope.json`])).toEqual({ code: 1, stdout: '', stderr: `whatsapp-flow validate: cannot read ${FIXTURES}/nope.json: no such file\n` });
    expect(await validate(['--json', `${FIXTURES}/nope.json`])).toMatchObject({ code: 1, stdout: '' });
  });

  test('fails with exit 1 on a missing file and a glob that matches nothing, but still checks the others', async () => {
    const out = await validate([`${FIXTURES}/nope.json`, `${FIXTURES}/*.yaml`, `${FIXTURES}/bad-truncated.json`]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      `whatsapp-flow validate: no file matches "${FIXTURES}/*.yaml"\n` +
      `whatsapp-flow validate: cannot read ${FIXTURES}/nope.json: no such file\n`,
    );
    expect(out.stdout).toContain('bad-truncated.json:17:1 error INVALID_FLOW_JSON');
  });

  test('fails with exit 1 on an unreadable file: a directory, a dangling link, a file without read permission', async () => {
    fs.mkdirSync(path.join(tmp, 'dir.json'));
    fs.symlinkSync(path.join(tmp, 'gone.json'), path.join(tmp, 'link.json'));
    fs.writeFileSync(path.join(tmp, 'secret.json'), '{}');
    fs.chmodSync(path.join(tmp, 'secret.json'), 0o000);
    const out = await validate(['dir.json', 'link.json'], tmp);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('dir.json is a directory');
    expect(out.stderr).toContain('cannot read link.json: no such file');
    if (process.getuid?.() !== 0) {
      // root reads anything, so this part only means something for other users.
      const secret = await validate(['secret.json'], tmp);
      expect(secret).toMatchObject({ code: 1, stderr: 'whatsapp-flow validate: cannot read secret.json: permission denied\n' });
    }
  });

  test('treats everything after -- as a file, even when it starts with a dash', async () => {
    fs.copyFileSync(path.join(ROOT, FIXTURES, 'good-minimal.json'), path.join(tmp, '-flow.json'));
    expect((await validate(['--', '-flow.json'], tmp)).code).toBe(0);
  });

  test('reports a file far above the 10 MiB limit without parsing it', async () => {
    const big = path.join(tmp, 'big.json');
    fs.writeFileSync(big, Buffer.alloc(4 * 10_485_760 + 1, 0x20));
    const out = await validate(['--json', 'big.json'], tmp);
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout).files[0].findings.map((f: { code: string }) => f.code)).toEqual(['FLOW_JSON_TOO_LARGE']);
  });
});

describe('whatsapp-flow validate on a directory of flows (WhatsAppFlowDirectory, whatsapp-flow pull)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whatsapp-flow-dir-'));
  });
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const good = fs.readFileSync(path.join(ROOT, FIXTURES, 'good-minimal.json'), 'utf8');
  /** Version 3.1: valid for Meta, but AWS cannot publish it (a warning for a draft, an error for publishing). */
  const old = fs.readFileSync(path.join(ROOT, FIXTURES, 'warn-old-version.json'), 'utf8');
  const entry = (file: string, extra: Record<string, unknown> = {}) => ({ file, flowName: file, categories: ['OTHER'], ...extra });
  /** A directory of files (objects are written as JSON), returned relative to tmp. */
  function directory(name: string, files: Record<string, string | object>): string {
    for (const [file, content] of Object.entries(files)) {
      const full = path.join(tmp, name, file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content, undefined, 2));
    }
    return name;
  }

  test('checks the files the manifest lists, each with its own publish flag, and not the manifest as a Flow JSON document', async () => {
    const dir = directory('shop', {
      'whatsapp-flows.json': { flows: { live: entry('live.json', { publish: true }), draft: entry('forms/draft.json'), legacy: { flowName: 'Legacy', categories: ['OTHER'] } } },
      'live.json': old,
      'forms/draft.json': old,
    });
    const out = await validate([dir], tmp);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(1);
    expect(out.stdout.trim().split('\n')).toEqual([
      'shop/live.json:1:2 error AWS_UNSUPPORTED_VERSION version: version 3.1 cannot be published through AWS End User Messaging Social, which publishes 5.1, 6.0, 6.1, 6.2, 6.3, 7.0, 7.1, 7.2, 7.3 ("3.1") — raise "version" to 7.3 (the version AWS recommends) and re-validate',
      'shop/forms/draft.json:1:2 warning AWS_UNSUPPORTED_VERSION version: version 3.1 cannot be published through AWS End User Messaging Social, which publishes 5.1, 6.0, 6.1, 6.2, 6.3, 7.0, 7.1, 7.2, 7.3 ("3.1") — raise "version" to 7.3 (the version AWS recommends) and re-validate',
      '3 files checked: 1 error, 1 warning',
    ]);
  });

  test('honours the manifest\'s exclusions: ignored files are not checked, skipValidation is reported as skipped with its reason', async () => {
    const dir = directory('skips', {
      'whatsapp-flows.json': { flows: { a: entry('a.json'), b: entry('b.json', { skipValidation: 'uses a component from Meta\'s next release' }) }, ignore: ['drafts/'] },
      'a.json': good,
      'b.json': '{ "version": "7.3", "screens": [ { "type": "Nope" } ] }',
      'drafts/wip.json': '{ not json',
    });
    const out = await validate([dir], tmp);
    expect(out).toEqual({
      code: 0,
      stdout: 'skips/b.json skipped: skips/whatsapp-flows.json flows.b has skipValidation: "uses a component from Meta\'s next release"\n2 files checked, 1 skipped: 0 errors, 0 warnings\n',
      stderr: '',
    });
    const json = JSON.parse((await validate(['--json', dir], tmp)).stdout);
    expect(json.files.map((f: { file: string }) => f.file)).toEqual(['skips/whatsapp-flows.json', 'skips/a.json']);
    expect(json.skipped).toEqual([{ file: 'skips/b.json', reason: 'skips/whatsapp-flows.json flows.b has skipValidation: "uses a component from Meta\'s next release"' }]);
  });

  test('reports the manifest\'s problems as errors with their line and column, as synth does', async () => {
    const dir = directory('broken', {
      'whatsapp-flows.json': '{\n  "flows": {\n    "a": { "file": "a.json", "flowName": "A", "categories": ["SHOPING"] },\n    "b": { "file": "missing.json", "flowName": "B", "categories": ["OTHER"] }\n  }\n}\n',
      'a.json': good,
      'stray.json': good,
    });
    const out = await validate([dir], tmp);
    expect(out.code).toBe(1);
    const lines = out.stdout.trim().split('\n');
    expect(lines.map((l) => l.replace(/: .*$/, ''))).toEqual([
      'broken/whatsapp-flows.json:2:3 error INVALID_MANIFEST flows',
      'broken/whatsapp-flows.json:3:62 error INVALID_MANIFEST flows.a.categories[0]',
      'broken/whatsapp-flows.json:4:12 error INVALID_MANIFEST flows.b.file',
      '2 files checked',
    ]);
    expect(lines[0]).toContain('"stray.json" is a JSON file of the directory that no entry uses');
    expect(lines[1]).toContain('"SHOPING" is not a flow category — use one of SIGN_UP');
    // The entry with a bad category still has its file checked.
    expect(lines[3]).toBe('2 files checked: 3 errors, 0 warnings');
  });

  test('reports a manifest that is not JSON at its line and column', async () => {
    const dir = directory('unparsable', { 'whatsapp-flows.json': '{\n  "flows": {,\n}', 'a.json': good });
    const out = await validate([dir], tmp);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^unparsable\/whatsapp-flows\.json:2:\d+ error INVALID_MANIFEST \(document\): not valid JSON at line 2/);
  });

  test('checks a manifest named on the command line as its directory, whatever its name', async () => {
    const dir = directory('named', { 'flows.manifest.json': { flows: { a: entry('a.json', { publish: true }) } }, 'a.json': old });
    const out = await validate([`${dir}/flows.manifest.json`], tmp);
    expect(out.stdout).toContain('named/a.json:1:2 error AWS_UNSUPPORTED_VERSION');
    expect(out.code).toBe(1);
  });

  test('says what the manifest is when a glob matches it, and skips it', async () => {
    const dir = directory('globbed', { 'whatsapp-flows.json': { flows: { a: entry('a.json') } }, 'a.json': good });
    const out = await validate([`${dir}/*.json`], tmp);
    expect(out).toEqual({
      code: 0,
      stdout: 'globbed/whatsapp-flows.json skipped: the manifest of a WhatsAppFlowDirectory, not a Flow JSON document; pass the directory (globbed) ' +
        'to check the flows it lists, each with its publish flag\n1 file checked, 1 skipped: 0 errors, 0 warnings\n',
      stderr: '',
    });
  });

  test('reads the directory that whatsapp-flow pull writes', async () => {
    const dir = directory('pulled', {
      'whatsapp-flows.json': {
        comment: 'Pulled from waba-0123456789abcdef0123456789abcdef by `whatsapp-flow pull`.',
        flows: { 'sign-up': { file: 'sign-up.json', flowName: 'Sign up', categories: ['SIGN_UP'], publish: true, adoptExisting: true, comment: 'flow 1, PUBLISHED when pulled' } },
      },
      'sign-up.json': good,
    });
    expect(await validate([dir], tmp)).toEqual({ code: 0, stdout: '2 files checked: 0 errors, 0 warnings\n', stderr: '' });
  });

  test('fails with exit 1 on a directory without a manifest, saying what to pass', async () => {
    const dir = directory('plain', { 'a.json': good });
    const out = await validate([dir], tmp);
    expect(out).toEqual({ code: 1, stdout: '', stderr: 'whatsapp-flow validate: plain is a directory without a whatsapp-flows.json manifest; pass files or a glob such as "plain/**/*.json"\n' });
  });
});
