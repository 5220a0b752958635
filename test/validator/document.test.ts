import { FindingSeverity, FlowJsonValidator } from '../../lib/validator';
import { COMPLETE_FOOTER, codes, expectCodes, flow, footerTo, screen, single, validate, withCode } from './helpers';

const TEXT = { type: 'TextBody', text: 'Hello' };

describe('document level (rules §1)', () => {
  test('accepts a minimal static flow with no finding', () => {
    expect(validate(single([TEXT]))).toEqual([]);
  });

  test.each([
    ['an unknown top-level key (D3)', { ...single([TEXT]), title: 'x' }, ['INVALID_PROPERTY_KEY']],
    ['a missing version (D4)', { screens: [screen([TEXT])] }, ['MISSING_FLOW_JSON_VERSION']],
    ['a number as version (D4)', single([TEXT], 7.3 as unknown as string), ['INVALID_FLOW_JSON_VERSION']],
    ['a version without minor (D4)', single([TEXT], '7'), ['INVALID_FLOW_JSON_VERSION']],
    ['a version Meta never released (D4)', single([TEXT], '4.5'), ['UNSUPPORTED_FLOW_JSON_VERSION']],
    ['no screens (D6)', { version: '7.3' }, ['MISSING_REQUIRED_PROPERTY']],
    ['screens that are not an array (D6)', { version: '7.3', screens: {} }, ['INVALID_PROPERTY_TYPE']],
    ['an empty screens array (D6)', { version: '7.3', screens: [] }, ['MIN_ITEMS_REQUIRED']],
    ['data_api_version other than 3.0 (D7)', { ...single([TEXT]), data_api_version: '2.0', routing_model: { MAIN: [] } }, ['NO_SUPPORTED_DATA_API_VERSION']],
    ['data_api_version without routing_model (D7)', { ...single([TEXT]), data_api_version: '3.0' }, ['MISSING_REQUIRED_PROPERTY']],
    ['data_channel_uri from version 3.0 (D8)', { ...single([TEXT], '3.0'), data_channel_uri: 'https://example.com' }, ['INVALID_PROPERTY_KEY']],
  ])('fails on %s', (_, doc, errors) => {
    expect(codes(doc).errors).toEqual(errors);
  });

  test('accepts every allowed top-level key, data_channel_uri before 3.0 included (D3, D8)', () => {
    const doc = { ...single([TEXT], '2.1'), data_api_version: '3.0', routing_model: { MAIN: [] }, data_channel_uri: 'https://example.com/flow' };
    expectCodes(doc, { warnings: ['AWS_UNSUPPORTED_VERSION', 'AWS_ENDPOINT_FLOW'] });
  });

  test('fails on more than 100 screens, and accepts 100 (D6)', () => {
    const chain = (n: number) => flow('7.3', Array.from({ length: n }, (_, i) => i === n - 1
      ? screen([TEXT], { id: `S_${letters(i)}` })
      : screen([footerTo(`S_${letters(i + 1)}`)], { id: `S_${letters(i)}`, terminal: false })));
    expect(codes(chain(101)).errors).toEqual(['MAX_SCREENS_NUMBER']);
    expectCodes(chain(100), {});
  });

  test('compares versions component-wise: 7.10 is newer than 7.3, so only a warning', () => {
    expectCodes(single([TEXT], '7.10'), { warnings: ['UNKNOWN_FLOW_JSON_VERSION', 'AWS_UNSUPPORTED_VERSION'] });
    expectCodes(single([TEXT], '8.0'), { warnings: ['UNKNOWN_FLOW_JSON_VERSION', 'AWS_UNSUPPORTED_VERSION'] });
  });

  test('fails on a document over 10 MiB (D2)', () => {
    const big = JSON.stringify(single([{ type: 'Image', src: 'A'.repeat(10_485_760) }]));
    expect(FlowJsonValidator.validateText(big).map((f) => f.code)).toContain('FLOW_JSON_TOO_LARGE');
    expect(withCode(JSON.parse(big), 'FLOW_JSON_TOO_LARGE')).toHaveLength(1);
  });
});

describe('AWS publishing (rules D5, D9, as amended by the issue)', () => {
  test.each(['2.1', '3.0', '3.1', '4.0', '5.0'])('warns on version %s for a draft and fails on it for publishing', (version) => {
    expectCodes(single([TEXT], version), { warnings: ['AWS_UNSUPPORTED_VERSION'] });
    expectCodes(single([TEXT], version), { errors: ['AWS_UNSUPPORTED_VERSION'] }, { publish: true });
  });

  test.each(['5.1', '6.0', '6.1', '6.2', '6.3', '7.0', '7.1', '7.2', '7.3'])('publishes version %s without a finding', (version) => {
    expectCodes(single([TEXT], version), {}, { publish: true });
  });

  test('reports each endpoint feature: a warning for a draft, an error for publishing', () => {
    const doc = {
      version: '7.3',
      data_api_version: '3.0',
      routing_model: { FIRST: ['LAST'], LAST: [] },
      screens: [
        screen([{ 'type': 'Footer', 'label': 'Go', 'on-click-action': { name: 'data_exchange', payload: {} } }], { id: 'FIRST', terminal: false, extra: { refresh_on_back: true } }),
        screen([TEXT], { id: 'LAST' }),
      ],
    };
    const draft = validate(doc).filter((f) => f.code === 'AWS_ENDPOINT_FLOW');
    expect(draft.map((f) => [f.severity, f.path])).toEqual([
      [FindingSeverity.WARNING, 'data_api_version'],
      [FindingSeverity.WARNING, 'screens[0].refresh_on_back'],
      [FindingSeverity.WARNING, 'screens[0].layout.children[0].on-click-action.name'],
    ]);
    expectCodes(doc, { warnings: ['AWS_ENDPOINT_FLOW'] });
    expectCodes(doc, { errors: ['AWS_ENDPOINT_FLOW'] }, { publish: true });
  });
});

describe('screens (rules §2)', () => {
  test.each([
    ['a screen that is a string', flow('7.3', ['MAIN', screen([TEXT], { id: 'OTHER' })]), ['INVALID_PROPERTY_TYPE']],
    ['a missing id (S1)', flow('7.3', [{ terminal: true, layout: { type: 'SingleColumnLayout', children: [COMPLETE_FOOTER] } }]), ['MISSING_REQUIRED_PROPERTY']],
    ['an empty id (S1)', single([TEXT], '7.3', { id: '' }), ['MIN_CHARS_REQUIRED']],
    ['a numeric id (S1)', single([TEXT], '7.3', { id: 7 as unknown as string }), ['INVALID_PROPERTY_TYPE']],
    ['a duplicate id (S2)', flow('7.3', [screen([TEXT]), screen([TEXT])]), ['DUPLICATE_SCREEN_IDS']],
    ['an id with a hyphen (S3)', single([TEXT], '7.3', { id: 'MAIN-SCREEN' }), ['PATTERN_MISMATCH']],
    ['the reserved id SUCCESS in any case (S4)', single([TEXT], '7.3', { id: 'Success' }), ['SCREEN_ID_IS_RESERVED_KEYWORD']],
    // One finding per mistake: a screen without a layout has no Footer either, which follows from it and is not reported again.
    ['a missing layout (S5)', flow('7.3', [{ id: 'MAIN', terminal: true }]), ['MISSING_REQUIRED_PROPERTY']],
    ['another layout type (S5)', single([TEXT], '7.3', { extra: { layout: { type: 'TwoColumnLayout', children: [COMPLETE_FOOTER] } } }), ['INVALID_PROPERTY_VALUE']],
    // As for a missing layout: the Footer may be among the children that could not be read.
    ['children that are an object (S5)', single([TEXT], '7.3', { extra: { layout: { type: 'SingleColumnLayout', children: {} } } }),
      ['INVALID_PROPERTY_TYPE']],
    ['an unknown screen property', single([TEXT], '7.3', { extra: { footer: true } }), ['INVALID_PROPERTY_KEY']],
    ['no terminal screen (S6)', flow('7.3', [screen([COMPLETE_FOOTER], { terminal: false })]), ['INVALID_COMPLETE_ACTION', 'INVALID_ROUTING_MODEL', 'MISSING_TERMINAL_SCREEN']],
    ['a terminal screen without Footer (S7)', single([TEXT], '7.3', { noFooter: true }), ['MISSING_FOOTER_ON_TERMINAL_SCREEN']],
    ['success on a non-terminal screen (S8)', flow('7.3', [screen([footerTo('END')], { id: 'START', terminal: false, extra: { success: true } }), screen([TEXT], { id: 'END' })]),
      ['NOT_KEYWORD_SCHEMA_VALIDATION_FAILED']],
    ['no terminal screen that succeeds (S8)', single([TEXT], '7.3', { extra: { success: false } }), ['INVALID_PROPERTY_VALUE']],
    ['refresh_on_back without an endpoint (S9)', single([TEXT], '7.3', { extra: { refresh_on_back: true } }), ['INVALID_PROPERTY_VALUE']],
    ['sensitive before 5.1 (S10)', single([TEXT], '5.0', { extra: { sensitive: ['x'] } }), ['REQUIRES_NEWER_VERSION']],
    ['sensitive that is not a list of names (S10)', single([TEXT], '5.1', { extra: { sensitive: 'x' } }), ['INVALID_PROPERTY_TYPE']],
    ['a title that is not a string (S11)', single([TEXT], '7.3', { extra: { title: 5 } }), ['INVALID_PROPERTY_TYPE']],
  ])('fails on %s', (_, doc, errors) => {
    expect(codes(doc).errors).toEqual(errors);
  });

  test('warns on digits in a screen id, which Meta documents as letters and underscores only (S3, UNCONFIRMED)', () => {
    expectCodes(single([TEXT], '7.3', { id: 'STEP_2' }), { warnings: ['SCREEN_ID_WITH_DIGITS'] });
  });

  test('accepts success, sensitive and a dynamic title where they are allowed (S8, S10, S11)', () => {
    const doc = single([TEXT], '5.1', { data: { who: { type: 'string', __example__: 'Ann' } }, extra: { success: true, sensitive: ['name'], title: '${data.who}' } });
    expectCodes(doc, {}, { publish: true });
  });
});

describe('screen data (rules §2.1)', () => {
  const withData = (data: unknown) => single([TEXT], '7.3', { extra: { data } });
  test.each([
    ['data that is an array', []],
    ['a field that is a string', { a: 'string' }],
    ['a field without type', { a: { __example__: 'x' } }],
    ['an unknown type', { a: { type: 'date', __example__: 'x' } }],
    ['a missing __example__', { a: { type: 'string' } }],
    ['an __example__ of another type', { a: { type: 'number', __example__: '5' } }],
    ['array items of another type', { a: { type: 'array', items: { type: 'string' }, __example__: [1] } }],
    ['an __example__ below the top level', { a: { type: 'object', properties: { b: { type: 'string', __example__: 'x' } }, __example__: { b: 'x' } } }],
    ['an array without items', { a: { type: 'array', __example__: [] } }],
    ['properties that are not an object', { a: { type: 'object', properties: [], __example__: {} } }],
  ])('fails on %s', (_, data) => {
    expect(codes(withData(data)).errors).toEqual(['INVALID_SCREEN_DATA']);
  });

  test('accepts every type with a matching example, nested objects and arrays', () => {
    expectCodes(withData({
      s: { type: 'string', __example__: 'x' },
      n: { type: 'number', __example__: 1.5 },
      b: { type: 'boolean', __example__: false },
      o: { type: 'object', properties: { p: { type: 'string' } }, __example__: { p: 'x' } },
      a: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' } } }, __example__: [{ id: '1', title: 'One' }] },
    }), {});
  });

  test('warns on the integer type, which the rules leave UNCONFIRMED', () => {
    expectCodes(withData({ i: { type: 'integer', __example__: 3 } }), { warnings: ['UNCONFIRMED_DATA_TYPE'] });
  });
});

function letters(i: number): string {
  let s = '';
  do {
    s = String.fromCharCode(65 + (i % 26)) + s;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return s;
}
