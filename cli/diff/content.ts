/**
 * A reviewer's summary of what changed between two Flow JSON documents: document properties,
 * screens added, removed and changed (matched by screen id), and within a changed screen the
 * components added, removed and changed, each with its JSON path.
 *
 * Components of a list are matched by a stable key, so that an insertion does not make every
 * later component "changed": a component with a `name` is matched by type and name wherever it
 * moved; the others are aligned by content (a longest common subsequence), and what is left
 * between two aligned components is paired by type, in order.
 *
 * What a person sees is named: an added or removed component by its visible text (`TextInput
 * name=email: added "Email"`), a change of an option list (`data-source`, `list-items`, `images`)
 * by the titles of the options added, removed and changed. Values are never shown in full: long
 * text and base64 images only by their size.
 */
import { canonicalJson } from '../../lib/shared/canonical-json';

export type EntryKind = 'added' | 'removed' | 'changed' | 'moved' | 'info';

/** One line of the summary. */
export interface DiffEntry {
  readonly kind: EntryKind;
  /** 0 for the document and its screens, 1 for components and what is below them. */
  readonly depth: number;
  /** JSON path in the new document (in the old one for what was removed); empty for the document. */
  readonly path: string;
  /** For a screen or component in both versions: its JSON path in the old document. */
  readonly oldPath?: string;
  /** What it is: `screen WELCOME`, `TextInput name=email`, `version`. */
  readonly label: string;
  /** What changed, in words: `label: "Email" → "E-mail"`. */
  readonly detail?: string;
}

export interface ContentDiff {
  readonly oldBytes: number;
  readonly newBytes: number;
  /** Why no per-screen summary could be made (a side is not a Flow JSON object), if so. */
  readonly unparsed?: string;
  readonly entries: DiffEntry[];
  /** Entries left out because of the size cap. */
  readonly omitted: number;
  readonly counts: DiffCounts;
}

export interface DiffCounts {
  screensAdded: number;
  screensRemoved: number;
  screensChanged: number;
  componentsAdded: number;
  componentsRemoved: number;
  componentsChanged: number;
}

export interface DiffOptions {
  /** At most this many entries (the rest are counted in `omitted`). */
  readonly maxEntries?: number;
}

/** Strings longer than this are shown by their size only. */
const MAX_SHOWN_STRING = 48;
/** Property changes listed per component; the rest are counted. */
const MAX_PROPERTY_CHANGES = 4;
/** Components nested deeper than this are reported as changed, without details. */
const MAX_COMPONENT_DEPTH = 24;
/** Above this many cells, lists are aligned greedily instead of by LCS. */
const MAX_LCS_CELLS = 250_000;
/** Slots of a component that hold components. */
const SLOTS = ['children', 'then', 'else', 'cases'];

type Obj = Record<string, unknown>;

/** Compares two Flow JSON texts. */
export function diffContent(oldText: string, newText: string, options: DiffOptions = {}): ContentDiff {
  const d = new Differ(options.maxEntries ?? 200);
  const oldDoc = parse(oldText);
  const newDoc = parse(newText);
  const base = { oldBytes: Buffer.byteLength(oldText, 'utf8'), newBytes: Buffer.byteLength(newText, 'utf8') };
  const problem = !isObject(newDoc) ? 'the new content is not a JSON object' : !isObject(oldDoc) ? 'the old content is not a JSON object' : undefined;
  if (problem || !isObject(oldDoc) || !isObject(newDoc)) {
    return { ...base, unparsed: problem, entries: [], omitted: 0, counts: d.counts };
  }
  d.document(oldDoc, newDoc);
  return { ...base, entries: d.entries, omitted: d.omitted, counts: d.counts };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
}

class Differ {
  public readonly entries: DiffEntry[] = [];
  public omitted = 0;
  public readonly counts: DiffCounts = { screensAdded: 0, screensRemoved: 0, screensChanged: 0, componentsAdded: 0, componentsRemoved: 0, componentsChanged: 0 };
  private readonly canon = new WeakMap<object, string>();

  constructor(private readonly maxEntries: number) {}

  public document(oldDoc: Obj, newDoc: Obj): void {
    for (const key of union(Object.keys(oldDoc), Object.keys(newDoc))) {
      if (key === 'screens') continue;
      const change = this.property(key, oldDoc[key], newDoc[key], key in oldDoc, key in newDoc);
      if (change) this.add({ kind: change.kind, depth: 0, path: '', label: 'document', detail: change.text });
    }
    const oldScreens = Array.isArray(oldDoc.screens) ? oldDoc.screens : [];
    const newScreens = Array.isArray(newDoc.screens) ? newDoc.screens : [];
    this.screens(oldScreens, newScreens);
  }

  private screens(oldScreens: unknown[], newScreens: unknown[]): void {
    const key = (s: unknown, i: number, all: unknown[]) => {
      const id = isObject(s) && typeof s.id === 'string' ? s.id : undefined;
      // A missing or repeated id cannot identify a screen: fall back to its position.
      return id !== undefined && all.filter((x) => isObject(x) && x.id === id).length === 1 ? `id:${id}` : `#${i}`;
    };
    const oldByKey = new Map(oldScreens.map((s, i) => [key(s, i, oldScreens), i] as const));
    const newKeys = newScreens.map((s, i) => key(s, i, newScreens));
    const newKeySet = new Set(newKeys);

    const order = (keys: string[]) => keys.filter((k) => k.startsWith('id:') && oldByKey.has(k) && newKeySet.has(k));
    const oldOrder = order([...oldByKey.keys()]);
    const newOrder = order(newKeys);
    if (oldOrder.join('\n') !== newOrder.join('\n')) {
      this.add({ kind: 'info', depth: 0, path: 'screens', label: 'screen order', detail: `${ids(oldOrder)} → ${ids(newOrder)}` });
    }

    // In the order of the new document, each removed screen where it used to be.
    const removed = [...oldByKey.entries()].filter(([k]) => !newKeySet.has(k));
    let r = 0;
    newScreens.forEach((screen, i) => {
      while (r < removed.length && removed[r][1] <= i) this.removedScreen(oldScreens, removed[r++][1]);
      const k = newKeys[i];
      const j = oldByKey.get(k);
      const path = `screens[${i}]`;
      if (j === undefined) {
        this.counts.screensAdded++;
        this.add({ kind: 'added', depth: 0, path, label: screenLabel(screen, i), detail: screenSummary(screen) });
      } else if (this.canonical(oldScreens[j]) !== this.canonical(screen)) {
        this.counts.screensChanged++;
        this.changedScreen(oldScreens[j], screen, `screens[${j}]`, path, i);
      }
    });
    while (r < removed.length) this.removedScreen(oldScreens, removed[r++][1]);
  }

  private removedScreen(oldScreens: unknown[], j: number): void {
    this.counts.screensRemoved++;
    const title = isObject(oldScreens[j]) && typeof oldScreens[j].title === 'string' ? ` (${quoted(oldScreens[j].title as string)})` : '';
    this.add({ kind: 'removed', depth: 0, path: `screens[${j}]`, label: screenLabel(oldScreens[j], j), detail: `was in the old version${title}` });
  }

  private changedScreen(oldScreen: unknown, newScreen: unknown, oldPath: string, newPath: string, index: number): void {
    const label = screenLabel(newScreen, index);
    if (!isObject(oldScreen) || !isObject(newScreen)) {
      this.add({ kind: 'changed', depth: 0, path: newPath, oldPath, label, detail: `${jsonType(oldScreen)} → ${jsonType(newScreen)}` });
      return;
    }
    const changes: string[] = [];
    for (const key of union(Object.keys(oldScreen), Object.keys(newScreen))) {
      if (key === 'layout' || key === 'id') continue;
      const c = this.property(key, oldScreen[key], newScreen[key], key in oldScreen, key in newScreen);
      if (c) changes.push(c.text);
    }
    const oldLayout = oldScreen.layout;
    const newLayout = newScreen.layout;
    const bothLayouts = isObject(oldLayout) && isObject(newLayout);
    if (bothLayouts) {
      for (const key of union(Object.keys(oldLayout), Object.keys(newLayout))) {
        if (key === 'children') continue;
        const c = this.property(`layout.${key}`, oldLayout[key], newLayout[key], key in oldLayout, key in newLayout);
        if (c) changes.push(c.text);
      }
    } else if (this.canonical(oldLayout) !== this.canonical(newLayout)) {
      changes.push(`layout: ${jsonType(oldLayout)} → ${jsonType(newLayout)}`);
    }
    this.add({ kind: 'changed', depth: 0, path: newPath, oldPath, label, detail: summarize(changes) ?? 'components changed' });
    if (bothLayouts) {
      this.list(asList(oldLayout.children), asList(newLayout.children), `${oldPath}.layout.children`, `${newPath}.layout.children`, 1);
    }
  }

  /** Compares two lists of components. */
  private list(oldList: unknown[], newList: unknown[], oldPath: string, newPath: string, level: number): void {
    const oldIds = oldList.map((c) => this.identity(c));
    const newIds = newList.map((c) => this.identity(c));
    const anchors = align(oldIds, newIds);

    // Between two anchors: what is left of each side.
    interface Gap { readonly olds: number[]; readonly news: number[] }
    const gaps: Gap[] = [];
    let oi = 0;
    let ni = 0;
    for (const [ao, an] of [...anchors, [oldList.length, newList.length] as const]) {
      gaps.push({ olds: range(oi, ao), news: range(ni, an) });
      oi = ao + 1;
      ni = an + 1;
    }

    // Named components that moved out of their gap are matched by key across the whole list.
    const pairOf = new Map<number, number>(); // new index -> old index
    const pairedOld = new Set<number>();
    const movedNew = new Set<number>();
    const oldNamed = new Map<string, number>();
    for (const g of gaps) for (const o of g.olds) if (named(oldList[o])) oldNamed.set(oldIds[o], o);
    for (const g of gaps) {
      for (const n of g.news) {
        const o = named(newList[n]) ? oldNamed.get(newIds[n]) : undefined;
        if (o === undefined || pairedOld.has(o)) continue;
        pairOf.set(n, o);
        pairedOld.add(o);
        if (!g.olds.includes(o)) movedNew.add(n);
      }
    }
    // Within a gap, the unnamed ones are paired by type, in order.
    for (const g of gaps) {
      const olds = g.olds.filter((o) => !pairedOld.has(o) && !named(oldList[o]));
      for (const n of g.news) {
        if (pairOf.has(n) || named(newList[n])) continue;
        const t = typeOf(newList[n]);
        const k = olds.findIndex((o) => typeOf(oldList[o]) === t);
        if (k < 0) continue;
        const o = olds.splice(k, 1)[0];
        pairOf.set(n, o);
        pairedOld.add(o);
      }
    }

    const emitRemoved = (o: number) => {
      this.counts.componentsRemoved++;
      this.add({ kind: 'removed', depth: 1, path: `${oldPath}[${o}]`, label: componentLabel(oldList[o]), detail: withText('removed', oldList[o]) });
    };
    const emitNew = (n: number, o: number | undefined) => {
      const path = `${newPath}[${n}]`;
      if (o === undefined) {
        this.counts.componentsAdded++;
        this.add({ kind: 'added', depth: 1, path, label: componentLabel(newList[n]), detail: withText('added', newList[n]) });
        return;
      }
      const moved = movedNew.has(n) ? `moved from ${oldPath}[${o}]` : undefined;
      if (this.canonical(oldList[o]) === this.canonical(newList[n])) {
        if (moved) this.add({ kind: 'moved', depth: 1, path, oldPath: `${oldPath}[${o}]`, label: componentLabel(newList[n]), detail: moved });
        return;
      }
      this.component(oldList[o], newList[n], `${oldPath}[${o}]`, path, level, moved);
    };

    gaps.forEach((g, k) => {
      for (const o of g.olds) if (!pairedOld.has(o)) emitRemoved(o);
      for (const n of g.news) emitNew(n, pairOf.get(n));
      if (k < anchors.length) {
        const [ao, an] = anchors[k];
        // Anchors of named components can differ in content (same key).
        emitNew(an, ao);
      }
    });
  }

  /** A changed component: its own properties in one line, then its slots. */
  private component(oldComp: unknown, newComp: unknown, oldPath: string, newPath: string, level: number, moved?: string): void {
    const label = componentLabel(newComp);
    if (!isObject(oldComp) || !isObject(newComp)) {
      this.counts.componentsChanged++;
      this.add({ kind: 'changed', depth: 1, path: newPath, oldPath, label, detail: `${jsonType(oldComp)} → ${jsonType(newComp)}` });
      return;
    }
    if (level >= MAX_COMPONENT_DEPTH) {
      this.counts.componentsChanged++;
      this.add({ kind: 'changed', depth: 1, path: newPath, oldPath, label, detail: 'changed (nested too deep to detail)' });
      return;
    }
    const changes: string[] = moved ? [moved] : [];
    const slotChanges: Array<() => void> = [];
    for (const key of union(Object.keys(oldComp), Object.keys(newComp))) {
      const o = oldComp[key];
      const n = newComp[key];
      if (SLOTS.includes(key) && (key !== 'cases' ? Array.isArray(o) && Array.isArray(n) : isObject(o) && isObject(n))) {
        if (this.canonical(o) === this.canonical(n)) continue;
        if (key === 'cases') {
          slotChanges.push(() => this.cases(o as Obj, n as Obj, `${oldPath}.cases`, `${newPath}.cases`, level));
        } else {
          slotChanges.push(() => this.list(o as unknown[], n as unknown[], `${oldPath}.${key}`, `${newPath}.${key}`, level + 1));
        }
        continue;
      }
      const c = this.property(key, o, n, key in oldComp, key in newComp);
      if (c) changes.push(c.text);
    }
    // A container whose only change is in its children is not counted: its children are.
    if (changes.length > 0 || slotChanges.length === 0) {
      const onlyMoved = moved !== undefined && changes.length === 1;
      if (!onlyMoved) this.counts.componentsChanged++;
      this.add({ kind: onlyMoved ? 'moved' : 'changed', depth: 1, path: newPath, oldPath, label, detail: summarize(changes) ?? 'changed' });
    }
    for (const f of slotChanges) f();
  }

  /** The `cases` of a Switch: one list per value. */
  private cases(oldCases: Obj, newCases: Obj, oldPath: string, newPath: string, level: number): void {
    for (const key of union(Object.keys(oldCases), Object.keys(newCases))) {
      const o = oldCases[key];
      const n = newCases[key];
      const oPath = `${oldPath}${pathKey(key)}`;
      const nPath = `${newPath}${pathKey(key)}`;
      if (!(key in newCases)) this.add({ kind: 'removed', depth: 1, path: oPath, label: `case ${JSON.stringify(key)}`, detail: 'removed' });
      else if (!(key in oldCases)) this.add({ kind: 'added', depth: 1, path: nPath, label: `case ${JSON.stringify(key)}`, detail: 'added' });
      else if (this.canonical(o) !== this.canonical(n)) this.list(asList(o), asList(n), oPath, nPath, level + 1);
    }
  }

  /** One property of a document, screen or component, in words; undefined when equal. */
  private property(key: string, o: unknown, n: unknown, inOld: boolean, inNew: boolean): { kind: EntryKind; text: string } | undefined {
    if (!inOld) return { kind: 'added', text: `${key} added (${render(key, n)})` };
    if (!inNew) return { kind: 'removed', text: `${key} removed (was ${render(key, o)})` };
    if (this.canonical(o) === this.canonical(n)) return undefined;
    if (typeof o === 'string' && typeof n === 'string' && (isLong(o) || isLong(n))) {
      return { kind: 'changed', text: `${key} changed (${sizes(key, o, n)})` };
    }
    const options = OPTION_LISTS.has(key) ? this.options(key, o, n) : undefined;
    if (options) return { kind: 'changed', text: options };
    if (isContainer(o) && isContainer(n) && Array.isArray(o) === Array.isArray(n)) {
      const leaves: string[] = [];
      let more = 0;
      this.leaves(o, n, key, leaves, 0, () => more++);
      return { kind: 'changed', text: leaves.length === 0 ? `${key} changed` : leaves.join(', ') + (more > 0 ? ` (+${more} more in ${key})` : '') };
    }
    return { kind: 'changed', text: `${key}: ${render(key, o)} → ${render(key, n)}` };
  }

  /**
   * A change of an option list, by the options' titles: `data-source: removed "Sea view"; added
   * "Lake"; "garden" title "Garden" → "Garden room"`. Undefined when the lists are not lists of
   * options with unique ids (then the change is described as any other).
   */
  private options(key: string, o: unknown, n: unknown): string | undefined {
    const byId = (v: unknown): Map<string, Obj> | undefined => {
      if (!Array.isArray(v)) return undefined;
      const m = new Map<string, Obj>();
      for (const x of v) {
        if (!isObject(x) || typeof x.id !== 'string' || m.has(x.id)) return undefined;
        m.set(x.id, x);
      }
      return m;
    };
    const before = byId(o);
    const after = byId(n);
    if (!before || !after) return undefined;
    const parts: string[] = [];
    const removed = [...before.keys()].filter((id) => !after.has(id));
    const added = [...after.keys()].filter((id) => !before.has(id));
    if (removed.length > 0) parts.push(`removed ${listed(removed.map((id) => optionTitle(before.get(id)!)))}`);
    if (added.length > 0) parts.push(`added ${listed(added.map((id) => optionTitle(after.get(id)!)))}`);
    const changed: string[] = [];
    let more = 0;
    for (const [id, x] of after) {
      const y = before.get(id);
      if (!y || this.canonical(x) === this.canonical(y)) continue;
      const leaves: string[] = [];
      this.leaves(y, x, '', leaves, 0, () => more++);
      changed.push(`${quoted(optionTitle(y))} ${leaves.map((l) => l.replace(/^\./, '')).join(', ')}`);
    }
    if (changed.length > 0) parts.push(changed.length > 3 ? `${changed.slice(0, 3).join('; ')}; +${changed.length - 3} more changed` : changed.join('; '));
    if (more > 0) parts.push(`+${more} more changes`);
    const kept = [...after.keys()].filter((id) => before.has(id));
    const keptBefore = [...before.keys()].filter((id) => after.has(id));
    if (kept.join('\u0000') !== keptBefore.join('\u0000')) parts.push('order changed');
    return parts.length > 0 ? `${key}: ${parts.join('; ')}` : undefined;
  }

  /** The changed leaves below two values of the same shape: `payload.email: "a" → "b"`. */
  private leaves(o: unknown, n: unknown, path: string, out: string[], depth: number, more: () => void): void {
    if (this.canonical(o) === this.canonical(n)) return;
    const deeper = depth < 6 && isContainer(o) && isContainer(n) && Array.isArray(o) === Array.isArray(n);
    if (!deeper) {
      if (out.length >= 3) return more();
      const leaf = lastKey(path);
      if (typeof o === 'string' && typeof n === 'string' && (isLong(o) || isLong(n))) out.push(`${path} changed (${sizes(leaf, o, n)})`);
      else out.push(`${path}: ${render(leaf, o)} → ${render(leaf, n)}`);
      return;
    }
    if (Array.isArray(o) && Array.isArray(n)) {
      if (o.length !== n.length) {
        if (out.length >= 3) return more();
        out.push(`${path}: ${o.length} → ${n.length} items`);
        return;
      }
      o.forEach((x, i) => this.leaves(x, n[i], `${path}[${i}]`, out, depth + 1, more));
      return;
    }
    const oo = o as Obj;
    const nn = n as Obj;
    for (const k of union(Object.keys(oo), Object.keys(nn))) {
      const p = `${path}${pathKey(k)}`;
      if (!(k in oo) || !(k in nn)) {
        if (out.length >= 3) {
          more();
          continue;
        }
        out.push(k in nn ? `${p} added (${render(k, nn[k])})` : `${p} removed`);
        continue;
      }
      this.leaves(oo[k], nn[k], p, out, depth + 1, more);
    }
  }

  /** What identifies a component in its list: type and name, else its whole content. */
  private identity(c: unknown): string {
    if (named(c)) return `n:${(c as Obj).type}\u0000${(c as Obj).name}`;
    return `u:${this.canonical(c)}`;
  }

  private canonical(v: unknown): string {
    if (v === null || typeof v !== 'object') return canonicalJson(v);
    let s = this.canon.get(v);
    if (s === undefined) {
      s = canonicalJson(v);
      this.canon.set(v, s);
    }
    return s;
  }

  private add(entry: DiffEntry): void {
    if (this.entries.length >= this.maxEntries) {
      this.omitted++;
      return;
    }
    this.entries.push(entry);
  }
}

/**
 * Pairs of equal identities (old index, new index), in order: a longest common subsequence, or
 * for very long lists a greedy match in order.
 */
function align(a: string[], b: string[]): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  // Common prefix and suffix cost nothing.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  for (let i = 0; i < start; i++) out.push([i, i]);
  const n = endA - start;
  const m = endB - start;
  if (n > 0 && m > 0) {
    if (n * m > MAX_LCS_CELLS) {
      let j = start;
      for (let i = start; i < endA && j < endB; i++) {
        const k = b.indexOf(a[i], j);
        if (k >= 0 && k < endB) {
          out.push([i, k]);
          j = k + 1;
        }
      }
    } else {
      const w = m + 1;
      const dp = new Uint32Array((n + 1) * w);
      for (let i = n - 1; i >= 0; i--) {
        for (let j = m - 1; j >= 0; j--) {
          dp[i * w + j] = a[start + i] === b[start + j] ? dp[(i + 1) * w + j + 1] + 1 : Math.max(dp[(i + 1) * w + j], dp[i * w + j + 1]);
        }
      }
      let i = 0;
      let j = 0;
      while (i < n && j < m) {
        if (a[start + i] === b[start + j]) {
          out.push([start + i, start + j]);
          i++;
          j++;
        } else if (dp[(i + 1) * w + j] >= dp[i * w + j + 1]) {
          i++;
        } else {
          j++;
        }
      }
    }
  }
  for (let i = 0; i < a.length - endA; i++) out.push([endA + i, endB + i]);
  return out;
}

function named(c: unknown): boolean {
  return isObject(c) && typeof c.type === 'string' && typeof c.name === 'string';
}

function typeOf(c: unknown): string {
  return isObject(c) && typeof c.type === 'string' ? c.type : `(${jsonType(c)})`;
}

function componentLabel(c: unknown): string {
  if (!isObject(c)) return jsonType(c);
  const type = typeof c.type === 'string' ? c.type : 'component without a type';
  return typeof c.name === 'string' ? `${type} name=${c.name}` : type;
}

/** The option lists, whose items have an `id` and a title. */
const OPTION_LISTS: ReadonlySet<string> = new Set(['data-source', 'list-items', 'images']);

/** What a person reads of an option: its title, the main content's title, its alt text, or its id. */
function optionTitle(x: Obj): string {
  const main = isObject(x['main-content']) ? x['main-content'] : undefined;
  for (const v of [x.title, main?.title, x['alt-text'], x.id]) if (typeof v === 'string' && v !== '') return v;
  return '(untitled)';
}

/** `"a", "b" and 3 more`. */
function listed(titles: string[]): string {
  const shown = titles.slice(0, 4).map(quoted).join(', ');
  return titles.length > 4 ? `${shown} and ${titles.length - 4} more` : shown;
}

/** A string as the reader sees it: quoted, and cut at MAX_SHOWN_STRING characters. */
function quoted(s: string): string {
  const chars = [...s.replace(/\s+/g, ' ').trim()];
  return JSON.stringify(chars.length > MAX_SHOWN_STRING ? `${chars.slice(0, MAX_SHOWN_STRING - 1).join('')}…` : chars.join(''));
}

/**
 * The words a person sees of a component, for an added or removed one: its text, label or title,
 * with its options; what a container holds.
 */
export function visibleText(c: unknown): string | undefined {
  if (!isObject(c)) return undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join(' ') : undefined);
  const type = typeof c.type === 'string' ? c.type : '';
  if (type === 'If') return typeof c.condition === 'string' ? `if ${c.condition}` : undefined;
  if (type === 'Switch') return typeof c.value === 'string' ? `switch on ${c.value}` : undefined;
  if (type === 'Form') return Array.isArray(c.children) ? `${c.children.length} component${c.children.length === 1 ? '' : 's'}` : undefined;
  if (type === 'Image') return str(c['alt-text']) !== undefined ? `image ${quoted(str(c['alt-text'])!)}` : 'an image';
  const text = str(c.text) ?? str(c.label) ?? str(c.title);
  const list = c['data-source'] ?? c['list-items'];
  const titles = Array.isArray(list) ? list.filter(isObject).map(optionTitle) : [];
  const shown = text !== undefined ? (isLong(text) && /[A-Za-z0-9+/=]{64,}/.test(text) ? `${[...text].length} characters` : quoted(text)) : undefined;
  if (titles.length > 0) return `${shown ?? ''}${shown ? ' ' : ''}(${titles.length} option${titles.length === 1 ? '' : 's'}: ${listed(titles)})`;
  if (typeof list === 'string') return `${shown ?? ''}${shown ? ' ' : ''}(options from ${list})`;
  return shown;
}

function withText(how: string, c: unknown): string {
  const text = visibleText(c);
  return text !== undefined ? `${how}: ${text}` : how;
}

function screenLabel(s: unknown, i: number): string {
  return isObject(s) && typeof s.id === 'string' ? `screen ${s.id}` : `screen #${i}`;
}

/** `"Check your details", 2 components`: the title and how many components an added screen has. */
function screenSummary(screen: unknown): string | undefined {
  const title = isObject(screen) && typeof screen.title === 'string' ? quoted(screen.title) : undefined;
  const layout = isObject(screen) && isObject(screen.layout) ? screen.layout : undefined;
  const children = layout && Array.isArray(layout.children) ? layout.children : undefined;
  const count = children ? `${children.length} component${children.length === 1 ? '' : 's'}` : undefined;
  return [title, count].filter((x) => x !== undefined).join(', ') || undefined;
}

function summarize(changes: string[]): string | undefined {
  if (changes.length === 0) return undefined;
  const shown = changes.slice(0, MAX_PROPERTY_CHANGES).join('; ');
  return changes.length > MAX_PROPERTY_CHANGES ? `${shown}; +${changes.length - MAX_PROPERTY_CHANGES} more` : shown;
}

/** Long strings and base64 data are never shown, only measured. */
function isLong(s: string): boolean {
  return s.length > MAX_SHOWN_STRING;
}

function isBinaryKey(key: string): boolean {
  return key === 'src' || key === 'image' || /base64/i.test(key);
}

/** "3000 → 5000 characters", "12 KB → 14 KB". */
function sizes(key: string, o: string, n: string): string {
  const a = size(key, o);
  const b = size(key, n);
  const unit = / characters$/;
  return unit.test(a) && unit.test(b) ? `${a.replace(unit, '')} → ${b}` : `${a} → ${b}`;
}

function size(key: string, s: string): string {
  if (isBinaryKey(key) || (/^[A-Za-z0-9+/=\r\n]{64,}$/.test(s) && /[0-9]/.test(s) && /[A-Z]/.test(s) && /[a-z]/.test(s))) {
    const bytes = Buffer.byteLength(s, 'utf8');
    return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
  }
  return `${[...s].length} characters`;
}

/** A short rendering of a value. */
function render(key: string, v: unknown): string {
  if (typeof v === 'string') return isLong(v) ? size(key, v) : JSON.stringify(v);
  if (Array.isArray(v)) return `${v.length} item${v.length === 1 ? '' : 's'}`;
  if (isObject(v)) {
    const keys = Object.keys(v);
    return keys.length === 0 ? '{}' : `{${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v === undefined) return 'nothing';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function ids(keys: string[]): string {
  const names = keys.map((k) => k.slice(3));
  return names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ');
}

/** A key as a JSON path segment: `.name`, or `["a key"]`. */
export function pathKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function lastKey(path: string): string {
  const m = /([A-Za-z_][A-Za-z0-9_-]*)(?:\[\d+\])*$/.exec(path);
  return m ? m[1] : path;
}

function union(a: string[], b: string[]): string[] {
  const seen = new Set(a);
  return [...a, ...b.filter((k) => !seen.has(k))];
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function isContainer(v: unknown): v is Obj | unknown[] {
  return v !== null && typeof v === 'object';
}

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
