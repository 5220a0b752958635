/**
 * Misspelt names (issue 12): a component type, property, action or enum value that is valid
 * nowhere but lies within one edit (names up to 5 characters) or two (longer names), ignoring case,
 * of a known name is an error in every version, naming the name meant; a name far from every known
 * one stays a warning where the catalogue is UNCONFIRMED (7.x) and an error where it is confirmed.
 */
import { FindingSeverity } from '../../lib/validator';
import { editDistance, nearMiss } from '../../lib/validator/private/names';
import { COMPLETE_FOOTER, expectCodes, flow, footerTo, options, screen, single, textInput, validate } from './helpers';

const TEXT = { type: 'TextBody', text: 'Hello' };

/** The one finding of a document, which must have exactly one. */
function only(doc: unknown) {
  const findings = validate(doc);
  expect(findings.map((f) => `${f.severity} ${f.code} ${f.path}`)).toHaveLength(1);
  return findings[0];
}

describe('a misspelt component type', () => {
  test.each(['6.0', '7.3'])('is an error in version %s that names the type meant, and the component is checked as that type', (version) => {
    const f = only(single([{ type: 'TextHeadng', text: 'Welcome' }], version));
    expect(f).toMatchObject({
      severity: FindingSeverity.ERROR,
      code: 'UNKNOWN_COMPONENT',
      path: 'screens[0].layout.children[0].type',
      value: '"TextHeadng"',
      message: 'there is no component type "TextHeadng"; did you mean "TextHeading"?',
      fix: 'write "type": "TextHeading"',
    });
    // Checked as a TextHeading: its text limit applies.
    expectCodes(single([{ type: 'TextHeadng', text: 'x'.repeat(81) }], version), { errors: ['MAX_CHARS_EXCEEDED', 'UNKNOWN_COMPONENT'] });
  });

  test.each([
    ['a wrong case', { type: 'textbody', text: 'Hello' }, 'TextBody'],
    ['two swapped letters', { type: 'TetxBody', text: 'Hello' }, 'TextBody'],
    ['two edits of a long name', { type: 'TxtBdy', text: 'Hello' }, 'TextBody'],
    ['one edit of a short name', { type: 'Imag', src: 'AAAA' }, 'Image'],
  ])('is recognised with %s', (_, comp, meant) => {
    expect(only(single([comp])).message).toContain(`did you mean "${meant}"?`);
  });

  test('is not looked for in a name far from every known type: a warning from 7.0, an error before', () => {
    expectCodes(single([{ type: 'TextParagraph', text: 'Hello' }], '7.3'), { warnings: ['UNCONFIRMED_COMPONENT'] });
    expectCodes(single([{ type: 'TextParagraph', text: 'Hello' }], '6.3'), { errors: ['UNKNOWN_COMPONENT'] });
  });

  test('of a Footer still ends the terminal screen, so it is the only finding', () => {
    const doc = single([TEXT, { 'type': 'Fotter', 'label': 'Done', 'on-click-action': { name: 'complete', payload: {} } }], '7.3', { noFooter: true });
    expect(only(doc).message).toContain('did you mean "Footer"?');
  });

  test('of a Form still holds its inputs, which references can read', () => {
    const doc = single([{ type: 'From', name: 'f', children: [textInput('email'),
      { 'type': 'Footer', 'label': 'Send', 'on-click-action': { name: 'complete', payload: { email: '${form.email}' } } }] }], '7.3', { noFooter: true });
    expect(only(doc).message).toContain('did you mean "Form"?');
  });
});

describe('a misspelt property', () => {
  test.each(['6.0', '7.3'])('is an error in version %s that names the property meant', (version) => {
    const f = only(single([textInput('n', { requird: true })], version));
    expect(f).toMatchObject({
      severity: FindingSeverity.ERROR,
      code: 'INVALID_PROPERTY_KEY',
      path: 'screens[0].layout.children[0].requird',
      message: 'unknown property "requird" on TextInput; did you mean "required"?',
      fix: 'rename it "required"',
    });
  });

  test('of a required property is the only finding: the property is not also reported missing', () => {
    const f = only(single([{ type: 'TextInput', name: 'n', lable: 'Your name' }]));
    expect(f.message).toBe('unknown property "lable" on TextInput; did you mean "label"?');
  });

  test('is checked as the property meant: its value is still checked', () => {
    expectCodes(single([{ type: 'TextInput', name: 'n', lable: 'x'.repeat(21) }]), { errors: ['INVALID_PROPERTY_KEY', 'MAX_CHARS_EXCEEDED'] });
  });

  test('of a property another component takes names it, and says this component does not take it either', () => {
    const f = only(single([{ ...TEXT, lable: 'x' }]));
    expect(f.message).toBe('unknown property "lable" on TextBody; did you mean "label"?');
    expect(f.fix).toMatch(/^remove it: TextBody does not take "label" either; it accepts text, font-weight/);
  });

  test('is not a name that is valid elsewhere: that stays the finding it was (a warning from 7.0)', () => {
    expectCodes(single([{ ...TEXT, label: 'x' }], '7.3'), { warnings: ['UNCONFIRMED_PROPERTY_KEY'] });
    expectCodes(single([{ ...TEXT, label: 'x' }], '6.3'), { errors: ['INVALID_PROPERTY_KEY'] });
  });

  test('of an option, a NavigationList item or an action is recognised the same way', () => {
    const radio = { 'type': 'RadioButtonsGroup', 'name': 'r', 'label': 'Pick', 'data-source': [{ id: 'a', tilte: 'A' }, { id: 'b', title: 'B' }] };
    expect(only(single([radio])).message).toBe('unknown property "tilte" on a RadioButtonsGroup option; did you mean "title"?');
    const nav = { 'type': 'NavigationList', 'name': 'menu', 'list-items': [{ 'id': 'a', 'main-contnet': { title: 'A' } }],
      'on-click-action': { name: 'navigate', next: { type: 'screen', name: 'END' }, payload: {} } };
    expect(only(flow('7.3', [screen([nav], { id: 'MENU', terminal: false }), screen([TEXT], { id: 'END' })])).message)
      .toBe('unknown property "main-contnet" on a NavigationList item; did you mean "main-content"?');
    const link = { 'type': 'EmbeddedLink', 'text': 'More', 'on-click-action': { name: 'open_url', ulr: 'https://example.com' } };
    expect(only(single([link])).message).toBe('unknown property "ulr" on the open_url action; did you mean "url"?');
  });

  test('of a screen, the layout or the document is recognised too, and the screen is read as meant', () => {
    const termnal = { id: 'MAIN', termnal: true, layout: { type: 'SingleColumnLayout', children: [TEXT, COMPLETE_FOOTER] } };
    expect(only(flow('7.3', [termnal])).message).toBe('unknown property "termnal" on a screen; did you mean "terminal"?');
    const layuot = { id: 'MAIN', terminal: true, layuot: { type: 'SingleColumnLayout', children: [TEXT, COMPLETE_FOOTER] } };
    expect(only(flow('7.3', [layuot])).path).toBe('screens[0].layuot');
    const chidren = { id: 'MAIN', terminal: true, layout: { type: 'SingleColumnLayout', chidren: [TEXT, COMPLETE_FOOTER] } };
    expect(only(flow('7.3', [chidren])).message).toBe('unknown property "chidren" on the layout; did you mean "children"?');
    expect(only({ version: '7.3', screns: [screen([TEXT])] }).message).toBe('unknown property "screns" on the document; did you mean "screens"?');
  });
});

describe('a misspelt action name', () => {
  test('is an error that names the action meant, and the action is checked as that action', () => {
    const doc = flow('7.3', [
      screen([{ 'type': 'Footer', 'label': 'Next', 'on-click-action': { name: 'navigat', next: { type: 'screen', name: 'END' }, payload: {} } }], { id: 'START', terminal: false }),
      screen([TEXT], { id: 'END' }),
    ]);
    // No routing finding: the navigate is followed to END.
    expect(only(doc)).toMatchObject({
      code: 'INVALID_ENUM_VALUE',
      path: 'screens[0].layout.children[0].on-click-action.name',
      message: 'unknown action "navigat"; did you mean "navigate"?',
      fix: 'write "name": "navigate"',
    });
  });

  test('names the action even when this event does not take it, saying so', () => {
    const f = only(single([{ 'type': 'EmbeddedLink', 'text': 'More', 'on-click-action': { name: 'complet', payload: {} } }]));
    expect(f.message).toBe('unknown action "complet"; did you mean "complete"?');
    expect(f.fix).toBe('on-click-action of EmbeddedLink does not accept complete either: use one of navigate, data_exchange, open_url');
  });

  test('is an error in every version when it is far from every action, as before', () => {
    expectCodes(single([{ 'type': 'EmbeddedLink', 'text': 'More', 'on-click-action': { name: 'submit' } }], '7.3'), { errors: ['INVALID_ENUM_VALUE'] });
  });
});

describe('a misspelt enum value', () => {
  const data = { on: { type: 'boolean', __example__: true } };
  test.each([
    ['font-weight', { ...TEXT, 'font-weight': 'bld' }, 'bold'],
    ['input-type', textInput('n', { 'input-type': 'emial' }), 'email'],
    ['input-type in another case', textInput('n', { 'input-type': 'Email' }), 'email'],
    ['scale-type', { 'type': 'Image', 'src': 'AAAA', 'scale-type': 'covr' }, 'cover'],
    ['media-size', { 'type': 'RadioButtonsGroup', 'name': 'r', 'label': 'R', 'data-source': options(2), 'media-size': 'lage' }, 'large'],
    ['photo-source', { 'type': 'PhotoPicker', 'name': 'p', 'label': 'P', 'photo-source': 'camra' }, 'camera'],
    ['mode', { type: 'CalendarPicker', name: 'c', label: 'When', mode: 'rnage' }, 'range'],
    ['include-days', { 'type': 'CalendarPicker', 'name': 'c', 'label': 'When', 'include-days': ['Mon', 'Tus'] }, 'Tue'],
    ['aspect-ratio', { 'type': 'ImageCarousel', 'images': [{ 'src': 'AAAA', 'alt-text': 'a' }], 'aspect-ratio': '16:09' }, '16:9'],
    ['next.type', { 'type': 'EmbeddedLink', 'text': 'T', 'on-click-action': { name: 'navigate', next: { type: 'sreen', name: 'MAIN' }, payload: {} } }, 'screen'],
  ])('of %s is an error that names the value meant', (_, comp, meant) => {
    const doc = _ === 'next.type'
      ? flow('7.3', [screen([{ ...comp, 'on-click-action': { ...(comp as { 'on-click-action': object })['on-click-action'], next: { type: 'sreen', name: 'END' } } }], { id: 'MAIN', terminal: false }), screen([TEXT], { id: 'END' })])
      : single([comp], '7.3', { data });
    const f = only(doc);
    expect(f.code).toBe('INVALID_ENUM_VALUE');
    expect(f.message).toContain(`did you mean "${meant}"?`);
  });

  test('of the layout type and of a data type names the value meant', () => {
    expect(only(single([TEXT], '7.3', { extra: { layout: { type: 'SingleColumLayout', children: [TEXT, COMPLETE_FOOTER] } } })).message)
      .toContain('did you mean "SingleColumnLayout"?');
    expect(only(single([TEXT], '7.3', { data: { n: { type: 'strng', __example__: 'x' } } })).fix).toBe('write "type": "string"');
  });
});

describe('misspelt names of the document itself', () => {
  test('a navigate to a misspelt screen id names the screen meant', () => {
    const doc = flow('7.3', [screen([footerTo('CONFIRN')], { id: 'START', terminal: false }), screen([TEXT], { id: 'CONFIRM' })]);
    expect(only(doc)).toMatchObject({ code: 'INVALID_NAVIGATE_ACTION_NEXT_SCREEN_NAME', fix: 'write "name": "CONFIRM"' });
  });

  test('a reference to a misspelt data field or input names the one meant', () => {
    const data = { price: { type: 'string', __example__: '5' } };
    expect(only(single([{ type: 'TextBody', text: '${data.pirce}' }], '7.3', { data })).fix).toBe('write ${data.price}');
    expect(only(single([textInput('email'), { type: 'TextBody', text: '${form.emial}' }])).fix).toBe('write ${form.email}');
  });
});

describe('the near-miss rule', () => {
  test('counts a swap of two neighbouring letters as one edit (Damerau-Levenshtein, optimal string alignment)', () => {
    expect(editDistance('TextBody', 'TetxBody')).toBe(1);
    expect(editDistance('ca', 'abc')).toBe(3); // optimal string alignment: no substring is edited twice
    expect(editDistance('navigate', 'navigate')).toBe(0);
  });

  test('allows one edit for names of up to 5 characters and two for longer ones', () => {
    expect(nearMiss('bld', [{ name: 'bold', tier: 0 }])?.name).toBe('bold');
    expect(nearMiss('bl', [{ name: 'bold', tier: 0 }])).toBeUndefined();
    expect(nearMiss('TxtBdy', [{ name: 'TextBody', tier: 0 }])?.distance).toBe(2);
  });

  test('prefers a name valid here, then the closer name, then the first in alphabetical order', () => {
    expect(nearMiss('labl', [{ name: 'label', tier: 2 }, { name: 'labels', tier: 0 }])?.name).toBe('labels');
    expect(nearMiss('helpertxt', [{ name: 'helper-text', tier: 0 }, { name: 'helpertext', tier: 0 }])?.name).toBe('helpertext');
    expect(nearMiss('abcde', [{ name: 'abcdf', tier: 0 }, { name: 'abcdd', tier: 0 }])?.name).toBe('abcdd');
  });
});
