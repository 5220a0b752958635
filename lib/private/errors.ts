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
