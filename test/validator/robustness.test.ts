import * as fs from 'fs';
import { FindingSeverity, FlowJsonFinding, FlowJsonValidator } from '../../lib/validator';
import { corpusFile, corpusFileNames, corpusTest, NamedDocument, ownDocuments } from '../support/documents';
import { COMPLETE_FOOTER, screen, single } from './helpers';


function expectSaneFindings(findings: FlowJsonFinding[]): void {
  for (const f of findings) {
    expect(typeof f.code).toBe('string');
    expect(typeof f.path).toBe('string');
    expect(f.message[0]).toBe(f.message[0].toLowerCase());
    expect(f.message.endsWith('.')).toBe(false);
    if (f.value !== undefined) expect(f.value.length).toBeLessThanOrEqual(80);
  }
}

/** Both entry points, on the object and on its text; neither may throw, and both must find an error. */
function expectErrorsWithoutThrowing(doc: unknown): FlowJsonFinding[] {
  const fromObject = FlowJsonValidator.validateObject(doc);
  expectSaneFindings(fromObject);
  expect(fromObject.some((f) => f.severity === FindingSeverity.ERROR)).toBe(true);
  if (doc !== undefined) {
    const fromText = FlowJsonValidator.validateText(JSON.stringify(doc));
    expect(fromText.map((f) => f.code)).toEqual(fromObject.map((f) => f.code));
  }
  return fromObject;
}

describe('malformed documents: wrong types at every level produce findings, never an exception', () => {
  const comp = (c: unknown) => single([c]);
  const action = (a: unknown) => single([{ 'type': 'EmbeddedLink', 'text': 'x', 'on-click-action': a }]);
  test.each([
    ['null', null],
    ['undefined', undefined],
    ['a number', 5],
    ['a string', 'flow'],
    ['an array', []],
    ['null members', { version: null, screens: null, routing_model: null, data_api_version: null, data_channel_uri: null }],
    ['screens of every type', { version: '7.3', screens: [null, 5, 'x', [], true, {}] }],
    ['screen members of every wrong type', { version: '7.3', screens: [{ id: null, terminal: null, success: 'no', title: [], data: 5, layout: 'x', refresh_on_back: 1, sensitive: {} }] }],
    ['a layout of wrong types', { version: '7.3', screens: [{ id: 'A', terminal: true, layout: { type: null, children: null } }] }],
    ['children of every type', comp(null)],
    ['a component that is an array', comp([])],
    ['a component without type', comp({ text: 'x' })],
    ['a component whose type is an object', comp({ type: {} })],
    ['a component with null properties', comp({ 'type': 'TextInput', 'name': null, 'label': null, 'required': null, 'init-value': null })],
    ['a Form whose children are an object', comp({ type: 'Form', name: 'f', children: {} })],
    ['an If whose branches are not lists', comp({ type: 'If', condition: 5, then: {}, else: 'x' })],
    ['a Switch whose cases are a list', comp({ type: 'Switch', value: null, cases: [] })],
    ['a Switch case that is not a list', comp({ type: 'Switch', value: '${data.x}', cases: { a: 5 } })],
    ['options of wrong types', comp({ 'type': 'RadioButtonsGroup', 'name': 'r', 'label': 'R', 'data-source': [null, 5, [], { id: 5, title: null }] })],
    ['a data-source that is an object', comp({ 'type': 'Dropdown', 'name': 'd', 'label': 'D', 'data-source': {} })],
    ['list items of wrong types', comp({ 'type': 'NavigationList', 'name': 'n', 'list-items': [null, { 'main-content': 5, 'start': [], 'end': 'x', 'tags': 'x' }] })],
    ['carousel images of wrong types', comp({ type: 'ImageCarousel', images: [null, 'x', { src: 5 }] })],
    ['an action that is a string', action('navigate')],
    ['an action without name', action({ payload: {} })],
    ['an action whose name is a number', action({ name: 5 })],
    ['a navigate whose next is a string', action({ name: 'navigate', next: 'A' })],
    ['a navigate whose next name is null', action({ name: 'navigate', next: { type: null, name: null }, payload: [] })],
    ['a payload that is a list', action({ name: 'data_exchange', payload: [1, 2] })],
    ['screen data of wrong types', single([], '7.3', { data: { a: null, b: [], c: { type: 5, items: 'x', properties: 5 } } })],
    ['a routing model of wrong types', { ...single([]), routing_model: { MAIN: 'x', OTHER: [null, 5] } }],
  ])('for %s', (_, doc) => {
    expectErrorsWithoutThrowing(doc);
  });

  test("for random junk spliced into every one of the project's own documents", () => {
    spliceJunkInto(ownDocuments());
  });

  corpusTest('for random junk spliced into every document of the third-party corpus', () => {
    spliceJunkInto(corpusFileNames().map((name) => ({ name, text: fs.readFileSync(corpusFile(name), 'utf8') })));
  });
});

/** Replaces three members of each document with junk, 30 times over; every result must be findings, never an exception. */
function spliceJunkInto(documents: NamedDocument[]): void {
  // A deterministic generator, so that a failure can be reproduced.
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const junk = [null, 0, -1, 1.5, '', ' ', 'x', '${data.x}', '${form.', [], [null], {}, { type: 'If' }, true, { name: 'navigate' }];
  const small = documents.filter((d) => d.text.length < 200_000);
  expect(small.length).toBeGreaterThan(0);
  for (const { text } of small) {
    const original = JSON.parse(text);
    for (let round = 0; round < 30; round++) {
      const doc = structuredClone(original);
      // Collect the containers, then replace a few members with junk.
      const slots: Array<[Record<string, unknown> | unknown[], string | number]> = [];
      const stack: unknown[] = [doc];
      while (stack.length > 0) {
        const v = stack.pop();
        if (Array.isArray(v)) v.forEach((e, i) => { slots.push([v, i]); stack.push(e); });
        else if (v && typeof v === 'object') for (const [k, e] of Object.entries(v)) { slots.push([v as Record<string, unknown>, k]); stack.push(e); }
      }
      for (let n = 0; n < 3; n++) {
        const [container, key] = slots[Math.floor(random() * slots.length)];
        (container as Record<string | number, unknown>)[key] = structuredClone(junk[Math.floor(random() * junk.length)]);
      }
      expectSaneFindings(FlowJsonValidator.validateObject(doc));
      expectSaneFindings(FlowJsonValidator.validateText(JSON.stringify(doc)));
    }
  }
}

describe('cyclic objects given to validateObject', () => {
  test('are walked without hanging or throwing', () => {
    const link: Record<string, unknown> = { 'type': 'EmbeddedLink', 'text': 'x' };
    link['on-click-action'] = { name: 'data_exchange', payload: { self: link } };
    const iff: Record<string, unknown> = { type: 'If', condition: '${data.on}' };
    iff.then = [iff];
    const schema: Record<string, unknown> = { type: 'array', __example__: [] };
    schema.items = schema;
    const doc = single([link, iff], '7.3', { data: { on: { type: 'boolean', __example__: true }, list: schema } });
    const findings = FlowJsonValidator.validateObject(doc);
    expectSaneFindings(findings);
    expect(findings.length).toBeGreaterThan(0);
  });

  test('visit a component shared by two places at both', () => {
    const shared = { type: 'TextHeading', text: 'x'.repeat(81) };
    const findings = FlowJsonValidator.validateObject(single([shared, shared]));
    expect(findings.map((f) => f.path)).toEqual(['screens[0].layout.children[0].text', 'screens[0].layout.children[1].text']);
  });
});

describe('deep nesting does not overflow the stack', () => {
  // The texts are built by hand: JSON.stringify itself recurses and would overflow first.
  const DEPTH = 10_000;
  const nested = (open: string, inner: string, close: string) => open.repeat(DEPTH) + inner + close.repeat(DEPTH);
  const oneScreen = (children: string, data = '{}') =>
    `{"version":"7.3","screens":[{"id":"MAIN","terminal":true,"data":${data},"layout":{"type":"SingleColumnLayout","children":[${children}]}}]}`;
  const footer = (payload: string) => `{"type":"Footer","label":"Done","on-click-action":{"name":"complete","payload":${payload}}}`;
  const both = (text: string) => {
    const fromText = FlowJsonValidator.validateText(text);
    expect(FlowJsonValidator.validateObject(JSON.parse(text)).map((f) => f.code)).toEqual(fromText.map((f) => f.code));
    return fromText;
  };

  test('10,000 nested arrays as a component, as a payload value and as a whole document', () => {
    expect(both(oneScreen(`${nested('[', '1', ']')},${footer('{}')}`)).map((f) => f.code)).toEqual(['INVALID_PROPERTY_TYPE']);

    const deepPayload = both(oneScreen(footer(`{"deep":${nested('[', '"${data.nope}"', ']')}}`)));
    expect(deepPayload.map((f) => f.code)).toEqual(['INVALID_SCREEN_DYNAMIC_DATA']);
    expect(deepPayload[0].path.endsWith('.payload.deep' + '[0]'.repeat(DEPTH))).toBe(true);

    expect(both(nested('[', 'null', ']')).map((f) => f.code)).toEqual(['INVALID_PROPERTY_TYPE']);
    expect(FlowJsonValidator.validateText('['.repeat(DEPTH)).map((f) => f.code)).toEqual(['INVALID_FLOW_JSON']);
  });

  test('10,000 nested If components are reported once for their nesting', () => {
    const ifs = nested('{"type":"If","condition":"${data.on}","then":[', '{"type":"TextBody","text":"deep"}', ']}');
    const findings = both(oneScreen(`${ifs},${footer('{}')}`, '{"on":{"type":"boolean","__example__":true}}'));
    expect(findings.map((f) => f.code)).toEqual(['MAX_IF_NESTING_EXCEEDED']);
    expect(findings[0].path).toBe('screens[0].layout.children[0].then[0].then[0].then[0].type');
  });

  test('10,000 nested data schemas', () => {
    const schema = nested('{"type":"object","properties":{"p":', '{"type":"string"}', '}}');
    expect(both(oneScreen(footer('{}'), `{"deep":{"type":"object","__example__":{},"properties":{"p":${schema}}}}`))).toEqual([]);
  });
});

describe('a 10 MB document, mostly base64 images', () => {
  test('validates with the findings it should have', () => {
    // 31 screens of 3 images of ~80 KB each: about 10 MB of text, every image under 300 KB.
    const image = { 'type': 'Image', 'src': 'QUJD'.repeat(27_500), 'scale-type': 'cover' };
    const screens = Array.from({ length: 31 }, (_, i) => {
      const id = `S_${String.fromCharCode(65 + (i % 26))}${i >= 26 ? 'X' : ''}`;
      const next = i < 30 ? `S_${String.fromCharCode(65 + ((i + 1) % 26))}${i + 1 >= 26 ? 'X' : ''}` : undefined;
      return next
        ? screen([image, image, image, { 'type': 'Footer', 'label': 'Next', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: next }, payload: {} } }], { id, terminal: false })
        : screen([image, image, image], { id });
    });
    const text = JSON.stringify({ version: '7.3', screens }, undefined, 1);
    expect(text.length).toBeGreaterThan(10_000_000);
    expect(text.length).toBeLessThan(10_485_760);
    expect(FlowJsonValidator.validateText(text)).toEqual([]);

    // One more image pushes it past the AWS limit; the report says so, once.
    (screens[0].layout as { children: unknown[] }).children.unshift({ type: 'Image', src: 'QUJD'.repeat(200_000) });
    const over = FlowJsonValidator.validateText(JSON.stringify({ version: '7.3', screens }, undefined, 1));
    expect(over.map((f) => f.code)).toEqual(['FLOW_JSON_TOO_LARGE', 'IMAGE_LARGER_THAN_RECOMMENDED', 'MAX_IMAGE_PER_SCREEN']);
  }, 10_000);
});

describe('a document that repeats one mistake many times', () => {
  test('keeps the first 1000 findings and says how many more there were', () => {
    // Ten texts, each with 150 undeclared references: 1,500 findings and more.
    const texts = Array.from({ length: 10 }, () => ({ type: 'TextBody', text: `x ${'${data.nope}'.repeat(150)}` }));
    const doc = single([...texts, COMPLETE_FOOTER], '7.3', { noFooter: true });
    const findings = FlowJsonValidator.validateObject(doc);
    expect(findings).toHaveLength(1001);
    expect(findings[1000]).toMatchObject({ code: 'TOO_MANY_FINDINGS', severity: FindingSeverity.ERROR });
    expect(findings[1000].message).toMatch(/^\d+ more findings \(\d+ of them errors\) were left out after the first 1000$/);
  });
});
