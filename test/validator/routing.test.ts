import { codes, expectCodes, flow, footerTo, screen, withCode } from './helpers';

const TEXT = { type: 'TextBody', text: 'Hello' };
/** A non-terminal screen whose Footer navigates to `next` (and EmbeddedLinks to `links`). */
const step = (id: string, next: string, links: string[] = []) => screen([
  ...links.map((l) => ({ 'type': 'EmbeddedLink', 'text': 'See', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: l }, payload: {} } })),
  footerTo(next),
], { id, terminal: false });
const end = (id = 'END') => screen([TEXT], { id });
const endpoint = (routing: unknown, screens: unknown[]) => ({ version: '7.3', data_api_version: '3.0', routing_model: routing, screens });
const exchange = (id: string, terminal = false) => screen([{ 'type': 'Footer', 'label': 'Go', 'on-click-action': { name: 'data_exchange', payload: {} } }],
  { id, terminal, noFooter: true });

describe('the routing graph implied by navigate actions (rules §7)', () => {
  test('accepts a forward chain that ends at a terminal screen', () => {
    expectCodes(flow('7.3', [step('A', 'B'), step('B', 'END'), end()]), {});
  });

  test('fails on two screens that navigate to each other (circular navigation)', () => {
    const doc = flow('7.3', [step('A', 'B'), step('B', 'END', ['A']), end()]);
    expect(codes(doc).errors).toEqual(['INVALID_ROUTING_MODEL']);
    expect(withCode(doc, 'INVALID_ROUTING_MODEL')[0].message).toContain('"A" and "B" route to each other');
  });

  test('fails on a cycle through three screens, and on the lost entry screen', () => {
    const doc = flow('7.3', [step('A', 'B'), step('B', 'C'), step('C', 'A', ['END']), end()]);
    const messages = withCode(doc, 'INVALID_ROUTING_MODEL').map((f) => f.message);
    expect(messages.some((m) => m.includes('cycle through 3 screens (A → B → C)'))).toBe(true);
    expect(messages.some((m) => m.includes('no entry screen'))).toBe(true);
  });

  test('fails on a non-terminal screen with nowhere to go', () => {
    const doc = flow('7.3', [step('A', 'B'), screen([TEXT], { id: 'B', terminal: false }), end('C')]);
    expect(withCode(doc, 'INVALID_ROUTING_MODEL').map((f) => f.path)).toEqual(['screens[1]']);
  });

  test('accepts a "read more" screen opened from an OptIn or EmbeddedLink that only goes back', () => {
    const doc = flow('7.3', [screen([{ 'type': 'EmbeddedLink', 'text': 'Terms', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: 'TERMS' }, payload: {} } }]),
      screen([TEXT], { id: 'TERMS', terminal: false })]);
    expectCodes(doc, {});
  });

  test('warns on several entry screens', () => {
    expectCodes(flow('7.3', [end('A'), end('B')]), { warnings: ['MULTIPLE_ENTRY_SCREENS'] });
  });

  test('fails on more than 10 branches from one screen', () => {
    const targets = Array.from({ length: 11 }, (_, i) => `T_${String.fromCharCode(65 + i)}`);
    const hub = screen(targets.map((t) => ({ 'type': 'EmbeddedLink', 'text': 'Go', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: t }, payload: {} } })),
      { id: 'HUB', terminal: false });
    const doc = flow('7.3', [hub, ...targets.map((t) => end(t))]);
    expect(codes(doc).errors).toEqual(expect.arrayContaining(['INVALID_ROUTING_MODEL']));
    expect(withCode(doc, 'INVALID_ROUTING_MODEL')[0].message).toContain('11 outgoing routes');
  });
});

describe('an explicit routing_model (rules §7, D7)', () => {
  test('accepts a valid endpoint flow: AWS cannot publish it, Meta can', () => {
    const doc = endpoint({ A: ['B'], B: [] }, [exchange('A'), exchange('B', true)]);
    expectCodes(doc, { warnings: ['AWS_ENDPOINT_FLOW'] });
  });

  test.each([
    ['an unknown screen as key', { A: ['B'], B: [], C: [] }],
    ['an unknown screen as target', { A: ['B', 'Z'], B: [] }],
    ['a screen routing to itself', { A: ['A', 'B'], B: [] }],
    ['A and B routing to each other', { A: ['B'], B: ['A'] }],
    ['a screen missing from the model', { A: [] }],
    ['routes that are not a list', { A: 'B', B: [] }],
    ['a non-terminal leaf', { A: [], B: ['A'] }],
  ])('fails on %s', (_, routing) => {
    expect(codes(endpoint(routing, [exchange('A'), exchange('B', true)])).errors).toEqual(['INVALID_ROUTING_MODEL']);
  });

  test('fails on a navigate that the routing model does not list (rule 8)', () => {
    const doc = endpoint({ A: [], B: [] }, [step('A', 'B'), exchange('B', true)]);
    expect(withCode(doc, 'INVALID_ROUTING_MODEL').map((f) => f.message)).toContain('navigate from "A" to "B" is not a route of the routing model');
  });

  test('accepts a static flow with an explicit model that matches its navigates', () => {
    expectCodes(flow('7.3', [step('A', 'END'), end()], { routing_model: { A: ['END'], END: [] } }), {});
  });

  test('fails on a routing_model that is not an object', () => {
    expectCodes(flow('7.3', [end()], { routing_model: ['END'] }), { errors: ['INVALID_ROUTING_MODEL'] });
  });
});
