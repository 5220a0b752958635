/**
 * A Flow JSON document as the renderer reads it: its screens in order (with the JSON path of each,
 * the same paths `whatsapp-flow diff` names) and its navigation: where each navigate,
 * data_exchange and complete action leads, which screen the flow starts on and which end it.
 *
 * Lenient: a document the validator rejects is drawn as far as it can be (a screen without an id
 * gets its position, a navigate to a screen that does not exist is drawn to a missing box).
 */
import { isObject, Obj, str } from './html';
import { DataScope } from './values';

export interface ScreenModel {
  /** Position in `screens`. */
  readonly index: number;
  /** The screen's id, or `#<index>` when it has none. */
  readonly id: string;
  readonly title?: string;
  readonly terminal: boolean;
  readonly success?: boolean;
  /** `screens[<index>]`. */
  readonly path: string;
  /** The top-level components (`layout.children`). */
  readonly children: unknown[];
  /** The `data` declaration (with its `__example__` values). */
  readonly data: Obj;
}

/** Where an action leads. */
export type EdgeKind = 'navigate' | 'data_exchange' | 'complete' | 'route';

export interface EdgeModel {
  readonly from: string;
  /** A screen id; `complete` for the end of the flow, `endpoint` for a data_exchange the endpoint answers. */
  readonly to: string;
  readonly kind: EdgeKind;
  /** What the person taps: the Footer's label, the link's text. */
  readonly label?: string;
}

export interface FlowModel {
  readonly version?: string;
  readonly screens: ScreenModel[];
  readonly byId: ReadonlyMap<string, ScreenModel>;
  readonly edges: EdgeModel[];
  /** The screens the flow can start on: those no route leads to (the first screen when every one has one). */
  readonly entries: string[];
  /** Whether the flow uses a data endpoint (`data_api_version`). */
  readonly endpoint: boolean;
}

/** Node ids of the map's end points. */
export const COMPLETE = 'complete';
export const ENDPOINT = 'endpoint';

/** Reads a parsed document; undefined when it is not a Flow JSON object with a screens array. */
export function readFlow(doc: unknown): FlowModel | undefined {
  if (!isObject(doc) || !Array.isArray(doc.screens)) return undefined;
  const screens: ScreenModel[] = doc.screens.map((s, index) => {
    const o = isObject(s) ? s : {};
    const layout = isObject(o.layout) ? o.layout : {};
    return {
      index,
      id: str(o.id) ?? `#${index}`,
      title: typeof o.title === 'string' ? o.title : undefined,
      terminal: o.terminal === true,
      success: typeof o.success === 'boolean' ? o.success : undefined,
      path: `screens[${index}]`,
      children: Array.isArray(layout.children) ? layout.children : [],
      data: isObject(o.data) ? o.data : {},
    };
  });
  const byId = new Map<string, ScreenModel>();
  for (const s of screens) if (!byId.has(s.id)) byId.set(s.id, s);

  const edges: EdgeModel[] = [];
  const seen = new Set<string>();
  const add = (e: EdgeModel) => {
    const key = `${e.from}\u0000${e.to}\u0000${e.kind}\u0000${e.label ?? ''}`;
    if (!seen.has(key)) {
      seen.add(key);
      edges.push(e);
    }
  };
  const routing = isObject(doc.routing_model) ? doc.routing_model : undefined;
  for (const s of screens) {
    for (const found of actions(s.children)) {
      const name = found.action.name;
      if (name === 'navigate') {
        const next = isObject(found.action.next) ? str(found.action.next.name) : undefined;
        if (next) add({ from: s.id, to: next, kind: 'navigate', label: found.label });
      } else if (name === 'complete') {
        add({ from: s.id, to: COMPLETE, kind: 'complete', label: found.label });
      } else if (name === 'data_exchange') {
        const routes = routing && Array.isArray(routing[s.id]) ? (routing[s.id] as unknown[]).filter((r): r is string => typeof r === 'string') : [];
        if (routes.length === 0) add({ from: s.id, to: ENDPOINT, kind: 'data_exchange', label: found.label });
        for (const r of routes) add({ from: s.id, to: r, kind: 'data_exchange', label: found.label });
      }
    }
  }
  // Routes of the routing model that no action draws (the endpoint picks the next screen).
  if (routing) {
    for (const [from, tos] of Object.entries(routing)) {
      if (!Array.isArray(tos)) continue;
      for (const to of tos) {
        if (typeof to === 'string' && !edges.some((e) => e.from === from && e.to === to)) add({ from, to, kind: 'route' });
      }
    }
  }
  const targets = new Set(edges.filter((e) => e.from !== e.to).map((e) => e.to));
  const entries = screens.filter((s) => !targets.has(s.id)).map((s) => s.id);
  return {
    version: typeof doc.version === 'string' ? doc.version : undefined,
    screens,
    byId,
    edges,
    entries: entries.length > 0 ? entries : screens.slice(0, 1).map((s) => s.id),
    endpoint: doc.data_api_version !== undefined,
  };
}

/** The data scope of a screen: its own data, and every screen's for `${screen.X.data.y}`. */
export function scopeOf(flow: FlowModel, screen: ScreenModel): DataScope {
  return { data: screen.data, screens: new Map(flow.screens.map((s) => [s.id, s.data])) };
}

/** Slots of a component that hold components. */
export function slots(c: Obj): Array<{ name: string; list: unknown[] }> {
  const out: Array<{ name: string; list: unknown[] }> = [];
  for (const name of ['children', 'then', 'else']) if (Array.isArray(c[name])) out.push({ name, list: c[name] as unknown[] });
  if (isObject(c.cases)) for (const [k, v] of Object.entries(c.cases)) if (Array.isArray(v)) out.push({ name: `cases:${k}`, list: v });
  return out;
}

/** Every action below a list of components, with what the person taps to fire it. */
function actions(list: unknown[], depth = 0): Array<{ action: Obj; label?: string }> {
  const out: Array<{ action: Obj; label?: string }> = [];
  if (depth > 32) return out;
  for (const c of list) {
    if (!isObject(c)) continue;
    const label = str(c.label) ?? str(c.text) ?? str(c.title);
    for (const key of ['on-click-action', 'on-select-action', 'on-unselect-action']) {
      if (isObject(c[key])) out.push({ action: c[key] as Obj, label: label ?? str(c.type) });
    }
    for (const listKey of ['data-source', 'list-items']) {
      const items = c[listKey];
      if (!Array.isArray(items)) continue;
      for (const item of items) {
        if (!isObject(item)) continue;
        const main = isObject(item['main-content']) ? item['main-content'] : {};
        const itemLabel = str(item.title) ?? str(main.title) ?? str(item.id);
        for (const key of ['on-click-action', 'on-select-action', 'on-unselect-action']) {
          if (isObject(item[key])) out.push({ action: item[key] as Obj, label: itemLabel });
        }
      }
    }
    for (const s of slots(c)) out.push(...actions(s.list, depth + 1));
  }
  return out;
}
