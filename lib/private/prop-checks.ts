/**
 * The checks of the props that `WhatsAppFlow` and `WhatsAppFlowDirectory` share, as synth errors
 * at the construct: the rules and their wording are in prop-rules.ts; here, tokens are skipped
 * and a problem becomes a FlowConfigError.
 */
import { RemovalPolicy, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { RemovalPolicyValue } from '../shared/contract';
import { FlowConfigError } from './errors';
import { renderValue } from './messages';
import { wabaIdProblem } from './prop-rules';

/** Throws when `value` is not a linked WABA's AWS id or ARN (a token passes). */
export function checkWabaId(scope: IConstruct, prop: string, value: unknown): void {
  if (typeof value === 'string' && Token.isUnresolved(value)) return;
  const problem = wabaIdProblem(prop, value);
  if (problem) throw new FlowConfigError(problem, scope);
}

/** The removal policies a flow supports, as the `RemovalPolicy` property carries them. */
const REMOVAL_POLICY_VALUES: ReadonlyMap<RemovalPolicy, string> = new Map([
  [RemovalPolicy.DESTROY, RemovalPolicyValue.DESTROY],
  [RemovalPolicy.RETAIN, RemovalPolicyValue.RETAIN],
  [RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, RemovalPolicyValue.RETAIN_EXCEPT_ON_CREATE],
]);

/** The `RemovalPolicy` property's value for a policy; throws for a policy a flow does not support (SNAPSHOT). */
export function removalPolicyValue(scope: IConstruct, policy: RemovalPolicy): string {
  const value = REMOVAL_POLICY_VALUES.get(policy);
  if (value === undefined) {
    throw new FlowConfigError(`removalPolicy ${renderValue(policy)} is not supported for a flow; use RemovalPolicy.DESTROY, RETAIN or RETAIN_ON_UPDATE_OR_DELETE`, scope);
  }
  return value;
}
