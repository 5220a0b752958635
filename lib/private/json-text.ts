import { createHash } from 'crypto';

/** The result of parsing a Flow JSON text. */
export interface ParsedJsonText {
  /** The text with a leading UTF-8 BOM removed. */
  readonly text: string;
  readonly value: unknown;
}

/** Thrown by {@link parseJsonText}; carries the 1-based line and column of the problem. */
export class JsonTextError extends Error {
  constructor(
    message: string,
    public readonly line: number,
    public readonly column: number,
  ) {
    super(message);
    this.name = 'JsonTextError';
  }
}

/** Parses JSON text, tolerating a UTF-8 BOM, with line:column in the error. */
export function parseJsonText(raw: string): ParsedJsonText {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  try {
    return { text, value: JSON.parse(text) };
  } catch (e) {
    const message = (e as Error).message;
    const m = /position (\d+)/.exec(message);
    const pos = m ? Number(m[1]) : text.length;
    const { line, column } = lineColumn(text, pos);
    const reason = message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of input (truncated file?)');
    throw new JsonTextError(`not valid JSON at line ${line}, column ${column}: ${lowerFirst(reason)}`, line, column);
  }
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0].toLowerCase() + s.slice(1) : s;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * The canonical form of a JSON value: object keys sorted by code unit, no white space, numbers
 * and strings as JSON.stringify writes them. Two documents that differ only in formatting or key
 * order have the same canonical form. Iterative, so deep nesting cannot overflow the stack.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Work items: a value to write, or a literal string to emit.
  const stack: Array<{ v: unknown } | { s: string }> = [{ v: value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('s' in item) {
      out.push(item.s);
      continue;
    }
    const v = item.v;
    if (v === null || typeof v !== 'object') {
      out.push(v === undefined ? 'null' : JSON.stringify(v));
      continue;
    }
    if (Array.isArray(v)) {
      const parts: Array<{ v: unknown } | { s: string }> = [{ s: '[' }];
      v.forEach((el, i) => {
        if (i > 0) parts.push({ s: ',' });
        parts.push({ v: el });
      });
      parts.push({ s: ']' });
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
      continue;
    }
    const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    const parts: Array<{ v: unknown } | { s: string }> = [{ s: '{' }];
    keys.forEach((k, i) => {
      parts.push({ s: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` });
      parts.push({ v: (v as Record<string, unknown>)[k] });
    });
    parts.push({ s: '}' });
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
  }
  return out.join('');
}

/** SHA-256 (hex) of the canonical form of a JSON value. */
export function canonicalSha256(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
