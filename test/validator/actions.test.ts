import { codes, expectCodes, flow, footerTo, screen, single, textInput, withCode } from './helpers';

const TEXT = { type: 'TextBody', text: 'Hello' };
const nameData = { name: { type: 'string', __example__: 'Ann' } };
/** START (an input and a Footer navigating to END) and END (terminal, with `endData`). */
function twoScreens(payload: Record<string, unknown>, endData: Record<string, unknown> = nameData, version = '7.3', startChildren: unknown[] = [textInput('name')]) {
  return flow(version, [
    screen([{ type: 'Form', name: 'form', children: [...startChildren, footerTo('END', payload)] }], { id: 'START', terminal: false }),
    screen([TEXT], { id: 'END', data: endData }),
  ]);
}
const link = (action: Record<string, unknown>) => ({ 'type': 'EmbeddedLink', 'text': 'More', 'on-click-action': action });

describe('navigate (rules §6)', () => {
  test('accepts a payload that sends exactly the next screen\'s data', () => {
    expectCodes(twoScreens({ name: '${form.name}' }), {});
  });

  test.each([
    // One finding per mistake: the routing errors that followed from the broken navigate (START has no
    // route onward, END cannot be reached) are no longer reported; the navigate itself is.
    ['a target that does not exist', flow('7.3', [screen([footerTo('NOWHERE')], { id: 'START', terminal: false }), screen([TEXT], { id: 'END' })]),
      ['INVALID_NAVIGATE_ACTION_NEXT_SCREEN_NAME']],
    ['a target that is its own screen', flow('7.3', [screen([footerTo('START')], { id: 'START', terminal: false }), screen([TEXT], { id: 'END' })]),
      ['INVALID_NAVIGATE_ACTION_NEXT_SCREEN_NAME']],
    ['a payload key the next screen does not declare', twoScreens({ name: '${form.name}', age: '5' }), ['INVALID_NAVIGATE_ACTION_PAYLOAD']],
    ['a payload missing a declared field', twoScreens({ name: '${form.name}' }, { ...nameData, age: { type: 'number', __example__: 1 } }), ['INVALID_NAVIGATE_ACTION_PAYLOAD']],
    ['an empty payload before 4.0', twoScreens({}, nameData, '3.1'), ['INVALID_NAVIGATE_ACTION_PAYLOAD']],
    ['a payload value of another shape than declared', twoScreens({ name: '${form.picks}' }, nameData, '7.3',
      [{ 'type': 'CheckboxGroup', 'name': 'picks', 'label': 'Picks', 'data-source': [{ id: 'a', title: 'A' }] }]), ['INVALID_NAVIGATE_ACTION_PAYLOAD']],
    ['a navigate on the Footer of a terminal screen', flow('7.3', [
      screen([footerTo('END')], { id: 'START', noFooter: true }), screen([TEXT], { id: 'END' })]), ['NAVIGATE_ON_TERMINAL_FOOTER']],
    ['a navigate without next', single([link({ name: 'navigate', payload: {} })]), ['MISSING_REQUIRED_PROPERTY']],
    ['a next of another type', flow('7.3', [screen([{ 'type': 'Footer', 'label': 'Go', 'on-click-action': { name: 'navigate', next: { type: 'flow', name: 'END' }, payload: {} } }], { id: 'START', terminal: false }),
      screen([TEXT], { id: 'END' })]), ['INVALID_ENUM_VALUE']],
  ])('fails on %s', (_, doc, errors) => {
    expect(codes(doc).errors).toEqual(errors);
  });

  test('only warns on an empty payload from 4.0, where the next screen may read globals', () => {
    expectCodes(twoScreens({}), { warnings: ['NAVIGATE_PAYLOAD_MISSING_DATA'] });
  });

  test('accepts OptIn booleans into boolean fields and literal values', () => {
    const data = { ok: { type: 'boolean', __example__: false }, n: { type: 'number', __example__: 1 } };
    expectCodes(twoScreens({ ok: '${form.ok}', n: 3 }, data, '7.3', [{ type: 'OptIn', name: 'ok', label: 'I agree' }]), {});
  });
});

describe('complete, data_exchange, update_data, open_url (rules §6)', () => {
  test('fails on complete on a non-terminal screen and on a component other than a Footer', () => {
    const doc = flow('7.3', [
      screen([{ 'type': 'Footer', 'label': 'Go', 'on-click-action': { name: 'complete', payload: {} } }], { id: 'START', terminal: false }),
      screen([TEXT], { id: 'END' }),
    ]);
    expect(codes(doc).errors).toContain('INVALID_COMPLETE_ACTION');
    expectCodes(single([link({ name: 'complete', payload: {} })]), { errors: ['INVALID_ENUM_VALUE'] });
  });

  test('fails on an unknown action and on an action the event does not accept', () => {
    expectCodes(single([link({ name: 'submit' })]), { errors: ['INVALID_ENUM_VALUE'] });
    expectCodes(single([{ 'type': 'DatePicker', 'name': 'd', 'label': 'D', 'on-select-action': { name: 'update_data', payload: {} } }]), { errors: ['INVALID_ENUM_VALUE'] });
    expectCodes(single([{ 'type': 'Footer', 'label': 'Go', 'on-click-action': { name: 'open_url', url: 'https://example.com' } }], '7.3', { noFooter: true }),
      { errors: ['INVALID_ENUM_VALUE'] });
  });

  test('fails on an unknown key of an action before 7.0', () => {
    expectCodes(single([link({ name: 'open_url', url: 'https://example.com', target: '_blank' })], '6.3'), { errors: ['INVALID_PROPERTY_KEY'] });
    expectCodes(single([link({ name: 'open_url', url: 'https://example.com', target: '_blank' })], '7.3'), { warnings: ['UNCONFIRMED_PROPERTY_KEY'] });
  });

  test('fails on data_exchange without an endpoint, and warns that AWS cannot run it', () => {
    expectCodes(single([link({ name: 'data_exchange', payload: {} })]), { errors: ['DATA_EXCHANGE_WITHOUT_ENDPOINT'], warnings: ['AWS_ENDPOINT_FLOW'] });
  });

  test('gates update_data and open_url on 6.0', () => {
    const radio = (action: Record<string, unknown>) => ({ 'type': 'RadioButtonsGroup', 'name': 'r', 'label': 'R', 'data-source': [{ id: 'a', title: 'A' }], 'on-select-action': action });
    const data = { picked: { type: 'string', __example__: 'a' } };
    expect(codes(single([{ type: 'Form', name: 'f', children: [radio({ name: 'update_data', payload: { picked: '${form.r}' } })] }], '5.1', { data })).errors).toEqual(['REQUIRES_NEWER_VERSION']);
    expectCodes(single([radio({ name: 'update_data', payload: { picked: '${form.r}' } })], '6.0', { data }), {});
    expectCodes(single([radio({ name: 'update_data', payload: { other: 'x' } })], '6.0', { data }), { errors: ['INVALID_ACTION_PAYLOAD_PROPERTY'] });
    expect(codes(single([link({ name: 'open_url', url: 'https://example.com' })], '5.1')).errors).toEqual(['REQUIRES_NEWER_VERSION']);
  });

  test('checks the url of open_url', () => {
    expectCodes(single([link({ name: 'open_url', url: 'https://example.com' })]), {});
    expectCodes(single([link({ name: 'open_url', url: 'http://example.com' })]), { warnings: ['OPEN_URL_NOT_HTTPS'] });
    expectCodes(single([link({ name: 'open_url' })]), { errors: ['MISSING_REQUIRED_PROPERTY'] });
  });
});

describe('media pickers in payloads (rules §4.2)', () => {
  const complete = (payload: Record<string, unknown>, pickers: unknown[]) =>
    single([{ type: 'Form', name: 'f', children: [...pickers, { 'type': 'Footer', 'label': 'Send', 'on-click-action': { name: 'complete', payload } }] }], '7.3', { noFooter: true });
  const photo = (extra: Record<string, unknown> = {}) => ({ type: 'PhotoPicker', name: 'photo', label: 'Photo', ...extra });

  test('accepts one picker with one upload as a top-level complete property', () => {
    expectCodes(complete({ photo: '${form.photo}' }, [photo({ 'max-uploaded-photos': 1 })]), {});
  });

  test.each([
    ['a picker allowing the default 30 uploads', complete({ photo: '${form.photo}' }, [photo()])],
    ['a picker nested in the payload', complete({ media: { photo: '${form.photo}' } }, [photo({ 'max-uploaded-photos': 1 })])],
    ['two pickers', complete({ photo: '${form.photo}', doc: '${form.doc}' }, [photo({ 'max-uploaded-photos': 1 }),
      { 'type': 'DocumentPicker', 'name': 'doc', 'label': 'Doc', 'max-uploaded-documents': 1 }])],
  ])('fails on %s', (_, doc) => {
    expect(codes(doc).errors).toEqual(['INVALID_ON_CLICK_ACTION_PAYLOAD']);
  });

  test('fails on a picker in a navigate payload', () => {
    const doc = twoScreens({ name: '${form.photo}' }, nameData, '7.3', [photo()]);
    expect(codes(doc).errors).toContain('INVALID_ON_CLICK_ACTION_PAYLOAD');
  });
});

describe('dynamic references (rules §5)', () => {
  test.each([
    ['an undeclared data field', single([{ type: 'TextBody', text: '${data.missing}' }])],
    ['an unknown input', single([textInput('name'), link({ name: 'open_url', url: '${form.nope}' })])],
    ['a property of a string field', single([{ type: 'TextBody', text: '${data.name.first}' }], '7.3', { data: nameData })],
    ['an index into an array', single([{ type: 'TextBody', text: '${data.list.id}' }], '7.3', { data: { list: { type: 'array', items: { type: 'string' }, __example__: [] } } })],
    ['an undeclared property of an object', single([{ type: 'TextBody', text: '${data.o.b}' }], '7.3', { data: { o: { type: 'object', properties: { a: { type: 'string' } }, __example__: { a: 'x' } } } })],
    ['a global reference to a screen that does not exist', single([{ type: 'TextBody', text: '${screen.NOPE.form.name}' }])],
    ['a global reference to its own screen', single([textInput('name'), { type: 'TextBody', text: '${screen.MAIN.form.name}' }])],
  ])('fails on %s', (_, doc) => {
    expect(codes(doc).errors).toEqual(['INVALID_SCREEN_DYNAMIC_DATA']);
  });

  test('fails on an expression written inside ${…}, and shows the backtick expression to write', () => {
    const data = { note: { type: 'string', __example__: 'x' } };
    const doc = (version: string) => single([{ type: 'TextBody', text: 'Note', visible: "${data.note != ''}" }], version, { data });
    const [f] = withCode(doc('7.3'), 'INVALID_SCREEN_DYNAMIC_DATA');
    expect(f.message).toContain('puts an expression inside');
    expect(f.fix).toContain("`${data.note} != ''`");
    expect(withCode(doc('5.1'), 'INVALID_SCREEN_DYNAMIC_DATA')[0].fix).toContain('version 6.0 or later');
    // A reference alone, and the same comparison as a backtick expression, are fine.
    expectCodes(single([{ type: 'TextBody', text: '${data.note}', visible: "`${data.note} != ''`" }], '7.3', { data }), {});
  });

  test('fails on a reference to a Form instead of its input', () => {
    const doc = single([{ type: 'Form', name: 'form', children: [textInput('name'), { 'type': 'Footer', 'label': 'Send', 'on-click-action': { name: 'complete', payload: { all: '${form.form}' } } }] }],
      '7.3', { noFooter: true });
    expectCodes(doc, { errors: ['INVALID_ON_CLICK_ACTION_PAYLOAD'] });
  });

  test('resolves nested data properties and global references to another screen (4.0+)', () => {
    const doc = (version: string) => flow(version, [
      screen([{ type: 'Form', name: 'f', children: [textInput('name'), footerTo('END', {})] }], { id: 'START', terminal: false }),
      screen([{ type: 'TextBody', text: '${screen.START.form.name}' }, { type: 'TextBody', text: '${data.o.a}' }],
        { id: 'END', data: { o: { type: 'object', properties: { a: { type: 'string' } }, __example__: { a: 'x' } } } }),
    ]);
    expect(codes(doc('7.3')).errors).toEqual([]);
    expect(codes(doc('3.1')).errors).toContain('REQUIRES_NEWER_VERSION');
  });

  test('reports the path and value of an undeclared reference', () => {
    const [f] = withCode(single([{ type: 'TextBody', text: '${data.missing}' }]), 'INVALID_SCREEN_DYNAMIC_DATA');
    expect(f).toMatchObject({ path: 'screens[0].layout.children[0].text', value: '"${data.missing}"' });
    expect(f.message).toContain('"missing" is not declared in the data of screen "MAIN"');
  });

  test('warns on a reference root it does not know', () => {
    expectCodes(single([{ type: 'TextBody', text: '${global.x}' }]), { warnings: ['UNKNOWN_DYNAMIC_REFERENCE'] });
  });
});
