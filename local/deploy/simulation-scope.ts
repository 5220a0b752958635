/**
 * What the local deploy of a user's app simulates in each stack, and what it cannot: it deploys
 * the flows (Custom::WhatsAppFlow) through the functions that serve them, under the simulated IAM
 * of the stack's roles and policies; every other resource is skipped (not created anywhere).
 *
 * A flow is blocked when one of its properties needs a value the local deploy cannot know: a
 * resource it skips (an SSM parameter, a bucket, another custom resource), a template parameter
 * without a Default or read from SSM, a value imported from another stack (Fn::ImportValue), or a
 * flow that is blocked itself. So is every flow of a function whose handler, runtime, memory,
 * timeout or environment needs such a value.
 */
import { RESOURCE_TYPE } from '../../lib/shared/contract';
import { IAM_TYPES } from '../cloudformation/stack-iam';
import { activeResources, LocalEnvironment, Template, TemplateError, visitReferences } from '../cloudformation/template';

/** A resource that is not simulated. */
export interface SkippedResource {
  readonly logicalId: string;
  readonly type: string;
}

/** A flow the local deploy cannot deploy, and why. */
export interface BlockedFlow {
  readonly logicalId: string;
  /** The flow's name, when it is a literal. */
  readonly flowName?: string;
  readonly reasons: string[];
}

export interface SimulationScope {
  readonly flows: string[];
  readonly skipped: SkippedResource[];
  readonly blocked: BlockedFlow[];
}

/** Not a resource of the account: CDK's version reporting. */
const NOT_A_RESOURCE = new Set(['AWS::CDK::Metadata']);
const PSEUDO = new Set(['AWS::Partition', 'AWS::Region', 'AWS::AccountId', 'AWS::StackName', 'AWS::StackId', 'AWS::URLSuffix', 'AWS::NoValue', 'AWS::NotificationARNs']);
/** The properties of a function that its local run uses. */
const FUNCTION_RUNTIME_PROPERTIES = ['Handler', 'Runtime', 'MemorySize', 'Timeout', 'Environment'];

export function simulationScope(template: Template, env: LocalEnvironment): SimulationScope {
  let resources;
  try {
    resources = activeResources(template, env);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    // A condition the local deploy cannot evaluate: every flow waits on it.
    const flows = Object.entries(template.Resources ?? {}).filter(([, r]) => r?.Type === RESOURCE_TYPE).map(([id]) => id);
    return { flows, skipped: [], blocked: flows.map((id) => ({ logicalId: id, flowName: literalName(template.Resources?.[id]?.Properties), reasons: [`the template's conditions cannot be evaluated locally: ${e.message}`] })) };
  }
  const flows = Object.keys(resources).filter((id) => resources[id].Type === RESOURCE_TYPE);
  const functions = new Set<string>();
  const direct = new Map<string, string[]>();
  const flowRefs = new Map<string, Set<string>>();

  for (const id of flows) {
    const props = resources[id].Properties ?? {};
    const reasons: string[] = [];
    const refs = new Set<string>();
    const servedBy = needsOf(props.ServiceToken, template, resources)
      .filter((n): n is Extract<Need, { kind: 'resource' }> => n.kind === 'resource' && resources[n.id].Type === 'AWS::Lambda::Function')
      .map((n) => n.id);
    if (servedBy.length === 0) reasons.push(`ServiceToken is not a Lambda function of this stack (${JSON.stringify(props.ServiceToken)}); the local deploy runs only the stack's own functions`);
    for (const [key, value] of Object.entries(props)) {
      if (key === 'ServiceToken' && servedBy.length > 0) continue;
      for (const need of needsOf(value, template, resources)) {
        if (need.kind === 'resource' && resources[need.id].Type === RESOURCE_TYPE) refs.add(need.id);
        else reasons.push(`${key} ${describeNeed(need, resources)}`);
      }
    }
    for (const fn of servedBy) {
      functions.add(fn);
      const fp = resources[fn].Properties ?? {};
      for (const key of FUNCTION_RUNTIME_PROPERTIES) {
        for (const need of needsOf(fp[key], template, resources)) {
          if (need.kind === 'resource') continue; // another resource's name or ARN: a local stand-in does
          reasons.push(`its provider function ${fn}: ${key} ${describeNeed(need, resources)}`);
        }
      }
    }
    direct.set(id, reasons);
    flowRefs.set(id, refs);
  }

  // A flow that refers to a blocked flow is blocked too.
  const blocked = new Map<string, string[]>([...direct].filter(([, r]) => r.length > 0));
  for (let changed = true; changed;) {
    changed = false;
    for (const id of flows) {
      if (blocked.has(id)) continue;
      const on = [...(flowRefs.get(id) ?? [])].filter((r) => blocked.has(r));
      if (on.length > 0) {
        blocked.set(id, on.map((r) => `refers to flow ${r}, which cannot be deployed locally`));
        changed = true;
      }
    }
  }

  const simulated = (id: string) => resources[id].Type === RESOURCE_TYPE || functions.has(id) || IAM_TYPES.has(resources[id].Type);
  const skipped = Object.keys(resources)
    .filter((id) => !simulated(id) && !NOT_A_RESOURCE.has(resources[id].Type))
    .map((id) => ({ logicalId: id, type: resources[id].Type }));
  return {
    flows,
    skipped,
    blocked: flows.filter((id) => blocked.has(id)).map((id) => ({ logicalId: id, flowName: literalName(resources[id].Properties), reasons: blocked.get(id)! })),
  };
}

type Need =
  | { readonly kind: 'resource'; readonly id: string }
  | { readonly kind: 'parameter'; readonly name: string; readonly problem: 'no-default' | 'ssm'; readonly ssmName?: string }
  | { readonly kind: 'import'; readonly what: string }
  | { readonly kind: 'unknown'; readonly name: string };

/** What a value needs that the template alone does not give: resources, parameters, imports. */
function needsOf(value: unknown, template: Template, resources: Record<string, unknown>): Need[] {
  const needs: Need[] = [];
  const name = (n: string) => {
    const base = n.split('.')[0];
    if (PSEUDO.has(n)) return;
    if (base in resources) {
      needs.push({ kind: 'resource', id: base });
      return;
    }
    const parameter = template.Parameters?.[n];
    if (parameter) {
      if (typeof parameter.Type === 'string' && parameter.Type.startsWith('AWS::SSM::Parameter::Value')) {
        needs.push({ kind: 'parameter', name: n, problem: 'ssm', ssmName: typeof parameter.Default === 'string' ? parameter.Default : undefined });
      } else if (parameter.Default === undefined) {
        needs.push({ kind: 'parameter', name: n, problem: 'no-default' });
      }
      return;
    }
    if (!(n in (template.Resources ?? {}))) needs.push({ kind: 'unknown', name: n });
  };
  visitReferences(value, { name, importValue: (arg) => needs.push({ kind: 'import', what: JSON.stringify(arg) }) });
  return needs;
}

function describeNeed(need: Need, resources: Record<string, { Type: string }>): string {
  switch (need.kind) {
    case 'resource':
      return `refers to ${need.id} (${resources[need.id].Type}), which the local deploy does not create`;
    case 'parameter':
      return need.problem === 'ssm'
        ? `uses parameter ${need.name}, whose value CloudFormation reads from SSM${need.ssmName ? ` (${need.ssmName})` : ''}; the local deploy cannot read it`
        : `uses parameter ${need.name}, which has no Default for the local deploy to use`;
    case 'import':
      return `imports ${need.what} from another stack (Fn::ImportValue), which the local deploy cannot resolve`;
    case 'unknown':
      return `refers to ${need.name}, which is no resource or parameter of the template`;
    default:
      return '';
  }
}

function literalName(props: Record<string, unknown> | undefined): string | undefined {
  return typeof props?.FlowName === 'string' ? props.FlowName : undefined;
}
