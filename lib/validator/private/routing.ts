/**
 * The routing model (rules §7): the explicit `routing_model`, or the graph implied by the navigate
 * actions, must name only existing screens, have no self-routes, no A↔B pairs, no cycles, an entry
 * screen, every screen reachable, paths that end at terminal screens and at most 10 branches.
 */
import { Path, isObject, jsonType, q } from './context';
import { Flow, ScreenInfo } from './model';

const MAX_BRANCHES = 10;

interface Graph {
  /** Successors of each screen (by screen index), without duplicates. */
  readonly out: Map<ScreenInfo, ScreenInfo[]>;
  /** Where each edge is written, for the findings. */
  readonly edgePath: Map<string, Path>;
  readonly explicit: boolean;
}

const edgeKey = (a: ScreenInfo, b: ScreenInfo) => `${a.index}>${b.index}`;

export function checkRouting(flow: Flow): void {
  const { ctx, doc } = flow;
  // Only screens with a usable, unique id take part.
  const screens = flow.screens.filter((s) => s.id !== undefined && flow.byId.get(s.id) === s);
  if (screens.length === 0) return;
  let graph: Graph;
  if (doc.routing_model !== undefined) {
    if (!isObject(doc.routing_model)) return; // reported with the top-level fields
    graph = explicitGraph(flow, screens);
  } else if (ctx.endpoint) {
    return; // the missing routing_model is reported; the endpoint decides the routes
  } else {
    graph = implicitGraph(flow, screens);
  }
  checkGraph(flow, screens, graph);
}

function explicitGraph(flow: Flow, screens: ScreenInfo[]): Graph {
  const { ctx } = flow;
  const rm = flow.doc.routing_model as Record<string, unknown>;
  const base = Path.ROOT.at('routing_model');
  const out = new Map<ScreenInfo, ScreenInfo[]>(screens.map((s) => [s, []]));
  const edgePath = new Map<string, Path>();
  const appears = new Set<ScreenInfo>();
  for (const key of Object.keys(rm)) {
    const from = flow.byId.get(key);
    const targets = rm[key];
    if (!from) {
      ctx.error('INVALID_ROUTING_MODEL', base.at(key), `the routing model names screen ${q(key)}, which does not exist`, 'use the ids of existing screens', key);
    } else {
      appears.add(from);
    }
    if (!Array.isArray(targets)) {
      ctx.error('INVALID_ROUTING_MODEL', base.at(key), `the routes of ${q(key)} must be an array of screen ids, got ${jsonType(targets)}`, 'write "SCREEN": ["NEXT_SCREEN"] or "SCREEN": []', targets);
      continue;
    }
    targets.forEach((t, k) => {
      const p = base.at(key, k);
      if (typeof t !== 'string') {
        ctx.error('INVALID_ROUTING_MODEL', p, `a route must be a screen id, got ${jsonType(t)}`, 'write the id of a screen', t);
        return;
      }
      const to = flow.byId.get(t);
      if (!to) {
        ctx.error('INVALID_ROUTING_MODEL', p, `the routing model routes to screen ${q(t)}, which does not exist`, 'use the ids of existing screens', t);
        return;
      }
      appears.add(to);
      if (!from) return;
      if (to === from) {
        ctx.error('INVALID_ROUTING_MODEL', p, `screen ${q(key)} routes to itself`, 'remove the self-route', t);
        return;
      }
      const list = out.get(from)!;
      if (!list.includes(to)) {
        list.push(to);
        edgePath.set(edgeKey(from, to), p);
      }
    });
  }
  // Rule 1: every screen appears in the model (a one-screen flow needs no route).
  if (screens.length > 1) {
    for (const s of screens) {
      if (!appears.has(s)) {
        ctx.error('INVALID_ROUTING_MODEL', base, `screen ${q(s.id)} does not appear in the routing model`, `add "${s.id}": [ … ] with its next screens, or route to it from another screen`);
      }
    }
  }
  // Rule 8: every navigate in the JSON is a route of the model.
  for (const e of flow.edges) {
    if (!out.get(e.from)?.includes(e.to)) {
      ctx.error('INVALID_ROUTING_MODEL', e.path.at('next', 'name'), `navigate from ${q(e.from.id)} to ${q(e.to.id)} is not a route of the routing model`,
        `add "${e.to.id}" to routing_model["${e.from.id}"]`, e.to.id);
    }
  }
  return { out, edgePath, explicit: true };
}

function implicitGraph(flow: Flow, screens: ScreenInfo[]): Graph {
  const out = new Map<ScreenInfo, ScreenInfo[]>(screens.map((s) => [s, []]));
  const edgePath = new Map<string, Path>();
  for (const e of flow.edges) {
    const list = out.get(e.from);
    if (!list || !out.has(e.to) || list.includes(e.to)) continue;
    list.push(e.to);
    edgePath.set(edgeKey(e.from, e.to), e.path);
  }
  return { out, edgePath, explicit: false };
}

function checkGraph(flow: Flow, screens: ScreenInfo[], g: Graph): void {
  const { ctx } = flow;
  const where = (a: ScreenInfo, b: ScreenInfo): Path => g.edgePath.get(edgeKey(a, b)) ?? a.path;
  const how = g.explicit ? 'the routing model' : 'the navigate actions';
  const inbound = new Map<ScreenInfo, ScreenInfo[]>(screens.map((s) => [s, []]));
  for (const [from, tos] of g.out) for (const to of tos) inbound.get(to)!.push(from);

  // Rule 7: at most 10 branches.
  for (const [from, tos] of g.out) {
    if (tos.length > MAX_BRANCHES) {
      ctx.error('INVALID_ROUTING_MODEL', g.explicit ? Path.ROOT.at('routing_model', from.id!) : from.path,
        `screen ${q(from.id)} has ${tos.length} outgoing routes in ${how}, more than the ${MAX_BRANCHES} allowed`, 'split the choice over two screens');
    }
  }
  // Rule 3: no A↔B.
  for (const [a, tos] of g.out) {
    for (const b of tos) {
      if (a.index < b.index && g.out.get(b)!.includes(a)) {
        ctx.error('INVALID_ROUTING_MODEL', where(b, a), `screens ${q(a.id)} and ${q(b.id)} route to each other in ${how}; going back is implicit (the back button)`,
          `remove the route from ${q(b.id)} back to ${q(a.id)}`);
      }
    }
  }
  // Rule 4: no cycles longer than two (two-screen cycles are reported above).
  for (const component of stronglyConnected(screens, g.out)) {
    if (component.length < 3) continue;
    const ids = component.slice(0, 6).map((s) => s.id).join(' → ') + (component.length > 6 ? ' → …' : '');
    const next = g.out.get(component[0])!.find((t) => component.includes(t))!;
    ctx.error('INVALID_ROUTING_MODEL', where(component[0], next), `${how} form a cycle through ${component.length} screens (${ids})`,
      'make the routes go forward only: the flow must be acyclic');
  }
  // Rule 5: an entry screen; rule 6: every screen reachable from it. When a navigate could not be
  // followed (its target does not exist, its action is unknown), the graph lacks an edge: a screen
  // it was meant to reach would be reported as unreachable, or as a second entry, for a mistake
  // already reported where it was made.
  const incomplete = !g.explicit && screens.some((s) => s.unresolvedRoute);
  const entries = screens.filter((s) => inbound.get(s)!.length === 0);
  if (entries.length === 0) {
    ctx.error('INVALID_ROUTING_MODEL', g.explicit ? Path.ROOT.at('routing_model') : Path.ROOT.at('screens'), `${how} leave no entry screen: every screen is the target of a route`,
      'remove the routes into the first screen');
  } else {
    if (entries.length > 1 && !incomplete) {
      ctx.warn('MULTIPLE_ENTRY_SCREENS', entries[1].path, `${entries.length} screens are not the target of any route (${entries.slice(0, 5).map((s) => q(s.id)).join(', ')}): the flow has several entry screens`,
        'route to every screen but the first, or split the flow');
    }
    const reached = new Set<ScreenInfo>(entries);
    const queue = [...entries];
    while (queue.length > 0) {
      for (const t of g.out.get(queue.pop()!)!) {
        if (!reached.has(t)) {
          reached.add(t);
          queue.push(t);
        }
      }
    }
    for (const s of screens) {
      if (!reached.has(s) && !incomplete) ctx.error('INVALID_ROUTING_MODEL', s.path, `screen ${q(s.id)} cannot be reached from an entry screen`, 'route to it from an earlier screen, or remove it');
    }
  }
  // Rule 6: every path ends at a terminal screen. A screen opened only as a side trip from an OptIn
  // or EmbeddedLink ("read more") returns with the back button and needs no route onward.
  const sideTripOnly = (s: ScreenInfo): boolean => {
    const ins = flow.edges.filter((e) => e.to === s);
    return ins.length > 0 && ins.every((e) => e.aside);
  };
  for (const s of screens) {
    if (s.terminal || g.out.get(s)!.length > 0 || (s.hasDataExchange || s.unresolvedRoute) && !g.explicit) continue;
    if (sideTripOnly(s)) continue;
    // Reached by nothing while a navigate could not be followed: it may be that navigate's side trip.
    if (incomplete && inbound.get(s)!.length === 0) continue;
    ctx.error('INVALID_ROUTING_MODEL', g.explicit ? Path.ROOT.at('routing_model') : s.path,
      `screen ${q(s.id)} is not terminal and has no route onward in ${how}: the flow cannot end there`,
      `mark ${q(s.id)} "terminal": true with a complete Footer, or route it to a next screen`);
  }
}

/** Tarjan's strongly connected components, iterative (no recursion over deep graphs). */
function stronglyConnected(nodes: ScreenInfo[], out: Map<ScreenInfo, ScreenInfo[]>): ScreenInfo[][] {
  const index = new Map<ScreenInfo, number>();
  const low = new Map<ScreenInfo, number>();
  const onStack = new Set<ScreenInfo>();
  const stack: ScreenInfo[] = [];
  const result: ScreenInfo[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: Array<{ v: ScreenInfo; i: number }> = [{ v: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const succ = out.get(top.v)!;
      if (top.i < succ.length) {
        const w = succ[top.i++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const comp: ScreenInfo[] = [];
        let w: ScreenInfo;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.v);
        result.push(comp.reverse());
      }
    }
  }
  return result;
}
