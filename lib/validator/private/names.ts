/**
 * Near misses: the known name that a name nobody knows most likely misspells. A misspelt component
 * type, property, action or enum value is certainly broken whatever the version, so it is an error
 * that names the intended name, where a name far from every known one may be a later addition.
 */
import { Ctx, Path, q } from './context';

/** One name a misspelling may have meant, with its rank: 0 is the best place to look. */
export interface NameCandidate {
  readonly name: string;
  /** 0: valid here (this component, this version); 1: valid here in another version; 2: valid elsewhere. */
  readonly tier: number;
}

export interface NearMiss {
  readonly name: string;
  readonly distance: number;
  readonly tier: number;
}

/** Names longer than this are not compared (no catalogue name comes close). */
const MAX_COMPARED_LENGTH = 64;

/**
 * The Damerau-Levenshtein distance of two strings in its optimal string alignment form: the number
 * of single-character insertions, deletions, substitutions and transpositions of adjacent characters
 * that turn one into the other (no substring edited twice). Stops early: anything above `limit` is
 * returned as `limit + 1`.
 */
export function editDistance(a: string, b: string, limit = Number.MAX_SAFE_INTEGER): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > limit) return limit + 1;
  let before = new Array<number>(m + 1).fill(0);
  let previous = Array.from({ length: m + 1 }, (_, j) => j);
  let current = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        d = Math.min(d, before[j - 2] + 1);
      }
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[m], limit + 1);
}

/**
 * How far a misspelling may be from the name it means: one edit for names of up to 5 characters,
 * two for longer ones (a short name two edits away is usually another word).
 */
export function typoBudget(name: string): number {
  return name.length <= 5 ? 1 : 2;
}

/**
 * The candidate that `written` most likely misspells, compared case-insensitively, within the
 * candidate's {@link typoBudget}; undefined when none is that close. Ties go to the better tier,
 * then the smaller distance, then the alphabetically first name. The caller has made sure that
 * `written` is not itself a valid name (a different mistake, reported as such).
 */
export function nearMiss(written: string, candidates: Iterable<NameCandidate>): NearMiss | undefined {
  if (written.length === 0 || written.length > MAX_COMPARED_LENGTH) return undefined;
  const w = written.toLowerCase();
  let best: NearMiss | undefined;
  for (const c of candidates) {
    if (c.name === written) continue;
    const budget = typoBudget(c.name);
    const d = editDistance(w, c.name.toLowerCase(), budget);
    if (d > budget) continue;
    if (!best || c.tier < best.tier || (c.tier === best.tier && (d < best.distance || (d === best.distance && c.name < best.name)))) {
      best = { name: c.name, distance: d, tier: c.tier };
    }
  }
  return best;
}

/** Candidates of one tier. */
export function tier(names: Iterable<string>, rank: number): NameCandidate[] {
  return [...names].map((name) => ({ name, tier: rank }));
}

/**
 * Reports a value outside its enum (`INVALID_ENUM_VALUE`, in every version): a near miss of an
 * allowed value is named as the value meant. `what` names the property in the message, `key` in
 * the fix.
 */
export function enumError(ctx: Ctx, path: Path, what: string, allowed: readonly string[], value: string, key?: string): void {
  const miss = nearMiss(value, tier(allowed, 0));
  if (miss) {
    ctx.error('INVALID_ENUM_VALUE', path, `${what} must be one of ${allowed.join(', ')}, got ${q(value)}; did you mean ${q(miss.name)}?`,
      key ? `write "${key}": "${miss.name}"` : `write "${miss.name}"`, value);
  } else {
    ctx.error('INVALID_ENUM_VALUE', path, `${what} must be one of ${allowed.join(', ')}, got ${q(value)}`, `use one of ${allowed.join(', ')}`, value);
  }
}
