/**
 * Mutation measurement of the validator (issue 12): mistakes people make, planted one at a time in
 * real documents, and how many the validator reports as errors; and the errors it reports on the
 * documents as they are, where the verdict files record none (false alarms).
 *
 * Kinds of mistake: a misspelt component type, property name, action name or enum value; a navigate
 * to a screen that does not exist; a reference to a data field the screen does not declare; a
 * required property deleted. A misspelling is one or two edits (insert, delete, substitute, swap two
 * neighbours, change case) within the near-miss budget of the name (1 edit up to 5 characters, 2
 * above); a misspelling that is itself a valid name is generated but not counted ("not eligible").
 *
 * Deterministic: the same documents give the same mutants on every run. Used by `npm run mutants`
 * (scripts/mutants.ts) and by a fast jest test over a sample.
 */
import { FindingSeverity, FlowJsonFinding, FlowJsonValidator } from '../../lib/validator';
import { ACTIONS, ALL_KEYS, COMMON_PROPS, COMPONENTS, ComponentSpec, DAYS, NEXT_TYPES, PropSpec } from '../../lib/validator/private/catalogue';
import { Seg, isObject, renderPath } from '../../lib/validator/private/context';
import { editDistance, typoBudget } from '../../lib/validator/private/names';
import { compareVersions, parseVersion } from '../../lib/validator/private/versions';

export const MUTATION_KINDS = [
  'component type',
  'property name',
  'action name',
  'enum value',
  'navigate target',
  'undeclared data field',
  'deleted required property',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

/** One planted mistake. */
export interface Mutant {
  readonly kind: MutationKind;
  readonly document: string;
  /** Where the mistake is, in the validator's path notation. */
  readonly path: string;
  /** The name before and after (for a deletion: the property deleted). */
  readonly original: string;
  readonly changed: string;
  /** A misspelling that is itself a valid name is another mistake, not counted. */
  readonly eligible: boolean;
  readonly doc: unknown;
}

export type Verdict = 'error' | 'warning only' | 'missed';

export interface Judged {
  readonly mutant: Mutant;
  readonly verdict: Verdict;
  /** For a misspelling caught as an error: a new error names the original name ("did you mean …"). */
  readonly namesOriginal: boolean;
  /** The new findings, one line each (for a report of what was missed). */
  readonly newFindings: string[];
}

export interface MutantOptions {
  /** At most this many sites per kind and document (spread over the document). */
  readonly perKind?: number;
}

/** All the mutants of one document. */
export function mutantsOf(document: string, doc: unknown, options: MutantOptions = {}): Mutant[] {
  if (!isObject(doc) || !Array.isArray(doc.screens)) return [];
  const version = parseVersion(doc.version);
  const sites = collectSites(doc, version);
  const out: Mutant[] = [];
  for (const kind of MUTATION_KINDS) {
    const mine = spread(sites.filter((s) => s.kind === kind), options.perKind ?? Number.MAX_SAFE_INTEGER);
    for (const site of mine) {
      const rng = random(`${document}|${kind}|${renderPath(site.path)}`);
      const m = site.mutate(rng);
      out.push({ kind, document, path: renderPath(site.path), original: m.original, changed: m.changed, eligible: m.eligible, doc: setAt(doc, site.path, m.apply) });
    }
  }
  return out;
}

/** Validates a mutant and compares it with the unmutated document's findings. */
export function judge(mutant: Mutant, before: readonly FlowJsonFinding[]): Judged {
  // A finding under a renamed property has the misspelt key in its path: it is the same finding.
  const segment = new RegExp(`(^|\\.)${mutant.changed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[.[])`, 'g');
  const unrename = (s: string) => (mutant.kind === 'property name' ? s.replace(segment, `$1${mutant.original}`) : s);
  const key = (f: FlowJsonFinding) => `${f.severity}|${f.code}|${unrename(f.path)}|${unrename(f.message)}`;
  const old = new Set(before.map(key));
  const fresh = FlowJsonValidator.validateObject(mutant.doc).filter((f) => !old.has(key(f)));
  const errors = fresh.filter((f) => f.severity === FindingSeverity.ERROR);
  const verdict: Verdict = errors.length > 0 ? 'error' : fresh.length > 0 ? 'warning only' : 'missed';
  const quoted = `"${mutant.original}"`;
  return {
    mutant,
    verdict,
    namesOriginal: errors.some((f) => f.message.includes(`did you mean ${quoted}`)),
    newFindings: fresh.map((f) => FlowJsonValidator.formatFinding(f)),
  };
}

/** One row of the report: a kind of mistake. */
export interface KindRow {
  readonly kind: MutationKind;
  readonly generated: number;
  readonly eligible: number;
  readonly error: number;
  readonly warningOnly: number;
  readonly missed: number;
  /** Misspellings only: errors that name the original name. */
  readonly namesOriginal?: number;
  /** Caught with exactly one new finding (no follow-on findings). */
  readonly single: number;
}

export interface FalseAlarms {
  /** Documents (and modes) the verdict files record without errors. */
  readonly recordedValid: number;
  /** Of those, the ones that got an error anyway, with the errors. */
  readonly withErrors: Array<{ document: string; mode: 'draft' | 'publish'; errors: string[] }>;
}

export interface Measurement {
  readonly rows: KindRow[];
  readonly judged: Judged[];
  readonly falseAlarms: FalseAlarms;
}

/** A document and what its verdict file records for it. */
export interface MeasuredDocument {
  readonly name: string;
  readonly text: string;
  readonly recorded?: { readonly draft: { readonly errors: readonly string[] }; readonly publish: { readonly errors: readonly string[] } };
}

const TYPO_KINDS: ReadonlySet<MutationKind> = new Set(['component type', 'property name', 'action name', 'enum value']);

/** Mutates every document, validates every mutant, and counts; also counts false alarms. */
export function measure(documents: readonly MeasuredDocument[], options: MutantOptions = {}): Measurement {
  const judged: Judged[] = [];
  let recordedValid = 0;
  const withErrors: FalseAlarms['withErrors'] = [];
  for (const d of documents) {
    for (const [mode, publish] of [['draft', false], ['publish', true]] as const) {
      if (!d.recorded || d.recorded[mode].errors.length > 0) continue;
      recordedValid++;
      const errors = FlowJsonValidator.validateText(d.text, { publish }).filter((f) => f.severity === FindingSeverity.ERROR);
      if (errors.length > 0) withErrors.push({ document: d.name, mode, errors: errors.map((f) => FlowJsonValidator.formatFinding(f)) });
    }
    const doc = JSON.parse(d.text.charCodeAt(0) === 0xfeff ? d.text.slice(1) : d.text);
    const before = FlowJsonValidator.validateObject(doc);
    for (const m of mutantsOf(d.name, doc, options)) judged.push(judge(m, before));
  }
  const rows = MUTATION_KINDS.map((kind): KindRow => {
    const all = judged.filter((j) => j.mutant.kind === kind);
    const counted = all.filter((j) => j.mutant.eligible);
    return {
      kind,
      generated: all.length,
      eligible: counted.length,
      error: counted.filter((j) => j.verdict === 'error').length,
      warningOnly: counted.filter((j) => j.verdict === 'warning only').length,
      missed: counted.filter((j) => j.verdict === 'missed').length,
      single: counted.filter((j) => j.verdict === 'error' && j.newFindings.length === 1).length,
      ...(TYPO_KINDS.has(kind) ? { namesOriginal: counted.filter((j) => j.verdict === 'error' && j.namesOriginal).length } : {}),
    };
  });
  return { rows, judged, falseAlarms: { recordedValid, withErrors } };
}

// ---------------------------------------------------------------------------------------------
// Sites: where each kind of mistake can be planted

type Rng = () => number;
type Obj = Record<string, unknown>;

interface Planted {
  readonly original: string;
  readonly changed: string;
  readonly eligible: boolean;
  /** The new value of the site's parent object. */
  readonly apply: (parent: Obj) => Obj;
}

interface Site {
  readonly kind: MutationKind;
  /** Path of the object that changes. */
  readonly path: Seg[];
  readonly mutate: (rng: Rng) => Planted;
}

const PROPERTY_ENUMS = (spec: ComponentSpec): Record<string, readonly string[]> =>
  Object.fromEntries(Object.entries({ ...spec.props, ...COMMON_PROPS }).filter(([, p]) => p.enum).map(([k, p]) => [k, (p as PropSpec).enum!]));

function collectSites(doc: Obj, version: readonly [number, number] | undefined): Site[] {
  const sites: Site[] = [];
  const screens = doc.screens as unknown[];
  const ids = new Set(screens.filter(isObject).map((s) => s.id).filter((id): id is string => typeof id === 'string'));
  screens.forEach((screen, i) => {
    if (!isObject(screen)) return;
    const base: Seg[] = ['screens', i];
    const declared = isObject(screen.data) ? new Set(Object.keys(screen.data)) : new Set<string>();
    if (typeof screen.title === 'string') dataSites(sites, [...base], 'title', screen.title, declared);
    const layout = screen.layout;
    if (!isObject(layout) || !Array.isArray(layout.children)) return;
    const work: Array<{ value: unknown; path: Seg[] }> = layout.children.map((value, k) => ({ value, path: [...base, 'layout', 'children', k] }));
    while (work.length > 0) {
      const { value: comp, path } = work.shift()!;
      if (!isObject(comp) || typeof comp.type !== 'string') continue;
      const type = comp.type;
      const spec = Object.prototype.hasOwnProperty.call(COMPONENTS, type) ? COMPONENTS[type] : undefined;
      // Child lists of the containers.
      for (const list of ['children', 'then', 'else']) {
        const l = comp[list];
        if (Array.isArray(l)) l.forEach((value, k) => work.push({ value, path: [...path, list, k] }));
      }
      if (isObject(comp.cases)) {
        for (const [c, l] of Object.entries(comp.cases)) if (Array.isArray(l)) l.forEach((value, k) => work.push({ value, path: [...path, 'cases', c, k] }));
      }
      if (!spec) continue;

      // A misspelt type.
      sites.push({ kind: 'component type', path, mutate: (rng) => renameValue('type', type, rng, (t) => !Object.prototype.hasOwnProperty.call(COMPONENTS, t)) });
      // A misspelt property name (not the type, not a child list: those hold other components).
      for (const key of Object.keys(comp)) {
        if (key === 'type') continue;
        sites.push({ kind: 'property name', path, mutate: (rng) => renameKey(key, Object.keys(comp), rng) });
      }
      // A misspelt enum value.
      for (const [key, allowed] of Object.entries(PROPERTY_ENUMS(spec))) {
        const v = comp[key];
        if (typeof v === 'string' && allowed.includes(v)) sites.push({ kind: 'enum value', path, mutate: (rng) => renameValue(key, v, rng, (x) => !allowed.includes(x)) });
      }
      const days = comp['include-days'];
      if (Array.isArray(days)) {
        days.forEach((d, k) => {
          if (typeof d === 'string' && DAYS.includes(d)) sites.push({ kind: 'enum value', path: [...path, 'include-days'], mutate: (rng) => renameElement(k, d, rng, (x) => !DAYS.includes(x)) });
        });
      }
      // A required property deleted.
      const required = [...spec.required, ...Object.entries(spec.requiredSince ?? {})
        .filter(([, since]) => version === undefined || compareVersions(version, since) >= 0).map(([k]) => k)];
      for (const key of required) {
        if (Object.prototype.hasOwnProperty.call(comp, key)) sites.push({ kind: 'deleted required property', path, mutate: () => deleteKey(key) });
      }
      // Actions anywhere in the component (its own, its options', its items'), and references.
      walk(comp, path, (value, vpath) => {
        if (value !== comp && isObject(value) && typeof value.name === 'string' && Object.prototype.hasOwnProperty.call(ACTIONS, value.name)) {
          const name = value.name;
          sites.push({ kind: 'action name', path: vpath, mutate: (rng) => renameValue('name', name, rng, (x) => !Object.prototype.hasOwnProperty.call(ACTIONS, x)) });
          sites.push({ kind: 'deleted required property', path: vpath, mutate: () => deleteKey('name') });
          const next = value.next;
          if (name === 'navigate' && isObject(next)) {
            sites.push({ kind: 'deleted required property', path: vpath, mutate: () => deleteKey('next') });
            if (typeof next.type === 'string' && NEXT_TYPES.includes(next.type)) {
              const t = next.type;
              sites.push({ kind: 'enum value', path: [...vpath, 'next'], mutate: (rng) => renameValue('type', t, rng, (x) => !NEXT_TYPES.includes(x)) });
            }
            if (typeof next.name === 'string') {
              const target = next.name;
              sites.push({ kind: 'navigate target', path: [...vpath, 'next'], mutate: (rng) => retarget(target, ids, rng) });
            }
          }
        }
        if (isObject(value)) {
          for (const [k, v] of Object.entries(value)) if (typeof v === 'string') dataSites(sites, vpath, k, v, declared);
        } else if (Array.isArray(value)) {
          value.forEach((v, k) => {
            if (typeof v === 'string') dataSites(sites, vpath, k, v, declared);
          });
        }
      });
    }
  });
  return sites;
}

/** Sites for `${data.X…}` in a string: X is replaced by a name the screen does not declare. */
function dataSites(sites: Site[], parentPath: Seg[], key: Seg, s: string, declared: ReadonlySet<string>): void {
  let from = 0;
  for (;;) {
    const at = s.indexOf('${data.', from);
    if (at < 0) return;
    const close = s.indexOf('}', at);
    if (close < 0) return;
    const field = s.slice(at + 7, close).split('.')[0];
    if (declared.has(field)) {
      sites.push({
        kind: 'undeclared data field',
        path: parentPath,
        mutate: (rng) => {
          let other = field;
          for (let n = 0; n < 20 && (other === field || declared.has(other)); n++) other = misspell(field, rng);
          if (declared.has(other) || other === field) other = `${field}_undeclared`;
          const changed = s.slice(0, at + 7) + other + s.slice(at + 7 + field.length);
          return { original: field, changed: other, eligible: !declared.has(other), apply: (o) => withValue(o, key, changed) };
        },
      });
    }
    from = close + 1;
  }
}

/** Visits every value below `root` (objects and arrays, not root itself), with its path. */
function walk(root: unknown, rootPath: Seg[], visit: (value: unknown, path: Seg[]) => void): void {
  const stack: Array<{ value: unknown; path: Seg[] }> = [{ value: root, path: rootPath }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    visit(value, path);
    const entries: Array<[Seg, unknown]> = Array.isArray(value) ? value.map((v, k) => [k, v]) : Object.entries(value);
    for (const [k, v] of entries) {
      // Components inside containers are sites of their own.
      if (value === root && (k === 'children' || k === 'then' || k === 'else' || k === 'cases')) continue;
      stack.push({ value: v, path: [...path, k] });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations

function renameValue(key: string, original: string, rng: Rng, invalid: (s: string) => boolean): Planted {
  const changed = typo(original, rng);
  return { original, changed, eligible: invalid(changed) && withinBudget(original, changed), apply: (o) => withValue(o, key, changed) };
}

function renameElement(index: number, original: string, rng: Rng, invalid: (s: string) => boolean): Planted {
  const changed = typo(original, rng);
  return {
    original, changed, eligible: invalid(changed) && withinBudget(original, changed),
    apply: (list) => {
      const copy = [...(list as unknown as unknown[])];
      copy[index] = changed;
      return copy as unknown as Obj;
    },
  };
}

function renameKey(original: string, siblings: readonly string[], rng: Rng): Planted {
  const changed = typo(original, rng);
  return {
    // A misspelling that is the name of a sibling would merge two properties: not counted.
    original, changed, eligible: !ALL_KEYS.has(changed) && !siblings.includes(changed) && withinBudget(original, changed),
    apply: (o) => {
      if (Object.prototype.hasOwnProperty.call(o, changed)) return o;
      const out: Obj = {};
      for (const [k, v] of Object.entries(o)) out[k === original ? changed : k] = v;
      return out;
    },
  };
}

function deleteKey(key: string): Planted {
  return {
    original: key, changed: '', eligible: true,
    apply: (o) => {
      const out = { ...o };
      delete out[key];
      return out;
    },
  };
}

function retarget(original: string, ids: ReadonlySet<string>, rng: Rng): Planted {
  let changed = misspell(original, rng);
  for (let n = 0; n < 20 && ids.has(changed); n++) changed = misspell(original, rng);
  if (ids.has(changed)) changed = `${original}_GONE`;
  return { original, changed, eligible: !ids.has(changed), apply: (o) => withValue(o, 'name', changed) };
}

function withinBudget(original: string, changed: string): boolean {
  return changed !== original && editDistance(original.toLowerCase(), changed.toLowerCase()) <= typoBudget(original);
}

/** A misspelling within the near-miss budget of the name (two edits can come out farther: tried again). */
function typo(name: string, rng: Rng): string {
  let s = misspell(name, rng);
  for (let n = 0; n < 20 && !withinBudget(name, s); n++) s = misspell(name, rng);
  return s;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * A misspelling of `name`: one edit, or two for names longer than 5 characters (half the time). An
 * edit inserts, deletes, substitutes or swaps two neighbours, or changes the case of a letter.
 */
export function misspell(name: string, rng: Rng): string {
  const edits = name.length > 5 && rng() < 0.5 ? 2 : 1;
  let s = name;
  for (let e = 0; e < edits; e++) {
    for (let tries = 0; tries < 10; tries++) {
      const next = edit(s, rng);
      if (next !== s && next.length > 0) {
        s = next;
        break;
      }
    }
  }
  return s;
}

function edit(s: string, rng: Rng): string {
  const i = Math.floor(rng() * s.length);
  const letter = LETTERS[Math.floor(rng() * LETTERS.length)];
  switch (Math.floor(rng() * 5)) {
    case 0: return s.slice(0, i) + letter + s.slice(i);
    case 1: return s.length > 1 ? s.slice(0, i) + s.slice(i + 1) : s;
    case 2: return s.slice(0, i) + letter + s.slice(i + 1);
    case 3: return i + 1 < s.length ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : s;
    default: {
      const c = s[i];
      const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
      return s.slice(0, i) + flipped + s.slice(i + 1);
    }
  }
}

function withValue(o: Obj, key: Seg, value: unknown): Obj {
  if (Array.isArray(o)) {
    const copy = [...o];
    copy[key as number] = value;
    return copy as unknown as Obj;
  }
  return { ...o, [key]: value };
}

/** A copy of `doc` in which the object at `path` is replaced by `apply(it)`; only the objects on the path are copied. */
function setAt(doc: unknown, path: readonly Seg[], apply: (o: Obj) => Obj): unknown {
  if (path.length === 0) return apply(doc as Obj);
  const [head, ...rest] = path;
  const container = doc as Obj | unknown[];
  const child = (container as Record<string | number, unknown>)[head];
  const replaced = setAt(child, rest, apply);
  if (Array.isArray(container)) {
    const copy = [...container];
    copy[head as number] = replaced;
    return copy;
  }
  return { ...container, [head]: replaced };
}

/** At most `n` items, spread evenly over the list (deterministic). */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, k) => items[Math.floor((k * items.length) / n)]);
}

/** A small deterministic PRNG (mulberry32) seeded from a string. */
function random(seed: string): Rng {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
