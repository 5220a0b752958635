import * as fs from 'fs';
import * as path from 'path';
import { FindingSeverity, FlowJsonFinding, FlowJsonValidator } from '../../lib/validator';
import { single } from './helpers';

const FIXTURES = path.resolve(__dirname, '../fixtures/flows');
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const summary = (fs_: FlowJsonFinding[]) => [...new Set(fs_.map((f) => `${f.severity} ${f.code}`))].sort();

describe('the fixture files in test/fixtures/flows', () => {
  test.each([
    ['good-minimal.json', []],
    ['good-two-screens-bom.json', []],
    ['warn-old-version.json', ['warning AWS_UNSUPPORTED_VERSION']],
    ['bad-truncated.json', ['error INVALID_FLOW_JSON']],
    ['bad-trailing-comma.json', ['error INVALID_FLOW_JSON']],
    ['bad-circular-navigation.json', ['error INVALID_ROUTING_MODEL']],
    ['bad-undeclared-reference.json', ['error INVALID_SCREEN_DYNAMIC_DATA']],
    ['bad-unknown-component.json', ['error INVALID_PROPERTY_KEY', 'error UNKNOWN_COMPONENT']],
    ['bad-wrong-types.json', ['error INVALID_FLOW_JSON_VERSION', 'error INVALID_PROPERTY_TYPE', 'error INVALID_ROUTING_MODEL', 'error INVALID_SCREEN_DATA',
      'error MISSING_REQUIRED_TYPE_PROPERTY']],
  ])('%s gets its expected findings', (name, expected) => {
    expect(summary(FlowJsonValidator.validateText(read(name)))).toEqual(expected);
  });

  test('covers every fixture file', () => {
    expect(fs.readdirSync(FIXTURES).length).toBe(9);
  });
});

describe('parsing text (rule D1)', () => {
  test('tolerates a UTF-8 byte order mark and reports positions after it', () => {
    const text = JSON.stringify(single([{ type: 'TextBody', text: '${data.x}' }]), undefined, 2);
    const plain = FlowJsonValidator.validateText(text);
    const bom = FlowJsonValidator.validateText('\ufeff' + text);
    expect(bom).toEqual(plain);
    expect(plain).toHaveLength(1);
    const before = text.slice(0, text.indexOf('"text": "${data.x}"')).split('\n');
    expect(plain[0]).toMatchObject({ code: 'INVALID_SCREEN_DYNAMIC_DATA', line: before.length, column: before[before.length - 1].length + 1 });
  });

  test.each([
    ['an empty text', '', 1, 1, 'empty'],
    ['a truncated document', '{\n  "version": "7.3",\n  "screens": [', 3, 15, 'truncated'],
    ['a trailing comma in an array', '{"screens": [1, 2,]}', 1, 19, "trailing comma before ']'"],
    ['single quotes', "{'version': '7.3'}", 1, 2, 'expected a double-quoted property name'],
    ['a missing colon', '{"version" "7.3"}', 1, 12, "expected ':'"],
    ['a missing comma', '{"a": 1\n "b": 2}', 2, 2, "expected ',' or '}'"],
    ['a bare word', '{"a": yes}', 1, 7, "unexpected 'yes'"],
    ['a raw tab in a string', '{"a": "x\ty"}', 1, 9, 'control character'],
    ['an invalid escape', '{"a": "\\x"}', 1, 8, "invalid escape sequence '\\x'"],
    ['an unterminated string', '{"a": "xyz', 1, 7, 'unterminated string'],
    ['a leading zero', '{"a": 01}', 1, 8, "expected ',' or '}'"],
    ['text after the document', '{} {}', 1, 4, 'after the end of the JSON document'],
    ['a second byte order mark', '\ufeff\ufeff{}', 1, 1, 'unexpected "\ufeff"'],
  ])('reports %s with its line and column', (_, text, line, column, words) => {
    const findings = FlowJsonValidator.validateText(text);
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f).toMatchObject({ severity: FindingSeverity.ERROR, code: 'INVALID_FLOW_JSON', path: '', line, column });
    expect(f.message).toContain(`line ${line}, column ${column}`);
    expect(f.message).toContain(words);
  });

  test('points each finding at its key in the text', () => {
    const text = read('bad-unknown-component.json');
    const findings = FlowJsonValidator.validateText(text);
    const lines = text.split('\n');
    for (const f of findings) {
      const key = f.path.split('.').pop()!.replace(/\[\d+\]$/, '');
      expect(lines[f.line! - 1].slice(f.column! - 1)).toMatch(new RegExp(`^"${key}"`));
    }
  });

  test('locates a missing property at its enclosing object', () => {
    const text = '{\n  "version": "7.3",\n  "screens": [\n    { "id": "A", "terminal": true }\n  ]\n}';
    const missing = FlowJsonValidator.validateText(text).find((f) => f.path === 'screens[0].layout')!;
    expect(missing).toMatchObject({ code: 'MISSING_REQUIRED_PROPERTY', line: 4, column: 5 });
  });
});

describe('formatting a finding', () => {
  test('writes file:line:column severity code path: message (value) — fix', () => {
    const [f] = FlowJsonValidator.validateText(read('bad-undeclared-reference.json')).slice(0, 1);
    expect(FlowJsonValidator.formatFinding(f, 'flows/order.json')).toBe(
      'flows/order.json:14:33 error INVALID_SCREEN_DYNAMIC_DATA screens[0].layout.children[1].text: ${data.price}: "price" is not declared in the data of screen "ORDER" ("${data.price}") — declare it in screens[0].data, e.g. "price": { "type": "string", "__example__": "…" }',
    );
  });

  test('names the document for an empty path and leaves out what is unknown', () => {
    const f: FlowJsonFinding = { severity: FindingSeverity.WARNING, code: 'X', path: '', message: 'm', fix: 'f' };
    expect(FlowJsonValidator.formatFinding(f)).toBe('warning X (document): m — f');
  });

  test('renders long values short', () => {
    const [f] = FlowJsonValidator.validateObject(single([{ type: 'TextHeading', text: 'x'.repeat(500) }]));
    expect(f.value!.length).toBeLessThanOrEqual(80);
    expect(f.value!.endsWith('…')).toBe(true);
  });

  test('writes messages in lower case without a final period', () => {
    const all = fs.readdirSync(FIXTURES).flatMap((n) => FlowJsonValidator.validateText(read(n)));
    for (const f of all) {
      expect(f.message[0]).toBe(f.message[0].toLowerCase());
      expect(f.message.endsWith('.')).toBe(false);
      expect(f.fix.includes('\n')).toBe(false);
    }
  });
});
