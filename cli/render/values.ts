/**
 * Dynamic values: `${data.name}`, `${form.email}`, `${screen.ORDER.data.total}` and backtick
 * expressions (`` `'Hello ' ${data.name}` ``), as a person would see them on the phone. A value the
 * screen's `data` gives an `__example__` for is filled in (and drawn as an example); anything else
 * (what the user types, a value without example, an expression that computes) is drawn as a
 * placeholder naming the reference.
 */
import { isObject, Obj } from './html';

/** One piece of drawn text. */
export type Piece =
  | { readonly kind: 'text'; readonly text: string }
  /** Filled from an `__example__`. */
  | { readonly kind: 'example'; readonly text: string; readonly ref: string }
  /** Not known before the flow runs. */
  | { readonly kind: 'placeholder'; readonly ref: string };

/** The screens' data, to look examples up in. */
export interface DataScope {
  /** The `data` declaration of the screen being drawn. */
  readonly data: Obj;
  /** The `data` declaration of every screen, by id (for `${screen.X.data.y}`). */
  readonly screens: ReadonlyMap<string, Obj>;
}

const REF = /\$\{([^}]*)\}/g;
const WHOLE_REF = /^\$\{([^}]*)\}$/;

/** The example value of a reference (`data.a.b`, `screen.S.data.a`), or undefined. */
export function lookup(scope: DataScope, ref: string): { value: unknown } | undefined {
  const parts = ref.trim().split('.');
  let data: Obj | undefined;
  let rest: string[];
  if (parts[0] === 'data') {
    data = scope.data;
    rest = parts.slice(1);
  } else if (parts[0] === 'screen' && parts[2] === 'data') {
    data = scope.screens.get(parts[1]);
    rest = parts.slice(3);
  } else {
    return undefined; // form values and anything else exist only once the user acts
  }
  if (!data || rest.length === 0) return undefined;
  const decl = data[rest[0]];
  if (!isObject(decl) || !('__example__' in decl)) return undefined;
  let value: unknown = decl.__example__;
  for (const key of rest.slice(1)) {
    if (!isObject(value) || !(key in value)) return undefined;
    value = value[key];
  }
  return { value };
}

/** A value as text on the phone. */
export function display(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '';
  return JSON.stringify(v);
}

/**
 * A text property as pieces: plain text, `${…}` references inside it, or a backtick expression
 * that concatenates strings and references. Arrays of strings (lines) are joined with newlines.
 * Undefined when the value is not text.
 */
export function textPieces(scope: DataScope, v: unknown): Piece[] | undefined {
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) v = v.join('\n');
  if (typeof v === 'number' || typeof v === 'boolean') return [{ kind: 'text', text: String(v) }];
  if (typeof v !== 'string') return undefined;
  const trimmed = v.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('`') && trimmed.endsWith('`')) return expression(scope, trimmed.slice(1, -1));
  const out: Piece[] = [];
  let last = 0;
  for (const m of v.matchAll(REF)) {
    if (m.index! > last) out.push({ kind: 'text', text: v.slice(last, m.index) });
    out.push(reference(scope, m[1]));
    last = m.index! + m[0].length;
  }
  if (last < v.length) out.push({ kind: 'text', text: v.slice(last) });
  return out;
}

/** A reference as a piece: its example, or a placeholder. */
function reference(scope: DataScope, ref: string): Piece {
  const found = lookup(scope, ref);
  return found !== undefined && (typeof found.value !== 'object' || found.value === null)
    ? { kind: 'example', text: display(found.value), ref: ref.trim() }
    : { kind: 'placeholder', ref: ref.trim() };
}

/** A backtick expression: strings and references concatenated; anything that computes is a placeholder. */
function expression(scope: DataScope, body: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '\'') {
      let j = i + 1;
      let s = '';
      while (j < body.length && body[j] !== '\'') {
        if (body[j] === '\\' && j + 1 < body.length) j++;
        s += body[j++];
      }
      if (j >= body.length) return [{ kind: 'placeholder', ref: body.trim() }];
      out.push({ kind: 'text', text: s });
      i = j + 1;
    } else if (body.startsWith('${', i)) {
      const end = body.indexOf('}', i);
      if (end < 0) return [{ kind: 'placeholder', ref: body.trim() }];
      out.push(reference(scope, body.slice(i + 2, end)));
      i = end + 1;
    } else {
      // An operator or a number: the value is computed when the flow runs.
      return [{ kind: 'placeholder', ref: body.trim() }];
    }
  }
  return out;
}

/** The pieces as plain text, a placeholder as `‹ref›`. */
export function piecesText(pieces: Piece[]): string {
  return pieces.map((p) => (p.kind === 'placeholder' ? `‹${p.ref}›` : p.text)).join('');
}

/**
 * A property that is a whole value (`data-source`, `visible`, `src`, `init-value`): the literal, or
 * the example of the `${…}` it names. `ref` is the reference when there was one; `missing` when it
 * has no example.
 */
export function resolveValue(scope: DataScope, v: unknown): { readonly value: unknown; readonly ref?: string; readonly missing?: boolean } {
  if (typeof v !== 'string') return { value: v };
  const m = WHOLE_REF.exec(v.trim());
  if (!m) return { value: v };
  const found = lookup(scope, m[1]);
  return found ? { value: found.value, ref: m[1].trim() } : { value: undefined, ref: m[1].trim(), missing: true };
}
