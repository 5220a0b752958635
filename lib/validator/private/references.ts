/**
 * Dynamic references (rules §5): `${data.a.b}`, `${form.name}`, `${screen.ID.form.name}`,
 * `${screen.ID.data.field}`, found without regular expressions so that a 10 MB string costs one
 * indexOf scan.
 */

export interface Reference {
  /** Offset of `${` in the string. */
  readonly start: number;
  /** Offset just after the closing `}`. */
  readonly end: number;
  /** The text between the braces, e.g. `data.products`. */
  readonly body: string;
  /** `body` split on dots. */
  readonly segs: readonly string[];
}

/** Every `${…}` in a string (an unclosed `${` is plain text). */
export function findReferences(s: string): Reference[] {
  const out: Reference[] = [];
  let from = 0;
  for (;;) {
    const start = s.indexOf('${', from);
    if (start < 0) break;
    const close = s.indexOf('}', start + 2);
    if (close < 0) break;
    const body = s.slice(start + 2, close);
    out.push({ start, end: close + 1, body, segs: body.trim().split('.') });
    from = close + 1;
  }
  return out;
}

export type StringKind = 'static' | 'dynamic' | 'expression' | 'mixed';

/**
 * How a property string is meant (rules §5, C6): static text, exactly one dynamic reference,
 * a backtick expression (6.0+), or static text mixed with references (a compile error).
 */
export function classifyString(s: string, refs: readonly Reference[], expressionsAllowed: boolean): StringKind {
  if (refs.length === 0) return 'static';
  if (refs.length === 1 && refs[0].start === 0 && refs[0].end === s.length) return 'dynamic';
  if (expressionsAllowed && isBacktickExpression(s)) return 'expression';
  return 'mixed';
}

export function isBacktickExpression(s: string): boolean {
  const t = s.trim();
  return t.length >= 2 && t.charCodeAt(0) === 96 && t.charCodeAt(t.length - 1) === 96;
}

/** A string that is exactly one reference. */
export function wholeReference(s: unknown): Reference | undefined {
  if (typeof s !== 'string' || !s.startsWith('${') || !s.endsWith('}')) return undefined;
  const refs = findReferences(s);
  return refs.length === 1 && refs[0].start === 0 && refs[0].end === s.length ? refs[0] : undefined;
}

// ---------------------------------------------------------------------------------------------
// If conditions (rules §5, last row)

type Tok = { kind: 'dyn' | 'lit' | 'op' | 'lparen' | 'rparen' | 'not'; text: string; ref?: Reference };

const BINARY_OPS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>'];

/**
 * Checks an `If.condition` string's syntax: no backticks, at least one dynamic operand, balanced
 * and non-empty parentheses, no operator with literals on both sides. Returns the references it
 * contains (to be resolved by the caller) and the problems found.
 */
export function checkCondition(s: string): { refs: Reference[]; problems: string[]; single?: Reference } {
  const problems: string[] = [];
  const refs: Reference[] = [];
  if (s.trim().length === 0) return { refs, problems: ['the condition is empty'] };
  if (s.includes('`')) problems.push('a condition cannot use backtick expressions');
  const toks: Tok[] = [];
  let i = 0;
  let bad: string | undefined;
  while (i < s.length && bad === undefined) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (s.startsWith('${', i)) {
      const close = s.indexOf('}', i + 2);
      if (close < 0) {
        bad = 'a "${" is not closed';
        break;
      }
      const body = s.slice(i + 2, close);
      const ref: Reference = { start: i, end: close + 1, body, segs: body.trim().split('.') };
      refs.push(ref);
      toks.push({ kind: 'dyn', text: s.slice(i, close + 1), ref });
      i = close + 1;
    } else if (c === "'") {
      let j = i + 1;
      while (j < s.length && s[j] !== "'") j += s[j] === '\\' ? 2 : 1;
      if (j >= s.length) {
        bad = 'a string literal is not closed';
        break;
      }
      toks.push({ kind: 'lit', text: s.slice(i, j + 1) });
      i = j + 1;
    } else if ((c >= '0' && c <= '9') || (c === '-' && i + 1 < s.length && s[i + 1] >= '0' && s[i + 1] <= '9')) {
      let j = i + 1;
      while (j < s.length && ((s[j] >= '0' && s[j] <= '9') || s[j] === '.')) j++;
      toks.push({ kind: 'lit', text: s.slice(i, j) });
      i = j;
    } else if (s.startsWith('true', i) || s.startsWith('false', i)) {
      const w = s.startsWith('true', i) ? 'true' : 'false';
      toks.push({ kind: 'lit', text: w });
      i += w.length;
    } else if (c === '(' || c === ')') {
      toks.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c });
      i++;
    } else {
      const op = BINARY_OPS.find((o) => s.startsWith(o, i));
      if (op) {
        toks.push({ kind: 'op', text: op });
        i += op.length;
      } else if (c === '!') {
        toks.push({ kind: 'not', text: '!' });
        i++;
      } else if (c === '`') {
        i++;
      } else {
        bad = `unexpected ${JSON.stringify(c)} at offset ${i}`;
      }
    }
  }
  if (bad !== undefined) {
    problems.push(bad);
    return { refs, problems };
  }
  let depth = 0;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.kind === 'lparen') {
      depth++;
      if (toks[k + 1]?.kind === 'rparen') problems.push('the condition has empty parentheses');
    } else if (t.kind === 'rparen') {
      depth--;
      if (depth < 0) {
        problems.push('the condition has a ")" without a matching "("');
        depth = 0;
      }
    } else if (t.kind === 'op' && toks[k - 1]?.kind === 'lit' && toks[k + 1]?.kind === 'lit') {
      problems.push(`the condition compares two literals (${toks[k - 1].text} ${t.text} ${toks[k + 1].text})`);
    }
  }
  if (depth > 0) problems.push('the condition has a "(" without a matching ")"');
  if (refs.length === 0) problems.push('the condition has no dynamic operand (${data.…}, ${form.…} or ${screen.…})');
  const single = toks.length === 1 && toks[0].kind === 'dyn' ? toks[0].ref : undefined;
  return { refs, problems, single };
}
