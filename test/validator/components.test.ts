import { base64OfKb, codes, expectCodes, flow, options, screen, single, textInput, validate, withCode } from './helpers';

const TEXT = { type: 'TextBody', text: 'Hello' };
const form = (...children: unknown[]) => ({ type: 'Form', name: 'form', children });
const radio = (name: string, extra: Record<string, unknown> = {}) => ({ 'type': 'RadioButtonsGroup', name, 'label': 'Pick one', 'data-source': options(2), ...extra });

describe('the component catalogue (rules §4, C8)', () => {
  test('fails on an unknown component where the catalogue is confirmed, and only warns from 7.0', () => {
    expectCodes(single([{ type: 'Carousel' }], '6.3'), { errors: ['UNKNOWN_COMPONENT'] });
    expectCodes(single([{ type: 'Carousel' }], '7.3'), { warnings: ['UNCONFIRMED_COMPONENT'] });
  });

  test('fails on an unknown property before 7.0 and only warns from 7.0 (UNCONFIRMED deltas)', () => {
    expectCodes(single([{ ...TEXT, color: 'red' }], '6.3'), { errors: ['INVALID_PROPERTY_KEY'] });
    expectCodes(single([{ ...TEXT, color: 'red' }], '7.3'), { warnings: ['UNCONFIRMED_PROPERTY_KEY'] });
  });

  test('suggests the property a misspelt key meant', () => {
    const [f] = withCode(single([form(radio('r', { dataSource: options(2) }))], '6.3'), 'INVALID_PROPERTY_KEY');
    expect(f.fix).toContain('"data-source"');
  });

  test.each([
    ['CalendarPicker', '6.1', { type: 'CalendarPicker', name: 'when', label: 'When' }],
    ['ChipsSelector', '6.3', { 'type': 'ChipsSelector', 'name': 'c', 'label': 'Pick', 'data-source': options(2) }],
    ['ImageCarousel', '7.1', { type: 'ImageCarousel', images: [{ 'src': 'AAAA', 'alt-text': 'a' }] }],
    ['PhotoPicker', '4.0', { type: 'PhotoPicker', name: 'p', label: 'Photo' }],
    ['DocumentPicker', '4.0', { type: 'DocumentPicker', name: 'd', label: 'File' }],
    ['If', '4.0', { type: 'If', condition: '${data.on}', then: [TEXT] }],
    ['Switch', '4.0', { type: 'Switch', value: '${data.on}', cases: { a: [TEXT] } }],
  ])('gates %s on version %s', (type, since, comp) => {
    // NavigationList is gated in its own tests below: it must be alone on a non-terminal screen.
    const [major, minor] = since.split('.').map(Number);
    const before = minor > 0 ? `${major}.${minor - 1}` : { 4: '3.1', 7: '6.3' }[major]!;
    const data = { on: { type: 'boolean', __example__: true } };
    const doc = (v: string) => single([comp], v, { data });
    expect(codes(doc(before)).errors).toContain('REQUIRES_NEWER_VERSION');
    expect(withCode(doc(before), 'REQUIRES_NEWER_VERSION')[0].message).toContain(type);
    expect(codes(doc(since)).errors).toEqual([]);
  });

  test.each([
    ['markdown on TextBody', '5.1', { ...TEXT, markdown: true }],
    ['pattern on TextInput', '6.2', textInput('n', { 'pattern': '[a-z]+', 'helper-text': 'letters' })],
    ['media-size on RadioButtonsGroup', '5.0', radio('r', { 'media-size': 'large' })],
    ['description on RadioButtonsGroup', '4.0', radio('r', { description: 'why' })],
    ['an option image', '5.0', radio('r', { 'data-source': options(2, () => ({ 'image': 'AAAA', 'alt-text': 'x' })) })],
    ['on-unselect-action', '6.0', radio('r', { 'on-unselect-action': { name: 'update_data', payload: {} } })],
  ])('gates %s on version %s', (_, since, comp) => {
    const before = { '5.1': '5.0', '6.2': '6.1', '5.0': '4.0', '4.0': '3.1', '6.0': '5.1' }[since]!;
    expect(codes(single([form(comp)], before)).errors).toEqual(['REQUIRES_NEWER_VERSION']);
    expect(codes(single([form(comp)], since)).errors).toEqual([]);
  });

  test('gates init-value on 4.0, where it first exists (outside a Form)', () => {
    expect(codes(single([form(textInput('n', { 'init-value': 'x' }))], '3.1')).errors).toEqual(['REQUIRES_NEWER_VERSION']);
    expect(codes(single([textInput('n', { 'init-value': 'x' })], '4.0')).errors).toEqual([]);
  });

  test('requires label on CheckboxGroup and RadioButtonsGroup only from 4.0', () => {
    const unlabelled = { 'type': 'RadioButtonsGroup', 'name': 'r', 'data-source': options(2) };
    expect(codes(single([form(unlabelled)], '3.1')).errors).toEqual([]);
    expect(codes(single([form(unlabelled)], '4.0')).errors).toEqual(['MISSING_REQUIRED_PROPERTY']);
  });

  test.each([
    ['a missing required property', textInput('n', { label: undefined })],
    ['a property of the wrong type', { ...TEXT, visible: 'yes' }],
    ['a value outside the enum', textInput('n', { 'input-type': 'url' })],
    ['a heading over 80 characters', { type: 'TextHeading', text: 'x'.repeat(81) }],
    ['a TextInput label over 20 characters', textInput('n', { label: 'x'.repeat(21) })],
    ['a blank text (C9)', { type: 'TextBody', text: '  ' }],
    ['a blank helper-text from 6.0 (D10)', textInput('n', { 'helper-text': ' ' })],
    ['a dynamic name', textInput('${data.n}')],
  ])('fails on %s', (_, comp) => {
    const clean = JSON.parse(JSON.stringify(comp));
    expect(codes(single([clean], '7.3', { data: { n: { type: 'string', __example__: 'x' } } })).errors).toHaveLength(1);
  });

  test('accepts a blank helper-text before 6.0, where blanks are not rejected (D10)', () => {
    expect(codes(single([form(textInput('n', { 'helper-text': ' ' }))], '5.1')).errors).toEqual([]);
  });

  test('counts characters as code points, so emoji within the limit pass', () => {
    expectCodes(single([{ type: 'TextHeading', text: '😀'.repeat(80) }]), {});
    expectCodes(single([{ type: 'TextHeading', text: '😀'.repeat(81) }]), { errors: ['MAX_CHARS_EXCEEDED'] });
  });

  test('fails on a Footer label over 35 and only warns between 31 and 35 (UNCONFIRMED 30)', () => {
    const footer = (label: string) => ({ 'type': 'Footer', label, 'on-click-action': { name: 'complete', payload: {} } });
    expectCodes(single([footer('x'.repeat(33))], '7.3', { noFooter: true }), { warnings: ['UNCONFIRMED_MAX_CHARS'] });
    expectCodes(single([footer('x'.repeat(36))], '7.3', { noFooter: true }), { errors: ['MAX_CHARS_EXCEEDED'] });
    expectCodes(single([footer('x'.repeat(30))], '7.3', { noFooter: true }), {});
  });

  test('does not check the length of a dynamic value', () => {
    expectCodes(single([{ type: 'TextHeading', text: '${data.t}' }], '7.3', { data: { t: { type: 'string', __example__: 'x'.repeat(200) } } }), {});
  });
});

describe('options and selections (rules §4.2)', () => {
  test.each([
    ['21 radio options', radio('r', { 'data-source': options(21) }), 'MAX_ITEMS_EXCEEDED'],
    ['no radio option', radio('r', { 'data-source': [] }), 'MIN_ITEMS_REQUIRED'],
    ['one chip', { 'type': 'ChipsSelector', 'name': 'c', 'label': 'Chips', 'data-source': options(1) }, 'MIN_ITEMS_REQUIRED'],
    ['101 dropdown options with images', { 'type': 'Dropdown', 'name': 'd', 'label': 'D', 'data-source': options(101, () => ({ image: 'AAAA' })) }, 'MAX_ITEMS_EXCEEDED'],
    ['an option without id', radio('r', { 'data-source': [{ title: 'A' }, { id: 'b', title: 'B' }] }), 'MISSING_REQUIRED_PROPERTY'],
    ['an option title over 30 characters', radio('r', { 'data-source': options(2, () => ({ title: 'x'.repeat(31) })) }), 'MAX_CHARS_EXCEEDED'],
    ['an option that is a string', radio('r', { 'data-source': ['a', 'b'] }), 'INVALID_PROPERTY_TYPE'],
    ['an option color that is not hex', radio('r', { 'data-source': options(2, () => ({ color: 'red' })) }), 'INVALID_PROPERTY_VALUE_FORMAT'],
    ['an option image over 100 KB from 6.0', radio('r', { 'data-source': options(2, () => ({ image: base64OfKb(150) })) }), 'MAX_IMAGE_SIZE_EXCEEDED'],
    ['min-selected-items above max-selected-items (C7)', { 'type': 'CheckboxGroup', 'name': 'c', 'label': 'C', 'data-source': options(3), 'min-selected-items': 3, 'max-selected-items': 2 }, 'MIN_VALUE_GREATER_THAN_MAX'],
  ])('fails on %s', (_, comp, code) => {
    expect(codes(single([comp])).errors).toEqual([code]);
  });

  test('accepts 20 radio options, 200 dropdown options and 150 KB option images before 6.0', () => {
    expectCodes(single([radio('r', { 'data-source': options(20) })]), {});
    expectCodes(single([{ 'type': 'Dropdown', 'name': 'd', 'label': 'D', 'data-source': options(200) }]), {});
    expect(codes(single([form(radio('r', { 'data-source': options(2, () => ({ image: base64OfKb(150) })) }))], '5.1')).errors).toEqual([]);
  });

  test('fails on a data-source bound to data whose items lack id and title', () => {
    const data = { items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } }, __example__: [{ name: 'x' }] } };
    expectCodes(single([radio('r', { 'data-source': '${data.items}' })], '7.3', { data }), { errors: ['INVALID_SCREEN_DYNAMIC_DATA'] });
  });
});

describe('dates, pickers, captions and patterns (rules §4.2, §4.3)', () => {
  const picker = (extra: Record<string, unknown>) => ({ type: 'DatePicker', name: 'd', label: 'Date', ...extra });
  test('requires "YYYY-MM-DD" dates from 5.0 and timestamps before', () => {
    expect(codes(single([picker({ 'min-date': '2024-01-01' })], '5.0')).errors).toEqual([]);
    expect(codes(single([picker({ 'min-date': '1693569600000' })], '5.0')).errors).toEqual(['INVALID_PROPERTY_VALUE_FORMAT']);
    expect(codes(single([form(picker({ 'min-date': '1693569600000', 'unavailable-dates': ['1694779200000'] }))], '3.0')).errors).toEqual([]);
    expect(codes(single([form(picker({ 'unavailable-dates': ['2024-01-01'] }))], '3.0')).errors).toEqual(['INVALID_PROPERTY_VALUE_FORMAT']);
  });

  test('fails on min-date after max-date (C7)', () => {
    expectCodes(single([picker({ 'min-date': '2025-01-02', 'max-date': '2025-01-01' })]), { errors: ['MIN_VALUE_GREATER_THAN_MAX'] });
  });

  test('checks CalendarPicker days and media picker limits', () => {
    expectCodes(single([{ 'type': 'CalendarPicker', 'name': 'c', 'label': 'When', 'mode': 'range', 'include-days': ['Mon', 'Funday'], 'min-days': 5, 'max-days': 2 }]),
      { errors: ['INVALID_ENUM_VALUE', 'MIN_VALUE_GREATER_THAN_MAX'] });
    expectCodes(single([{ 'type': 'PhotoPicker', 'name': 'p', 'label': 'P', 'max-file-size-kb': 0 }]), { errors: ['MINIMUM_VALUE_REQUIRED'] });
    expectCodes(single([{ 'type': 'DocumentPicker', 'name': 'd', 'label': 'D', 'max-file-size-kb': 30000, 'max-uploaded-documents': 31 }]), { errors: ['MAXIMUM_VALUE_REQUIRED'] });
    expectCodes(single([{ 'type': 'PhotoPicker', 'name': 'p', 'label': 'P', 'max-file-size-kb': 25600, 'min-uploaded-photos': 1, 'max-uploaded-photos': 30 }]), {});
  });

  test('requires left and right captions together, and center-caption alone', () => {
    const footer = (extra: Record<string, unknown>) => ({ 'type': 'Footer', 'label': 'Go', 'on-click-action': { name: 'complete', payload: {} }, ...extra });
    expectCodes(single([footer({ 'left-caption': 'a' })], '7.3', { noFooter: true }), { errors: ['INVALID_DEPENDENCIES'] });
    expectCodes(single([footer({ 'center-caption': 'a', 'right-caption': 'b' })], '7.3', { noFooter: true }), { errors: ['NOT_KEYWORD_SCHEMA_VALIDATION_FAILED'] });
    expectCodes(single([footer({ 'left-caption': 'a', 'right-caption': 'b' })], '7.3', { noFooter: true }), {});
  });

  test('requires helper-text and a text-like input-type for a TextInput pattern', () => {
    expectCodes(single([textInput('n', { pattern: '[0-9]+' })]), { errors: ['INVALID_DEPENDENCIES'] });
    expectCodes(single([textInput('n', { 'pattern': '[0-9]+', 'input-type': 'email', 'helper-text': 'digits' })]), { errors: ['INVALID_DEPENDENCIES'] });
    expectCodes(single([textInput('n', { 'pattern': '[0-9]+', 'input-type': 'number', 'helper-text': 'digits' })]), {});
  });

  test('warns on an Image above the recommended 300 KB', () => {
    expectCodes(single([{ type: 'Image', src: base64OfKb(400) }]), { warnings: ['IMAGE_LARGER_THAN_RECOMMENDED'] });
    expectCodes(single([{ type: 'Image', src: base64OfKb(200) }]), {});
  });
});

describe('counts per screen (rules C1-C3, §8)', () => {
  const many = (n: number, comp: unknown) => Array.from({ length: n }, () => comp);
  test.each([
    ['51 components', many(51, TEXT), 'MAX_COMPONENTS_PER_SCREEN'],
    ['3 EmbeddedLinks', many(3, { 'type': 'EmbeddedLink', 'text': 'More', 'on-click-action': { name: 'open_url', url: 'https://example.com' } }), 'MAX_EMBEDDED_LINK_PER_SCREEN'],
    ['4 Images', many(4, { type: 'Image', src: 'AAAA' }), 'MAX_IMAGE_PER_SCREEN'],
    ['6 OptIns', Array.from({ length: 6 }, (_, i) => ({ type: 'OptIn', name: `o${i}`, label: 'OK' })), 'MAX_OPT_IN_PER_SCREEN'],
    ['3 ImageCarousels', many(3, { type: 'ImageCarousel', images: [{ 'src': 'AAAA', 'alt-text': 'a' }] }), 'MAX_IMAGE_CAROUSEL_PER_SCREEN'],
  ])('fails on %s', (_, children, code) => {
    expect(codes(single(children)).errors).toEqual([code]);
  });

  test('accepts the limits themselves: 50 components, 2 links, 3 images, 5 opt-ins', () => {
    expectCodes(single(many(49, TEXT)), {});
    expectCodes(single([...many(2, { 'type': 'EmbeddedLink', 'text': 'More', 'on-click-action': { name: 'open_url', url: 'https://example.com' } }), ...many(3, { type: 'Image', src: 'AAAA' })]), {});
  });

  test('counts an If as its larger branch, not as both', () => {
    const data = { on: { type: 'boolean', __example__: true } };
    const images = (n: number) => many(n, { type: 'Image', src: 'AAAA' });
    expectCodes(single([{ type: 'If', condition: '${data.on}', then: images(3), else: images(3) }], '7.3', { data }), {});
    expectCodes(single([{ type: 'Image', src: 'AAAA' }, { type: 'If', condition: '${data.on}', then: images(3), else: images(1) }], '7.3', { data }),
      { errors: ['MAX_IMAGE_PER_SCREEN'] });
  });

  test('fails on two Footers and on more than 3 ImageCarousels in a flow', () => {
    expectCodes(single([{ 'type': 'Footer', 'label': 'A', 'on-click-action': { name: 'complete', payload: {} } }]), { errors: ['MAX_FOOTER_PER_SCREEN'] });
    const carousel = { type: 'ImageCarousel', images: [{ 'src': 'AAAA', 'alt-text': 'a' }] };
    const doc = flow('7.3', [
      screen([carousel, carousel, { 'type': 'Footer', 'label': 'Next', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: 'TWO' }, payload: {} } }], { id: 'ONE', terminal: false, noFooter: true }),
      screen([carousel, carousel], { id: 'TWO' }),
    ]);
    expectCodes(doc, { errors: ['MAX_IMAGE_CAROUSEL_PER_FLOW'] });
  });
});

describe('Forms (rules C4, C5, §3)', () => {
  test('fails on an input outside a Form before 4.0, and accepts it from 4.0 on a screen without Form', () => {
    expectCodes(single([textInput('n')], '3.1'), { errors: ['COMPONENTS_OUTSIDE_FORM'], warnings: ['AWS_UNSUPPORTED_VERSION'] });
    expectCodes(single([textInput('n')], '4.0'), { warnings: ['AWS_UNSUPPORTED_VERSION'] });
  });

  test('fails from 4.0 on an input outside the Form of a screen that has one', () => {
    expectCodes(single([form(textInput('a')), textInput('b')]), { errors: ['COMPONENTS_OUTSIDE_FORM'] });
  });

  test('fails on duplicate input names, across If branches too (C4)', () => {
    const data = { on: { type: 'boolean', __example__: true } };
    expectCodes(single([form(textInput('n'), textInput('n'))]), { errors: ['DUPLICATE_FORM_COMPONENT_NAMES'] });
    expectCodes(single([{ type: 'If', condition: '${data.on}', then: [textInput('n')], else: [textInput('n')] }], '7.3', { data }),
      { errors: ['DUPLICATE_FORM_COMPONENT_NAMES'] });
  });

  test('allows init-value and error-message only outside a Form', () => {
    expectCodes(single([form(textInput('n', { 'init-value': 'x' }))]), { errors: ['INVALID_PROPERTY_KEY'] });
    expectCodes(single([textInput('n', { 'init-value': 'x', 'error-message': 'wrong' })]), {});
    expectCodes(single([{ ...form(textInput('n')), 'init-values': { n: 'x' }, 'error-messages': { n: 'wrong' } }]), {});
  });

  test('fails on a media picker in init-values and on a nested Form', () => {
    expectCodes(single([{ ...form({ type: 'PhotoPicker', name: 'p', label: 'P' }), 'init-values': { p: 'x' } }]), { errors: ['NATIVE_COMPONENT_IN_FORM_INIT_VALUES'] });
    expectCodes(single([form({ type: 'Form', name: 'inner', children: [TEXT] })]), { errors: ['COMPONENT_NOT_ALLOWED_HERE'] });
  });
});

describe('If and Switch (rules §4.3, §5)', () => {
  const data = { on: { type: 'boolean', __example__: true }, name: { type: 'string', __example__: 'x' } };
  const doneFooter = { 'type': 'Footer', 'label': 'Done', 'on-click-action': { name: 'complete', payload: {} } };
  const iff = (extra: Record<string, unknown>) => ({ type: 'If', condition: '${data.on}', then: [TEXT], ...extra });
  const one = (children: unknown[], o: { noFooter?: boolean } = {}) => single(children, '7.3', { data, ...o });

  test.each([
    ['a condition without a dynamic operand', iff({ condition: "'a' == 'b'" })],
    ['a condition with backticks', iff({ condition: '`${data.on}`' })],
    ['a condition with unbalanced parentheses', iff({ condition: '(${data.on}' })],
    ['a condition over a string field', iff({ condition: '${data.name}' })],
    ['a condition comparing two literals', iff({ condition: '${data.on} && 1 == 2' })],
  ])('fails on %s', (_, comp) => {
    expect(codes(one([comp])).errors).toEqual(['INVALID_IF_CONDITION']);
  });

  test('accepts conditions with operators, parentheses, negation and globals', () => {
    expectCodes(one([iff({ condition: "(${data.on} && !${data.on}) || ${data.name} != 'x'" })]), {});
  });

  test('fails on an empty then, a Form in a branch and If nested 4 deep', () => {
    expectCodes(one([iff({ then: [] })]), { errors: ['MIN_ITEMS_REQUIRED'] });
    expectCodes(one([iff({ then: [form(TEXT)] })]), { errors: ['COMPONENT_NOT_ALLOWED_HERE'] });
    const nest = (depth: number): unknown => (depth === 0 ? TEXT : iff({ then: [nest(depth - 1)] }));
    expectCodes(one([nest(3)]), {});
    expectCodes(one([nest(4)]), { errors: ['MAX_IF_NESTING_EXCEEDED'] });
  });

  test('warns on a later component in a branch that the documented list does not mention', () => {
    expectCodes(one([iff({ then: [{ type: 'CalendarPicker', name: 'c', label: 'When' }] })]), { warnings: ['UNCONFIRMED_BRANCH_COMPONENT'] });
  });

  test('requires a Footer in both branches when one has it, and no Footer outside', () => {
    expectCodes(one([iff({ then: [doneFooter] })], { noFooter: true }), { errors: ['MISSING_FOOTER_IN_IF_ELSE_BRANCHES'] });
    expectCodes(one([iff({ then: [doneFooter], else: [doneFooter] })], { noFooter: true }), {});
    expectCodes(one([iff({ then: [doneFooter], else: [doneFooter] })]), { errors: ['MORE_THAN_ONE_FOOTER'] });
    // Nested footers are misplaced, and then the outer "then" has no Footer of its own.
    expectCodes(one([iff({ then: [iff({ then: [doneFooter], else: [doneFooter] })], else: [doneFooter] })], { noFooter: true }),
      { errors: ['COMPONENT_NOT_ALLOWED_HERE', 'MISSING_FOOTER_IN_IF_ELSE_BRANCHES'] });
  });

  test('requires a Footer in every Switch case when one has it', () => {
    const sw = (cases: Record<string, unknown[]>) => ({ type: 'Switch', value: '${data.name}', cases });
    expectCodes(one([sw({ a: [doneFooter], b: [TEXT] })], { noFooter: true }), { errors: ['MISSING_FOOTER_IN_SWITCH_BRANCHES'] });
    expectCodes(one([sw({ a: [doneFooter], b: [doneFooter] })], { noFooter: true }), {});
    expectCodes(one([sw({})]), { errors: ['MIN_ITEMS_REQUIRED'] });
    expectCodes(one([sw({ a: [iff({})] })]), { errors: ['COMPONENT_NOT_ALLOWED_HERE'] });
  });

  test('allows a ChipsSelector in a Switch case from 7.1', () => {
    const doc = (v: string) => single([{ type: 'Switch', value: '${data.name}', cases: { a: [{ 'type': 'ChipsSelector', 'name': 'c', 'label': 'C', 'data-source': options(2) }] } }], v, { data });
    expect(codes(doc('7.0')).errors).toEqual(['REQUIRES_NEWER_VERSION']);
    expect(codes(doc('7.1')).errors).toEqual([]);
  });
});

describe('components that want their screen (rules §4.1, §4.3)', () => {
  const nav = (extra: Record<string, unknown> = {}) => ({
    'type': 'NavigationList', 'name': 'menu',
    'list-items': [{ 'id': 'a', 'main-content': { title: 'A' } }, { 'id': 'b', 'main-content': { title: 'B' } }],
    'on-click-action': { name: 'navigate', next: { type: 'screen', name: 'END' }, payload: {} },
    ...extra,
  });
  const navFlow = (children: unknown[], v = '7.3') => flow(v, [screen(children, { id: 'MENU', terminal: false }), screen([TEXT], { id: 'END' })]);

  test('accepts a NavigationList alone on a non-terminal screen', () => {
    expectCodes(navFlow([nav()]), {});
    expect(codes(navFlow([nav()], '6.1')).errors).toEqual(['REQUIRES_NEWER_VERSION']);
  });

  test.each([
    ['another component beside it', [nav(), TEXT], 'COMPONENT_NOT_ALONE_ON_SCREEN'],
    ['three of them', [nav(), nav({ name: 'b' }), nav({ name: 'c' })], 'MAX_NAVIGATION_LIST_PER_SCREEN'],
    ['an action on the list and on an item', [nav({ 'list-items': [{ 'id': 'a', 'main-content': { title: 'A' }, 'on-click-action': { name: 'navigate', next: { type: 'screen', name: 'END' }, payload: {} } }] })], 'INVALID_PROPERTY_VALUE'],
    ['no action anywhere', [nav({ 'on-click-action': undefined })], 'MISSING_REQUIRED_PROPERTY'],
    ['an item without main-content', [nav({ 'list-items': [{ id: 'a' }] })], 'MISSING_REQUIRED_PROPERTY'],
    ['an end with media-size large', [nav({ 'media-size': 'large', 'list-items': [{ 'id': 'a', 'main-content': { title: 'A' }, 'end': { title: 'x' } }] })], 'INVALID_DEPENDENCIES'],
  ])('fails on a NavigationList with %s', (_, children, code) => {
    expect(codes(JSON.parse(JSON.stringify(navFlow(children)))).errors).toContain(code);
  });

  test('fails on a NavigationList on a terminal screen', () => {
    expect(codes(single([nav()])).errors).toContain('INVALID_PROPERTY_VALUE');
  });

  test('gates RichText on version 5.1, where it is a screen of its own reached as a side trip', () => {
    const doc = (v: string) => flow(v, [
      screen([{ 'type': 'EmbeddedLink', 'text': 'Terms', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: 'TERMS' }, payload: {} } }], { id: 'MAIN' }),
      screen([{ type: 'RichText', text: '# Terms' }], { id: 'TERMS', terminal: false }),
    ]);
    expect(codes(doc('5.0')).errors).toEqual(['REQUIRES_NEWER_VERSION']);
    expectCodes(doc('5.1'), {});
  });

  test('keeps RichText alone up to 6.2 and lets it share with a Footer from 6.3', () => {
    const rich = { type: 'RichText', text: ['# Title', 'Body'] };
    expect(codes(single([rich], '6.2')).errors).toEqual(['COMPONENT_NOT_ALONE_ON_SCREEN']);
    expectCodes(single([rich], '6.3'), {});
    expectCodes(single([rich, TEXT], '6.3'), { errors: ['COMPONENT_NOT_ALONE_ON_SCREEN'] });
  });

  test('takes TextBody and TextCaption text as an array of lines from 5.1 (markdown), checking each line', () => {
    const lines = (text: unknown, v = '5.1') => single([{ type: 'TextBody', markdown: true, text }, { type: 'TextCaption', text: ['a', 'b'] }], v);
    expectCodes(lines(['**Bold** intro', '1. first', '2. second']), {});
    expectCodes(lines(['a'], '5.0'), { errors: ['INVALID_PROPERTY_TYPE', 'REQUIRES_NEWER_VERSION'], warnings: ['AWS_UNSUPPORTED_VERSION'] });
    expect(withCode(lines(['a'], '5.0'), 'INVALID_PROPERTY_TYPE')[0].fix).toContain('raise "version" to 5.1 or later for an array of lines');
    const [wrong] = withCode(lines(['fine', 7]), 'INVALID_PROPERTY_TYPE');
    expect(wrong.path).toBe('screens[0].layout.children[0].text[1]');
    expect(codes(lines([])).errors).toEqual(['PATTERN_MISMATCH']);
    expect(withCode(lines(['ok', 'x'.repeat(4097)]), 'MAX_CHARS_EXCEEDED')[0].path).toBe('screens[0].layout.children[0].text[1]');
    expectCodes(lines(['x'.repeat(3000), 'y'.repeat(3000)]), { warnings: ['UNCONFIRMED_MAX_CHARS'] });
    // References inside a line are resolved like any other.
    const [ref] = withCode(lines(['Hi', '${data.nobody}']), 'INVALID_SCREEN_DYNAMIC_DATA');
    expect(ref.path).toBe('screens[0].layout.children[0].text[1]');
  });

  test('checks ImageCarousel images', () => {
    const img = { 'src': 'AAAA', 'alt-text': 'a' };
    expectCodes(single([{ type: 'ImageCarousel', images: [img, img, img, img] }]), { errors: ['MAX_ITEMS_EXCEEDED'] });
    expectCodes(single([{ type: 'ImageCarousel', images: [{ src: 'AAAA' }] }]), { errors: ['MISSING_REQUIRED_PROPERTY'] });
    expectCodes(single([{ 'type': 'ImageCarousel', 'images': [img], 'aspect-ratio': '1:1' }]), { errors: ['INVALID_ENUM_VALUE'] });
  });
});

describe('static and dynamic values (rule C6, §5)', () => {
  const data = { name: { type: 'string', __example__: 'Ann' } };
  test('fails on static text mixed with a reference, and names the expression to write', () => {
    const [f] = withCode(single([{ type: 'TextBody', text: 'Hi ${data.name}!' }], '7.3', { data }), 'MIXED_STATIC_AND_DYNAMIC_VALUE');
    expect(f.fix).toContain("`'Hi ' ${data.name} '!'`");
  });

  test('accepts a backtick expression from 6.0 and requires 6.0 for it', () => {
    expectCodes(single([{ type: 'TextBody', text: "`'Hi ' ${data.name}`" }], '6.0', { data }), {});
    expect(codes(single([{ type: 'TextBody', text: "`'Hi ' ${data.name}`" }], '5.1', { data })).errors).toEqual(['REQUIRES_NEWER_VERSION']);
  });

  test('treats backticks and dollar signs without a reference as plain text', () => {
    expectCodes(single([{ type: 'TextBody', text: 'Costs $5 `each`' }], '5.1'), {});
  });

  test('fails on a reference whose declared type cannot fill the property', () => {
    // An array of strings in a TextBody text was an error here; it is accepted from 5.1, as a literal
    // array of lines is (see the next test), so this case now binds an object.
    const obj = { o: { type: 'object', properties: { a: { type: 'string' } }, __example__: { a: 'x' } } };
    expectCodes(single([{ type: 'TextBody', text: '${data.o}' }], '7.3', { data: obj }), { errors: ['INVALID_SCREEN_DYNAMIC_DATA'] });
    expectCodes(single([{ type: 'TextHeading', text: '${data.list}' }], '7.3', { data: { list: { type: 'array', items: { type: 'string' }, __example__: ['a'] } } }),
      { errors: ['INVALID_SCREEN_DYNAMIC_DATA'] });
    expect(validate(single([{ type: 'TextBody', text: '${data.name}' }], '7.3', { data }))).toEqual([]);
  });

  test('takes a TextBody or TextCaption text bound to an array of strings from 5.1, as it takes a literal array of lines', () => {
    const lines = (items: unknown) => ({ packages: { type: 'array', items, __example__: items === true || (items as { type: string }).type === 'string' ? ['Basic', 'Plus'] : [{ n: 1 }] } });
    const doc = (version: string, items: unknown = { type: 'string' }, type = 'TextBody') =>
      single([{ type: 'Form', name: 'f', children: [{ type, text: '${data.packages}' }] }], version, { data: lines(items) });
    expectCodes(doc('7.2'), {});
    expectCodes(doc('5.1', { type: 'string' }, 'TextCaption'), {});
    expectCodes(doc('7.2', true), {}); // items not typed: nothing certain to report
    // Before 5.1 the literal array is refused, and so is the bound one, with the same fix.
    const before = withCode(doc('5.0'), 'INVALID_SCREEN_DYNAMIC_DATA');
    expect(before).toHaveLength(1);
    expect(before[0].fix).toContain('raise "version" to 5.1 or later for an array of lines');
    // Lines are strings: an array of objects is refused, as a literal line that is not a string is.
    expect(withCode(doc('7.2', { type: 'object', properties: { n: { type: 'number' } } }), 'INVALID_SCREEN_DYNAMIC_DATA')[0].message).toContain('items of ${data.packages} are declared as object');
    // A CheckboxGroup's value is the ids picked (strings); a PhotoPicker's is media, not lines.
    const picks = single([{ 'type': 'CheckboxGroup', 'name': 'picks', 'label': 'Pick', 'data-source': options(2) }, { type: 'TextBody', text: '${form.picks}' }], '7.3');
    expectCodes(picks, {});
    const photos = single([{ type: 'PhotoPicker', name: 'photo', label: 'Photo' }, { type: 'TextBody', text: '${form.photo}' }], '7.3');
    expectCodes(photos, { errors: ['INVALID_SCREEN_DYNAMIC_DATA'] });
  });
});
