import { FindingSeverity } from '../finding';
import { CodeName } from './codes';
import { Version, compareVersions, isUnconfirmedCatalogue, formatVersion } from './versions';

/** One step of a JSON path: a property name or an array index. */
export type Seg = string | number;

/**
 * A JSON path as a persistent linked list: extending it costs O(1) whatever its depth, so walking
 * 10,000 levels of nesting stays linear. It is turned into an array only for a finding.
 */
export class Path {
  public static readonly ROOT = new Path(undefined, undefined);

  private constructor(private readonly parent: Path | undefined, private readonly seg: Seg | undefined) {}

  /** This path extended by the given steps. */
  public at(...segs: Seg[]): Path {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the start of a chain of paths, extended in a loop
    let p: Path = this;
    for (const seg of segs) p = new Path(p, seg);
    return p;
  }

  /** The steps from the root. */
  public segs(): Seg[] {
    const out: Seg[] = [];
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- walks up the chain in a loop, not by recursion, so deep documents cannot overflow the stack
    for (let p: Path | undefined = this; p && p.parent; p = p.parent) out.push(p.seg!);
    return out.reverse();
  }
}

/** A finding before its path and value are rendered. */
export interface RawFinding {
  readonly severity: FindingSeverity;
  readonly code: CodeName;
  readonly path: Path;
  readonly hasValue: boolean;
  readonly value: unknown;
  readonly message: string;
  readonly fix: string;
}

const NO_VALUE: unique symbol = Symbol('no value');

/**
 * At most this many findings are kept for one document: enough for any real document, and a
 * bound on time and output for a generated one that repeats one mistake a million times.
 */
export const MAX_FINDINGS = 1000;

/** Collects findings and carries what every check needs to know about the document. */
export class Ctx {
  public readonly findings: RawFinding[] = [];
  private omitted = 0;
  private omittedErrors = 0;
  /** The parsed `version`, or undefined when it is missing or malformed (then no version gate applies). */
  public version: Version | undefined;
  /** True when the document declares `data_api_version` (an endpoint flow). */
  public endpoint = false;

  constructor(public readonly publish: boolean) {}

  public error(code: CodeName, path: Path, message: string, fix: string, value: unknown = NO_VALUE): void {
    this.add(FindingSeverity.ERROR, code, path, message, fix, value);
  }

  public warn(code: CodeName, path: Path, message: string, fix: string, value: unknown = NO_VALUE): void {
    this.add(FindingSeverity.WARNING, code, path, message, fix, value);
  }

  /** An AWS-only restriction: an error for a flow to be published, a warning otherwise. */
  public aws(code: CodeName, path: Path, message: string, fix: string, value: unknown = NO_VALUE): void {
    this.add(this.publish ? FindingSeverity.ERROR : FindingSeverity.WARNING, code, path, message, fix, value);
  }

  public add(severity: FindingSeverity, code: CodeName, path: Path, message: string, fix: string, value: unknown = NO_VALUE): void {
    if (this.findings.length >= MAX_FINDINGS) {
      this.omitted++;
      if (severity === FindingSeverity.ERROR) this.omittedErrors++;
      return;
    }
    this.findings.push({ severity, code, path, hasValue: value !== NO_VALUE, value: value === NO_VALUE ? undefined : value, message, fix });
  }

  /** The findings, with a last one saying how many were left out past {@link MAX_FINDINGS}. */
  public result(): RawFinding[] {
    if (this.omitted === 0) return this.findings;
    return [...this.findings, {
      severity: this.omittedErrors > 0 ? FindingSeverity.ERROR : FindingSeverity.WARNING,
      code: 'TOO_MANY_FINDINGS',
      path: Path.ROOT,
      hasValue: false,
      value: undefined,
      message: `${this.omitted} more findings (${this.omittedErrors} of them errors) were left out after the first ${MAX_FINDINGS}`,
      fix: 'fix the findings above and validate again',
    }];
  }

  /** True when the document's version is at least `v` (or unknown: unknown versions gate nothing). */
  public atLeast(v: Version): boolean {
    return this.version === undefined || compareVersions(this.version, v) >= 0;
  }

  /** True when the version is known and below `v`. */
  public below(v: Version): boolean {
    return !this.atLeast(v);
  }

  /** True when the component catalogue for this version is not confirmed by the rules (7.0 and later, or unknown). */
  public get unconfirmedCatalogue(): boolean {
    return this.version === undefined || isUnconfirmedCatalogue(this.version);
  }

  /** Reports a feature used before the version that introduced it; returns false when it did. */
  public gate(since: Version | undefined, path: Path, what: string, value: unknown = NO_VALUE): boolean {
    if (since === undefined || this.atLeast(since)) return true;
    this.error('REQUIRES_NEWER_VERSION', path, `${what} requires Flow JSON version ${formatVersion(since)} or later, the document declares ${formatVersion(this.version!)}`,
      `raise "version" to ${formatVersion(since)} or later, or remove ${what}`, value);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Renders a path in Meta's style: `screens[0].layout.children[2].label`. */
export function renderPath(path: readonly Seg[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (seg.length <= 200 && IDENT.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg.length > 60 ? seg.slice(0, 60) + '…' : seg)}]`;
  }
  return out;
}

/** Longest rendered value. */
export const MAX_VALUE_CHARS = 80;

/**
 * Renders any value short: strings quoted, containers abbreviated. Never recursive over the
 * value, so a cyclic or very deep value cannot overflow the stack, and never longer than
 * {@link MAX_VALUE_CHARS} characters.
 */
export function renderValue(value: unknown): string {
  const out: string[] = [];
  let length = 0;
  const budget = MAX_VALUE_CHARS + 1;
  // Work list of values still to write, or literal text; depth limits containers to 2 levels.
  const stack: Array<{ v: unknown; depth: number } | string> = [{ v: value, depth: 0 }];
  while (stack.length > 0 && length < budget) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      length += item.length;
      continue;
    }
    const { v, depth } = item;
    let text: string;
    if (typeof v === 'string') {
      text = JSON.stringify(v.length > budget ? v.slice(0, budget) : v);
      if (v.length > budget) text = text.slice(0, -1);
    } else if (v === null || typeof v === 'number' || typeof v === 'boolean') {
      text = String(v);
    } else if (v === undefined) {
      text = 'undefined';
    } else if (Array.isArray(v)) {
      if (v.length === 0) text = '[]';
      else if (depth >= 2) text = '[…]';
      else {
        const parts: Array<{ v: unknown; depth: number } | string> = ['['];
        const n = Math.min(v.length, 10);
        for (let i = 0; i < n; i++) {
          if (i > 0) parts.push(',');
          parts.push({ v: v[i], depth: depth + 1 });
        }
        parts.push(v.length > n ? ',…]' : ']');
        for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
        continue;
      }
    } else if (typeof v === 'object') {
      const keys = Object.keys(v as object);
      if (keys.length === 0) text = '{}';
      else if (depth >= 2) text = '{…}';
      else {
        const parts: Array<{ v: unknown; depth: number } | string> = ['{'];
        const n = Math.min(keys.length, 10);
        for (let i = 0; i < n; i++) {
          parts.push(`${i > 0 ? ',' : ''}${JSON.stringify(keys[i].length > 40 ? keys[i].slice(0, 40) : keys[i])}:`);
          parts.push({ v: (v as Record<string, unknown>)[keys[i]], depth: depth + 1 });
        }
        parts.push(keys.length > n ? ',…}' : '}');
        for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
        continue;
      }
    } else {
      text = typeof v;
    }
    out.push(text);
    length += text.length;
  }
  const s = out.join('');
  return s.length > MAX_VALUE_CHARS ? s.slice(0, MAX_VALUE_CHARS - 1) + '…' : s;
}

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the checks

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON type name of a value, for messages. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function has(o: Obj, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** Number of Unicode code points (what Meta's character limits count; an emoji is one character). */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

export function isBlank(s: string): boolean {
  return s.trim().length === 0;
}

/** Quotes a name for a message. */
export function q(s: unknown): string {
  return typeof s === 'string' ? `"${s.length > 60 ? s.slice(0, 60) + '…' : s}"` : renderValue(s);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

