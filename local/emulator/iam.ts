/**
 * Simulated IAM, keyed by the caller's access key id: each key may have an identity policy (Allow
 * statements of actions on resource ARNs, with IAM's wildcards); a call by a key that has one is
 * allowed only when a statement in effect allows its action on its resource. Keys without a
 * policy are unrestricted.
 *
 * Statements new to a key can be given a propagation delay (IAM is eventually consistent: a grant
 * takes seconds to apply); removals apply at once.
 */
import type { IncomingMessage } from 'http';

/** One Allow statement of a simulated identity policy. */
export interface IamGrant {
  /** Actions as `service:Action`, with IAM's `*` and `?` wildcards (compared case-insensitively). */
  readonly actions: readonly string[];
  /** Resource ARN patterns with `*` and `?` wildcards; `*` is every resource. */
  readonly resources: readonly string[];
}

/** Options of {@link FlowEmulator.setIdentityPolicy}. */
export interface IdentityPolicyOptions {
  /**
   * The caller as denial messages name it; its partition and account also complete the WABA ARN
   * of a call that names the WABA by id.
   * @default - `arn:aws:sts::<accountId>:assumed-role/emulator/<accessKeyId>`
   */
  readonly principal?: string;
  /**
   * Statements this key did not have before take effect only this long after the call (on the
   * emulator's clock, so `advanceTime()` moves past it); removed ones are gone at once.
   * @default 0
   */
  readonly propagationDelayMs?: number;
}

/** Who made a request, from its SigV4 signature. */
export interface Caller {
  readonly accessKeyId: string;
  /** The Region of the signature's credential scope. */
  readonly region?: string;
}

interface Pair {
  readonly action: string;
  readonly resource: string;
  readonly effectiveAt: number;
}

interface Identity {
  readonly principal?: string;
  readonly pairs: ReadonlyMap<string, Pair>;
}

/** The access key id and Region of a SigV4-signed request (header or pre-signed query), if signed. */
export function callerOf(req: IncomingMessage, url: URL): Caller | undefined {
  const header = String(req.headers.authorization ?? '');
  const credential = /Credential=([^,\s]+)/.exec(header)?.[1] ?? url.searchParams.get('X-Amz-Credential') ?? undefined;
  if (!credential) return undefined;
  const [accessKeyId, , region] = credential.split('/');
  return accessKeyId ? { accessKeyId, region: region || undefined } : undefined;
}

function pattern(glob: string, flags: string): RegExp {
  const body = glob.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, flags);
}

/** Whether an IAM action pattern matches an action (case-insensitive, as IAM compares them). */
export function actionMatches(patternText: string, action: string): boolean {
  return pattern(patternText, 'i').test(action);
}

/** Whether an IAM resource pattern matches an ARN (case-sensitive). */
export function resourceMatches(patternText: string, arn: string): boolean {
  return patternText === '*' || pattern(patternText, '').test(arn);
}

/** The identity policies of every access key. */
export class IdentityPolicies {
  private readonly keys = new Map<string, Identity>();

  /** Sets (or with undefined, removes) the policy of one key. `now` is the emulator's clock. */
  set(accessKeyId: string, grants: readonly IamGrant[] | undefined, options: IdentityPolicyOptions, now: number): void {
    if (grants === undefined) {
      this.keys.delete(accessKeyId);
      return;
    }
    const before = this.keys.get(accessKeyId)?.pairs;
    const pairs = new Map<string, Pair>();
    for (const g of grants) {
      for (const action of g.actions) {
        for (const resource of g.resources) {
          const id = `${action}\n${resource}`;
          if (pairs.has(id)) continue;
          const known = before?.get(id);
          pairs.set(id, known ?? { action, resource, effectiveAt: now + Math.max(0, options.propagationDelayMs ?? 0) });
        }
      }
    }
    this.keys.set(accessKeyId, { principal: options.principal, pairs });
  }

  /** The statements of a key (one action and one resource each), or undefined when it has no policy. */
  get(accessKeyId: string): IamGrant[] | undefined {
    const identity = this.keys.get(accessKeyId);
    return identity && [...identity.pairs.values()].map((p) => ({ actions: [p.action], resources: [p.resource] }));
  }

  /** The principal of a key, when it has a policy. */
  principal(accessKeyId: string): string | undefined {
    return this.keys.get(accessKeyId)?.principal;
  }

  /** Whether the key's policy is simulated at all. */
  restricts(caller: Caller | undefined): caller is Caller {
    return caller !== undefined && this.keys.has(caller.accessKeyId);
  }

  /**
   * Undefined when the call is allowed, else the denial message (as IAM words it). A caller
   * without a policy is allowed everything.
   */
  check(caller: Caller | undefined, action: string, resource: string, now: number, defaultAccount: string): string | undefined {
    if (!this.restricts(caller)) return undefined;
    const identity = this.keys.get(caller.accessKeyId)!;
    for (const p of identity.pairs.values()) {
      if (p.effectiveAt <= now && actionMatches(p.action, action) && resourceMatches(p.resource, resource)) return undefined;
    }
    const principal = identity.principal ?? `arn:aws:sts::${defaultAccount}:assumed-role/emulator/${caller.accessKeyId}`;
    return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
  }

  clear(): void {
    this.keys.clear();
  }
}

/** Partition and account of an ARN (`arn:<partition>:<service>:<region>:<account>:…`), when it is one. */
export function arnParts(arn: string | undefined): { partition: string; account: string } | undefined {
  const parts = arn?.split(':');
  if (!parts || parts.length < 6 || parts[0] !== 'arn' || !parts[1] || !parts[4]) return undefined;
  return { partition: parts[1], account: parts[4] };
}
