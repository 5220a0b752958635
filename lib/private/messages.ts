/**
 * How messages show what they are about: a value (quoted, short) and a path (as the user knows
 * it). Node built-ins only, so that the CLI writes its messages as synth does.
 */
import * as path from 'path';

/** Renders a value for an error message: quoted strings, short, never a whole document. */
export function renderValue(value: unknown, max = 80): string {
  // A prop left out by a JavaScript caller: no message shows the word "undefined".
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A path as the user knows it: relative to the current directory when inside it. */
export function displayPath(p: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
