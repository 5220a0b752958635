/**
 * One finding per mistake (issue 12): the root cause is reported once, and what follows from it (a
 * screen that seems unreachable because a navigate is broken, a Footer that seems missing because a
 * list could not be read, an input that seems unknown because it has no name) is not reported again.
 */
import { FlowJsonValidator } from '../../lib/validator';
import { COMPLETE_FOOTER, expectCodes, flow, footerTo, screen, single, textInput, validate } from './helpers';

const TEXT = { type: 'TextBody', text: 'Hello' };
const nameData = { name: { type: 'string', __example__: 'Ann' } };

/** The findings of a document, one line each, for an exact comparison. */
function lines(doc: unknown): string[] {
  return validate(doc).map((f) => `${f.severity} ${f.code} ${f.path}`);
}

/** START (a Form with an input and `footer`), then the terminal END that declares `name`. */
function twoScreens(footer: unknown, startExtra: unknown[] = []): unknown {
  return flow('7.3', [
    screen([{ type: 'Form', name: 'form', children: [textInput('name'), ...startExtra, footer] }], { id: 'START', terminal: false }),
    screen([TEXT], { id: 'END', data: nameData }),
  ]);
}

describe('one mistake gives one finding', () => {
  test('a navigate to a screen that does not exist: not also a screen with no route onward, an unreachable screen or a second entry', () => {
    expect(lines(twoScreens(footerTo('ENDD', { name: '${form.name}' })))).toEqual([
      'error INVALID_NAVIGATE_ACTION_NEXT_SCREEN_NAME screens[0].layout.children[0].children[1].on-click-action.next.name',
    ]);
  });

  test('a navigate whose next is missing', () => {
    const footer = { 'type': 'Footer', 'label': 'Next', 'on-click-action': { name: 'navigate', payload: {} } };
    expect(lines(twoScreens(footer))).toEqual(['error MISSING_REQUIRED_PROPERTY screens[0].layout.children[0].children[1].on-click-action.next']);
  });

  test('a Footer whose on-click-action is missing', () => {
    expect(lines(twoScreens({ type: 'Footer', label: 'Next' }))).toEqual(['error MISSING_REQUIRED_PROPERTY screens[0].layout.children[0].children[1].on-click-action']);
  });

  test('an action far from every known one, where the navigate was', () => {
    const footer = { 'type': 'Footer', 'label': 'Next', 'on-click-action': { name: 'goto', next: { type: 'screen', name: 'END' }, payload: {} } };
    expect(lines(twoScreens(footer))).toEqual(['error INVALID_ENUM_VALUE screens[0].layout.children[0].children[1].on-click-action.name']);
  });

  test('a misspelt payload key: not also a declared field the payload does not send', () => {
    expect(lines(twoScreens(footerTo('END', { nmae: '${form.name}' })))).toEqual([
      'error INVALID_NAVIGATE_ACTION_PAYLOAD screens[0].layout.children[0].children[1].on-click-action.payload.nmae',
    ]);
    const [f] = validate(twoScreens(footerTo('END', { nmae: '${form.name}' })));
    expect(f.message).toContain('did you mean "name"?');
  });

  test('an undeclared data field in a payload: not also a payload of the wrong type', () => {
    const doc = flow('7.3', [
      screen([footerTo('END', { name: '${data.nobody}' })], { id: 'START', terminal: false, data: nameData }),
      screen([TEXT], { id: 'END', data: nameData }),
    ]);
    expect(lines(doc)).toEqual(['error INVALID_SCREEN_DYNAMIC_DATA screens[0].layout.children[0].on-click-action.payload.name']);
  });

  test('an input without a name: not also each ${form.…} that read it', () => {
    const doc = single([{ type: 'Form', name: 'f', children: [{ type: 'TextInput', label: 'Email' },
      { 'type': 'Footer', 'label': 'Send', 'on-click-action': { name: 'complete', payload: { email: '${form.email}' } } }] }], '7.3', { noFooter: true });
    expect(lines(doc)).toEqual(['error MISSING_REQUIRED_PROPERTY screens[0].layout.children[0].children[0].name']);
  });

  test('a Form without children: not also a terminal screen without a Footer', () => {
    expect(lines(single([{ type: 'Form', name: 'f' }], '7.3', { noFooter: true }))).toEqual(['error MISSING_REQUIRED_PROPERTY screens[0].layout.children[0].children']);
  });

  test('an If without then: not also a Footer missing from then', () => {
    const doc = single([{ type: 'If', condition: '${data.on}', else: [COMPLETE_FOOTER] }], '7.3', { noFooter: true, data: { on: { type: 'boolean', __example__: true } } });
    expect(lines(doc)).toEqual(['error MISSING_REQUIRED_PROPERTY screens[0].layout.children[0].then']);
  });

  test('screen data that is not an object: not also each ${data.…} of the screen', () => {
    const doc = single([{ type: 'TextBody', text: '${data.name}' }, { type: 'TextCaption', text: '${data.name}' }], '7.3', { extra: { data: [] } });
    expect(lines(doc)).toEqual(['error INVALID_SCREEN_DATA screens[0].data']);
  });

  test('a misspelt key of a component, a screen and an action, each checked as the key meant', () => {
    const footer = { 'type': 'Footer', 'label': 'Next', 'on-click-acton': { name: 'navigate', next: { type: 'screen', name: 'END' }, payload: { name: '${form.name}' } } };
    expect(lines(twoScreens(footer))).toEqual(['error INVALID_PROPERTY_KEY screens[0].layout.children[0].children[1].on-click-acton']);
    const nxt = { 'type': 'Footer', 'label': 'Next', 'on-click-action': { name: 'navigate', nxet: { type: 'screen', name: 'END' }, payload: { name: '${form.name}' } } };
    expect(lines(twoScreens(nxt))).toEqual(['error INVALID_PROPERTY_KEY screens[0].layout.children[0].children[1].on-click-action.nxet']);
  });
});

describe('what the validator cannot read is not guessed at', () => {
  test('an unknown 7.x component that navigates leaves only its warning: no screen reported unreachable or stuck', () => {
    const doc = flow('7.3', [
      screen([{ 'type': 'SwipeCard', 'name': 'card', 'on-swipe-action': { name: 'navigate', next: { type: 'screen', name: 'END' }, payload: {} } }],
        { id: 'START', terminal: false }),
      screen([TEXT], { id: 'END' }),
    ]);
    expectCodes(doc, { warnings: ['UNCONFIRMED_COMPONENT'] });
  });

  test('an unknown 7.x component with a name may be an input: ${form.…} reading it is not reported', () => {
    const doc = single([{ type: 'SignaturePad', name: 'signature', label: 'Sign here' },
      { 'type': 'Footer', 'label': 'Send', 'on-click-action': { name: 'complete', payload: { signature: '${form.signature}' } } }], '7.3', { noFooter: true });
    expectCodes(doc, { warnings: ['UNCONFIRMED_COMPONENT'] });
  });

  test('an unknown 7.x component without an action is no Footer: the terminal screen still needs one', () => {
    expectCodes(single([{ type: 'Divider' }], '7.3', { noFooter: true }), { errors: ['MISSING_FOOTER_ON_TERMINAL_SCREEN'], warnings: ['UNCONFIRMED_COMPONENT'] });
  });

  test('a reference shape the rules do not describe is a warning, not an error', () => {
    const complete = (payload: Record<string, unknown>) => single([textInput('name'),
      { 'type': 'Footer', 'label': 'Send', 'on-click-action': { name: 'complete', payload } }], '7.3', { noFooter: true });
    for (const shape of ['${form}', '${data}', '${form.}', '${screen.MAIN}', '${screen.OTHER.form}']) {
      const findings = validate(complete({ all: shape }));
      expect({ shape, findings: findings.map((f) => `${f.severity} ${f.code}`) }).toEqual({ shape, findings: ['warning UNKNOWN_DYNAMIC_REFERENCE'] });
    }
    const [f] = validate(complete({ all: '${form}' }));
    expect(FlowJsonValidator.formatFinding(f)).toBe(
      'warning UNKNOWN_DYNAMIC_REFERENCE screens[0].layout.children[1].on-click-action.payload.all: ${form} is not a reference shape Meta\'s Flow JSON reference describes ' +
      '(it names no field); Meta may pass it on as text ("${form}") — if you mean one value, write ${form.<input name>}');
  });

  test('a misspelt reference root is a warning that names the root meant', () => {
    const [f] = validate(single([{ type: 'TextBody', text: '${dta.name}' }], '7.3', { data: nameData }));
    expect(f).toMatchObject({ code: 'UNKNOWN_DYNAMIC_REFERENCE', fix: 'write ${data.name}' });
  });
});
