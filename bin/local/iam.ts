/**
 * Simulated IAM for the local deploy: which WABAs the provider's role may act on while each
 * event runs, from the policies of the templates and the order CloudFormation creates, updates
 * and deletes them in.
 *
 * The emulator's IAM knows WABAs only (not actions), so a WABA counts as granted when an Allow
 * statement of a policy attached to the role grants any social-messaging action on it.
 *
 * CloudFormation runs independent resources in parallel, so a policy is only counted on when
 * the order is guaranteed by a dependency:
 * - a policy added by the update exists for an event only if the resource depends on it;
 * - a policy changed by the update has its new statements only for resources that depend on it,
 *   and otherwise only what the old and new statements share;
 * - a policy removed by the update lives until the cleanup phase, where it outlives only the
 *   old resources that depended on it;
 * - a rollback puts changed policies back before the new resources are deleted (rollback cleanup);
 * - a stack deletion deletes a policy after the resources that depend on it, and only those.
 */
import { LocalEnvironment, resolve, ResolveContext, TemplateResource } from './template';

/** The WABAs a policy grants: all of them, or a set of `waba-<id>`. */
export interface WabaGrant {
  readonly all: boolean;
  readonly wabas: ReadonlySet<string>;
}

const NONE: WabaGrant = { all: false, wabas: new Set() };
const ALL: WabaGrant = { all: true, wabas: new Set() };

/** When an event runs, relative to the stack operation. */
export type Phase = 'update' | 'rollback' | 'rollback-cleanup' | 'cleanup' | 'destroy';

/** The policies of one template that apply to the provider function's role, by logical id. */
export interface RoleGrants {
  /** The role's logical id, or undefined when the role is not in the template (not simulated). */
  readonly roleId?: string;
  readonly policies: ReadonlyMap<string, WabaGrant>;
}

/**
 * The WABA grants of the policies attached to the role of the function `functionId`: its
 * AWS::IAM::Policy and AWS::IAM::ManagedPolicy resources (by `Roles`, or by the role's
 * `ManagedPolicyArns`) and the role's inline `Policies`.
 */
export function roleGrants(resources: Record<string, TemplateResource>, functionId: string | undefined, ctx: ResolveContext): RoleGrants {
  const fn = functionId ? resources[functionId] : undefined;
  const role = fn?.Properties?.Role as unknown;
  const roleId = role && typeof role === 'object' && Array.isArray((role as any)['Fn::GetAtt']) ? String((role as any)['Fn::GetAtt'][0]) : undefined;
  if (!roleId || resources[roleId]?.Type !== 'AWS::IAM::Role') return { policies: new Map() };

  const policies = new Map<string, WabaGrant>();
  const roleProps = resources[roleId].Properties ?? {};
  const inline = Array.isArray(roleProps.Policies) ? roleProps.Policies : [];
  if (inline.length > 0) {
    policies.set(roleId, union(inline.map((p: any) => grantOf(p?.PolicyDocument, ctx))));
  }
  const attachedByRole = new Set(
    (Array.isArray(roleProps.ManagedPolicyArns) ? roleProps.ManagedPolicyArns : [])
      .map((a: any) => (a && typeof a === 'object' && typeof a.Ref === 'string' ? a.Ref : undefined))
      .filter((x: unknown): x is string => typeof x === 'string'),
  );
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const roles = Array.isArray(r.Properties?.Roles) ? (r.Properties!.Roles as unknown[]) : [];
    const attached = attachedByRole.has(id) || roles.some((x: any) => x && typeof x === 'object' && x.Ref === roleId);
    if (attached) policies.set(id, grantOf(r.Properties?.PolicyDocument, ctx));
  }
  return { roleId, policies };
}

function grantOf(document: unknown, ctx: ResolveContext): WabaGrant {
  const doc = resolve(document ?? {}, ctx) as any;
  const statements: any[] = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
  const wabas = new Set<string>();
  for (const s of statements) {
    if (s?.Effect !== 'Allow' || s.Action === undefined) continue;
    const actions: string[] = ([] as unknown[]).concat(s.Action).map((a) => String(a).toLowerCase());
    if (!actions.some((a) => a === '*' || a.startsWith('social-messaging:'))) continue;
    for (const resource of ([] as unknown[]).concat(s.Resource ?? [])) {
      const w = wabaOf(String(resource), ctx.env);
      if (w === 'all') return ALL;
      if (w) wabas.add(w);
    }
  }
  return { all: false, wabas };
}

/** The WABA an ARN pattern names in this account and Region: `waba-<id>`, 'all', or undefined. */
function wabaOf(arn: string, env: LocalEnvironment): string | 'all' | undefined {
  if (arn === '*') return 'all';
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  if (!glob(partition, env.partition) || !glob(service, 'social-messaging') || !glob(region, env.region) || !glob(account, env.accountId)) {
    return undefined;
  }
  if (resource === '*') return 'all';
  const m = /^waba\/(.+)$/.exec(resource);
  if (!m) return undefined;
  return /[*?]/.test(m[1]) ? 'all' : `waba-${m[1]}`;
}

function glob(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  return re.test(value);
}

function union(grants: WabaGrant[]): WabaGrant {
  if (grants.some((g) => g.all)) return ALL;
  return { all: false, wabas: new Set(grants.flatMap((g) => [...g.wabas])) };
}

function intersection(a: WabaGrant, b: WabaGrant): WabaGrant {
  if (a.all) return b;
  if (b.all) return a;
  return { all: false, wabas: new Set([...a.wabas].filter((w) => b.wabas.has(w))) };
}

/** One stack operation's IAM: the old and new templates' grants and dependencies. */
export class IamSimulation {
  constructor(
    private readonly old: RoleGrants | undefined,
    private readonly next: RoleGrants | undefined,
    private readonly oldDeps: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly newDeps: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  /** Whether the role is in a template at all; if not, every WABA is allowed. */
  get simulated(): boolean {
    return Boolean(this.old?.roleId ?? this.next?.roleId);
  }

  /**
   * The WABAs the role may act on while the event of `logicalId` runs in `phase`; undefined
   * when all are (or IAM is not simulated).
   */
  allowedWabas(phase: Phase, logicalId: string): string[] | undefined {
    if (!this.simulated) return undefined;
    const oldPolicies = this.old?.policies ?? new Map<string, WabaGrant>();
    const newPolicies = this.next?.policies ?? new Map<string, WabaGrant>();
    const oldDeps = this.oldDeps.get(logicalId) ?? new Set<string>();
    const newDeps = this.newDeps.get(logicalId) ?? new Set<string>();
    const grants: WabaGrant[] = [];
    for (const id of new Set([...oldPolicies.keys(), ...newPolicies.keys()])) {
      const before = oldPolicies.get(id);
      const after = newPolicies.get(id);
      grants.push(this.grantDuring(phase, before, after, oldDeps.has(id), newDeps.has(id)));
    }
    const all = union(grants);
    return all.all ? undefined : [...all.wabas].sort();
  }

  private grantDuring(phase: Phase, before: WabaGrant | undefined, after: WabaGrant | undefined, oldDependsOn: boolean, newDependsOn: boolean): WabaGrant {
    switch (phase) {
      case 'update':
      case 'rollback':
        if (before && !after) return before; // removed: deleted in the cleanup phase only
        if (!before && after) return newDependsOn ? after : NONE; // added: created before dependents only
        return newDependsOn ? after! : intersection(before!, after!); // changed: updated before dependents only
      case 'rollback-cleanup':
        if (before) return before; // kept, or put back by the rollback
        return newDependsOn ? after! : NONE; // added: deleted after its dependents only
      case 'cleanup':
        if (after) return after;
        return oldDependsOn ? before! : NONE; // removed: deleted after the old resources that depended on it
      case 'destroy':
        return (oldDependsOn ? before : undefined) ?? NONE;
    }
  }
}
