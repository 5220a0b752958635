/**
 * How serious a Flow JSON finding is.
 */
export enum FindingSeverity {
  /** Meta (or AWS, for a flow to be published) would refuse the document. */
  ERROR = 'error',
  /** Doubtful, or a rule the published sources do not confirm: the document may still be accepted. */
  WARNING = 'warning',
}

/**
 * One problem found in a Flow JSON document.
 */
export interface FlowJsonFinding {
  /** Whether the document would be refused (error) or is only doubtful (warning). */
  readonly severity: FindingSeverity;

  /**
   * A stable code: Meta's static validation error code where one fits (for example
   * `MISSING_TERMINAL_SCREEN`), otherwise one of ours in the same style (for example
   * `AWS_UNSUPPORTED_VERSION`). Every code is listed in the validator's README.
   */
  readonly code: string;

  /**
   * Where the problem is, as a dotted and indexed JSON path in Meta's style, for example
   * `screens[2].layout.children[0].label`; the empty string for the document itself.
   */
  readonly path: string;

  /**
   * The offending value, rendered short (at most about 80 characters).
   *
   * @default - no value (for example a missing property)
   */
  readonly value?: string;

  /** What is wrong, in lower case and without a final period. */
  readonly message: string;

  /** How to fix it, in one line. */
  readonly fix: string;

  /**
   * 1-based line of the problem in the validated text.
   *
   * @default - unknown (only `validateText` knows positions)
   */
  readonly line?: number;

  /**
   * 1-based column (in UTF-16 code units) of the problem in the validated text.
   *
   * @default - unknown (only `validateText` knows positions)
   */
  readonly column?: number;
}

/**
 * Options for validating a Flow JSON document.
 */
export interface FlowJsonValidationOptions {
  /**
   * Apply the checks that only matter for a flow that is to be published through AWS End User
   * Messaging Social: a version AWS cannot publish and an endpoint flow become errors instead of
   * warnings.
   *
   * @default false
   */
  readonly publish?: boolean;
}
