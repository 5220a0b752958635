import { FlowConfigError } from './private/errors';
import { renderValue } from './private/messages';

/**
 * Whether a flow's content is checked against Meta's Flow JSON rules at synth.
 *
 * Errors fail synth, listing every finding with its file, line, JSON path and fix; warnings
 * become CDK warnings with the id `whatsapp-flow-cdk:<CODE>`, which can be acknowledged with
 * `Annotations.of(scope).acknowledgeWarning(id, reason)`.
 */
export class FlowValidation {
  /** Check the content; errors fail synth. The default. */
  public static readonly ENFORCE = new FlowValidation(true);

  /**
   * Do not check this flow's content at synth.
   *
   * @param reason why, for whoever reads the code next (required, shown in a synth message)
   */
  public static skip(reason: string): FlowValidation {
    if (typeof reason !== 'string' || reason.trim().length === 0) {
      throw new FlowConfigError(`FlowValidation.skip: a reason is required, got ${renderValue(reason)}; say why this flow's content is not checked`);
    }
    return new FlowValidation(false, reason.trim());
  }

  private constructor(
    /** Whether the content is checked. */
    public readonly enabled: boolean,
    /**
     * Why the check is skipped.
     * @default - not skipped
     */
    public readonly reason?: string,
  ) {}
}
