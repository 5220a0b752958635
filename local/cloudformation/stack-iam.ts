/**
 * Simulated IAM for the local deploy: each role of a stack is one access key id (derived from the
 * stack name and the role's logical id), the credentials of the containers of the functions that
 * run with that role; the role's policy at any moment of the stack operation is made of the
 * policies that exist at that moment (the engine creates, updates, restores and deletes them in
 * CloudFormation's order) and is given to the emulator, which checks every call against it.
 *
 * A role's policy is the Allow statements of:
 * - its inline `Policies`;
 * - the AWS::IAM::Policy and AWS::IAM::ManagedPolicy resources attached to it, by their `Roles`
 *   or by the role's `ManagedPolicyArns` (a `Ref` to the managed policy).
 * Deny statements, NotAction, NotResource, conditions and AWS managed policies are not modelled
 * (a Deny or a condition would only take permissions away: the simulation errs on allowing).
 */
import { createHash } from 'crypto';
import type { IamGrant } from '../emulator';
import type { LambdaCredentials } from '../lambda/host';
import { referencesOf, resolve, ResolveContext, TemplateResource } from './template';

/** The simulated credentials of a role of a stack (or, for a function whose role is not in the template, of the function). */
export function credentialsFor(stackName: string, principalId: string): LambdaCredentials {
  const digest = createHash('sha256').update(`${stackName}/${principalId}`).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let id = '';
  for (let i = 0; i < 16; i++) id += alphabet[digest[i] % 32];
  return { accessKeyId: `ASIA${id}`, secretAccessKey: digest.subarray(16).toString('base64'), sessionToken: 'local-session-token' };
}

/** The Allow statements of a policy document, resolved. */
export function grantsOf(document: unknown, ctx: ResolveContext): IamGrant[] {
  const doc = resolve(document ?? {}, ctx) as any;
  const statements: any[] = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
  const grants: IamGrant[] = [];
  for (const s of statements) {
    if (s?.Effect !== 'Allow' || s.Action === undefined || s.Resource === undefined) continue;
    grants.push({ actions: ([] as unknown[]).concat(s.Action).map(String), resources: ([] as unknown[]).concat(s.Resource).map(String) });
  }
  return grants;
}

/** What one IAM resource contributes to the roles of its template, as it is in place. */
export type IamPart =
  | { readonly kind: 'role'; readonly inline: IamGrant[]; readonly managedPolicies: ReadonlySet<string> }
  | { readonly kind: 'policy'; readonly grants: IamGrant[]; readonly roles: ReadonlySet<string> };

export const IAM_TYPES: ReadonlySet<string> = new Set(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);

/** Reads an IAM resource of a template (its properties resolved with `ctx`). */
export function iamPartOf(r: TemplateResource, resources: Record<string, TemplateResource>, ctx: ResolveContext): IamPart | undefined {
  const p = r.Properties ?? {};
  switch (r.Type) {
    case 'AWS::IAM::Role': {
      const inline = Array.isArray(p.Policies) ? p.Policies : [];
      return {
        kind: 'role',
        inline: inline.flatMap((x: any) => grantsOf(x?.PolicyDocument, ctx)),
        managedPolicies: referencesOf(p.ManagedPolicyArns ?? [], resources),
      };
    }
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      return { kind: 'policy', grants: grantsOf(p.PolicyDocument, ctx), roles: referencesOf(p.Roles ?? [], resources) };
    default:
      return undefined;
  }
}

/**
 * The policy of each role in place, from the IAM resources in place (by logical id): the role's
 * inline statements and those of every policy attached to it.
 */
export function rolePolicies(parts: ReadonlyMap<string, IamPart>): Map<string, IamGrant[]> {
  const out = new Map<string, IamGrant[]>();
  for (const [roleId, role] of parts) {
    if (role.kind !== 'role') continue;
    const grants = [...role.inline];
    for (const [policyId, policy] of parts) {
      if (policy.kind === 'policy' && (policy.roles.has(roleId) || role.managedPolicies.has(policyId))) grants.push(...policy.grants);
    }
    out.set(roleId, grants);
  }
  return out;
}
