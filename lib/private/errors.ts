import { IConstruct } from 'constructs';

/**
 * A synth-time error that points at the user's code: the construct path when there is one,
 * then what is wrong, the value received and the fix (lower case, no final period).
 */
export class FlowConfigError extends Error {
  /** Declared, not defined: an error without a scope has no such property, so Node prints no `constructPath: undefined`. */
  declare public readonly constructPath?: string;

  constructor(message: string, scope?: IConstruct) {
    super(scope ? `${scope.node.path}: ${message}` : message);
    this.name = 'FlowConfigError';
    if (scope) Object.defineProperty(this, 'constructPath', { value: scope.node.path, enumerable: true });
  }
}

/** Renders a value for an error message: quoted strings, short, never a whole document. */
export function show(value: unknown, max = 80): string {
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
