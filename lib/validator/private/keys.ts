/**
 * Unknown keys (rules C8, D3) and misspelt ones. A key that is valid nowhere but is a near miss of
 * a known key is a typo: an error in every version, naming the key meant. When that key belongs
 * where it was written, the checks go on as if it had been spelt right (a view of the object with
 * the key renamed), so that one typo gives one finding and not a cascade (a missing required
 * property, an action that is never checked, a screen that seems unreachable).
 */
import { ALL_KEYS, PropSpec } from './catalogue';
import { Ctx, Obj, Path, has, q } from './context';
import { NameCandidate, nearMiss, tier } from './names';

/** The keys an owner accepts: in this version, and in other versions (those are gated elsewhere). */
export interface KeySpace {
  readonly now: readonly string[];
  readonly later?: readonly string[];
  /** `now` and `later` together, when computed once for many objects. */
  readonly all?: ReadonlySet<string>;
}

/** Key spaces by document (its version decides them) and property spec. */
const SPACES = new WeakMap<Ctx, Map<object, KeySpace>>();

/** The keys of a property spec, split by whether this document's version has them (computed once per spec and document). */
export function keySpace(ctx: Ctx, props: Readonly<Record<string, PropSpec>>): KeySpace {
  let bySpec = SPACES.get(ctx);
  if (!bySpec) SPACES.set(ctx, (bySpec = new Map()));
  let space = bySpec.get(props);
  if (!space) {
    const now: string[] = [];
    const later: string[] = [];
    for (const [key, p] of Object.entries(props)) (p.since === undefined || ctx.atLeast(p.since) ? now : later).push(key);
    bySpec.set(props, (space = { now, later, all: new Set([...now, ...later]) }));
  }
  return space;
}

/** Candidates of the third tier: every key known anywhere. */
const EVERYWHERE: readonly NameCandidate[] = tier(ALL_KEYS, 2);

/** For each view made by {@link checkKeys}: the key as written, by the key it stands for. */
const WRITTEN = new WeakMap<object, Map<string, string>>();

/** The key as the document writes it: the misspelling, when `obj` is a view that renamed it. */
export function writtenKey(obj: object, key: string): string {
  return WRITTEN.get(obj)?.get(key) ?? key;
}

/** The path of a key of `obj`, as the document writes it. */
export function keyPath(path: Path, obj: object, key: string): Path {
  return path.at(writtenKey(obj, key));
}

/**
 * Reports every key of `obj` that `space` does not list, and returns the object to check further:
 * `obj` itself, or a view of it in which each misspelt key of `space` is renamed to the key meant.
 *
 * - a near miss of a known key (and valid nowhere itself): `INVALID_PROPERTY_KEY`, an error in every
 *   version, naming the key meant;
 * - any other unknown key: an error at `strict` places (the document, a screen, the layout) and where
 *   the catalogue is confirmed (before 7.0), otherwise `UNCONFIRMED_PROPERTY_KEY`, a warning (the
 *   7.x deltas are UNCONFIRMED).
 *
 * `skip` is a key checked elsewhere (a component's `type`).
 */
export function checkKeys(ctx: Ctx, obj: Obj, path: Path, owner: string, space: KeySpace, strict: boolean, skip?: string): Obj {
  const now = space.now;
  const later = space.later ?? [];
  const known = space.all ?? new Set([...now, ...later]);
  const renames = new Map<string, string>(); // written -> meant
  for (const key of Object.keys(obj)) {
    if (key === skip || known.has(key)) continue;
    const value = obj[key];
    const kpath = path.at(key);
    const miss = nearMiss(key, [...tier(now, 0), ...tier(later, 1), ...EVERYWHERE]);
    if (miss && !ALL_KEYS.has(key)) {
      const here = miss.tier <= 1;
      ctx.error('INVALID_PROPERTY_KEY', kpath, `unknown property ${q(key)} on ${owner}; did you mean ${q(miss.name)}?`,
        here ? `rename it ${q(miss.name)}` : `remove it: ${owner} does not take ${q(miss.name)} either; it accepts ${list(now)}`, value);
      if (here && !has(obj, miss.name) && ![...renames.values()].includes(miss.name)) renames.set(key, miss.name);
      continue;
    }
    // Valid elsewhere (another component's property, another place's key) or far from every known key.
    const meant = miss && miss.tier <= 1 ? miss.name : undefined;
    const fix = meant ? `did you mean ${q(meant)}? rename it` : `remove it; ${owner} accepts ${list(now)}`;
    if (strict || !ctx.unconfirmedCatalogue) {
      ctx.error('INVALID_PROPERTY_KEY', kpath, `unknown property ${q(key)} on ${owner}`, fix, value);
    } else {
      ctx.warn('UNCONFIRMED_PROPERTY_KEY', kpath, `property ${q(key)} on ${owner} is not in the catalogue this validator knows; versions from 7.0 may have added it`, fix, value);
    }
  }
  if (renames.size === 0) return obj;
  const view: Obj = {};
  const written = new Map<string, string>();
  for (const key of Object.keys(obj)) {
    const meant = renames.get(key);
    view[meant ?? key] = obj[key];
    if (meant) written.set(meant, key);
  }
  WRITTEN.set(view, written);
  return view;
}

function list(keys: readonly string[]): string {
  return keys.length > 0 ? keys.join(', ') : 'no other property';
}
