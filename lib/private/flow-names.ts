/**
 * One name per flow of a WABA, across the whole app: two constructs declaring the same WABA and
 * name would both claim one flow (and the second create fails on the taken name), so synth
 * refuses it, naming both construct paths. Names that differ only in case or surrounding spaces
 * get a warning: whether the service counts them as the same name is not documented.
 */
import { Annotations, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { FlowConfigError } from './errors';
import { renderValue } from './messages';
import { wabaAccountId } from '../shared/contract';

/** Construct id of the registry under the app's root. Frozen. */
const REGISTRY_ID = 'WhatsAppFlowNames.6f1c2d0e';

class FlowNameRegistry extends Construct {
  public readonly exact = new Map<string, string>();
  public readonly folded = new Map<string, { path: string; flowName: string }>();
}

/** Records that `scope` declares this flow; throws when another construct of the app already does. */
export function claimFlowName(scope: IConstruct, wabaId: string, flowName: string): void {
  if (Token.isUnresolved(wabaId) || Token.isUnresolved(flowName)) return;
  const root = scope.node.root;
  const registry = (root.node.tryFindChild(REGISTRY_ID) as FlowNameRegistry | undefined) ?? new FlowNameRegistry(root, REGISTRY_ID);
  const waba = wabaAccountId(wabaId);
  const key = `${waba}\n${flowName}`;
  const other = registry.exact.get(key);
  if (other !== undefined) {
    throw new FlowConfigError(
      `flowName ${renderValue(flowName)} is already declared for WABA ${renderValue(wabaId)} by ${other}; a name belongs to one flow of a WABA, so two constructs would claim the same flow: ` +
        'rename one of them (to hand a flow over to another construct, remove the old one and set adoptExisting on the new one)',
      scope,
    );
  }
  const foldedKey = `${waba}\n${flowName.trim().toLowerCase()}`;
  const similar = registry.folded.get(foldedKey);
  if (similar !== undefined) {
    Annotations.of(scope).addWarningV2(
      'whatsapp-flow-cdk:SimilarFlowName',
      `flowName ${renderValue(flowName)} differs only in case from ${renderValue(similar.flowName)} (${similar.path}) in the same WABA; if the service compares names without case, the second one to be created fails: make the names differ by more than case`,
    );
  }
  registry.exact.set(key, scope.node.path);
  registry.folded.set(foldedKey, { path: scope.node.path, flowName });
}
