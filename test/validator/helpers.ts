import { FindingSeverity, FlowJsonFinding, FlowJsonValidationOptions, FlowJsonValidator } from '../../lib/validator';

/** A Footer that completes the flow. */
export const COMPLETE_FOOTER = { 'type': 'Footer', 'label': 'Done', 'on-click-action': { name: 'complete', payload: {} } };

export function footerTo(next: string, payload: Record<string, unknown> = {}): Record<string, unknown> {
  return { 'type': 'Footer', 'label': 'Next', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: next }, payload } };
}

export interface ScreenOptions {
  readonly id?: string;
  readonly terminal?: boolean;
  readonly data?: Record<string, unknown>;
  readonly extra?: Record<string, unknown>;
  /** Do not append the complete Footer to a terminal screen. */
  readonly noFooter?: boolean;
}

/** A screen; a terminal one gets a complete Footer unless `noFooter`. */
export function screen(children: unknown[], o: ScreenOptions = {}): Record<string, unknown> {
  const terminal = o.terminal ?? true;
  return {
    id: o.id ?? 'MAIN',
    ...(terminal ? { terminal: true } : {}),
    ...(o.data ? { data: o.data } : {}),
    layout: { type: 'SingleColumnLayout', children: terminal && !o.noFooter ? [...children, COMPLETE_FOOTER] : children },
    ...o.extra,
  };
}

/** A one-screen flow holding `children` (plus a complete Footer). */
export function single(children: unknown[], version = '7.3', o: ScreenOptions = {}, top: Record<string, unknown> = {}): Record<string, unknown> {
  return { version, screens: [screen(children, o)], ...top };
}

export function flow(version: string, screens: unknown[], top: Record<string, unknown> = {}): Record<string, unknown> {
  return { version, screens, ...top };
}

export function validate(doc: unknown, options?: FlowJsonValidationOptions): FlowJsonFinding[] {
  return FlowJsonValidator.validateObject(doc, options);
}

function codesOf(findings: FlowJsonFinding[], severity: FindingSeverity): string[] {
  return [...new Set(findings.filter((f) => f.severity === severity).map((f) => f.code))].sort();
}

/** The distinct error and warning codes of a document, for exact comparisons. */
export function codes(doc: unknown, options?: FlowJsonValidationOptions): { errors: string[]; warnings: string[] } {
  const findings = validate(doc, options);
  return { errors: codesOf(findings, FindingSeverity.ERROR), warnings: codesOf(findings, FindingSeverity.WARNING) };
}

/** Expected codes: errors and warnings default to none. */
export function expectCodes(doc: unknown, expected: { errors?: string[]; warnings?: string[] }, options?: FlowJsonValidationOptions): void {
  const got = codes(doc, options);
  const want = { errors: [...(expected.errors ?? [])].sort(), warnings: [...(expected.warnings ?? [])].sort() };
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    // Show the findings themselves when the codes differ: they say why.
    const lines = validate(doc, options).map((f) => FlowJsonValidator.formatFinding(f));
    expect({ ...got, findings: lines }).toEqual({ ...want, findings: lines });
  }
}

/** The findings with a given code. */
export function withCode(doc: unknown, code: string, options?: FlowJsonValidationOptions): FlowJsonFinding[] {
  return validate(doc, options).filter((f) => f.code === code);
}

export function textInput(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'TextInput', name, label: 'Name', ...extra };
}

export function options(n: number, extra: (i: number) => Record<string, unknown> = () => ({})): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({ id: `o${i}`, title: `Option ${i}`, ...extra(i) }));
}

/** A base64-looking string of about `kb` kilobytes of decoded data. */
export function base64OfKb(kb: number): string {
  return 'A'.repeat(Math.ceil((kb * 1024 * 4) / 3));
}
