/**
 * The navigation map of a flow as inline SVG: screens as boxes in columns (by the longest route
 * from the entry), navigate, data_exchange and complete as labelled arrows, the entry screen
 * marked "start", terminal screens with a double border. Each box links to its screen on the page.
 */
import { Mark } from './components';
import { COMPLETE, EdgeKind, ENDPOINT, FlowModel } from './flow-model';
import { attr, cut, esc } from './html';
import { piecesText, textPieces } from './values';

export interface MapOptions {
  /** A mark per screen id, for a diff (added, changed, removed). */
  readonly marks?: ReadonlyMap<string, Mark>;
  /** Element id prefix of the screens the boxes link to. */
  readonly idPrefix?: string;
}

const NODE_W = 176;
const NODE_H = 52;
/** Room between two columns: at least this, more for long arrow labels. */
const MIN_COL_GAP = 96;
const MAX_COL_GAP = 240;
const ROW_GAP = 48;
const MARGIN = 24;
const START_W = 56;
/** Longest line of an arrow's label, in characters. */
const LABEL_CHARS = 26;
/** An estimate of a label character's width at 11 px (no font is measured offline). */
const CHAR_W = 6.4;

interface Node {
  readonly id: string;
  readonly kind: 'screen' | 'complete' | 'endpoint' | 'missing';
  readonly title?: string;
  readonly terminal: boolean;
  layer: number;
  row: number;
}

interface Arrow {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly labels: string[];
}

/** The map's SVG. */
export function drawMap(flow: FlowModel, options: MapOptions = {}): string {
  const nodes = new Map<string, Node>();
  for (const s of flow.screens) {
    if (nodes.has(s.id)) continue;
    const title = s.title !== undefined ? piecesText(textPieces({ data: s.data, screens: new Map() }, s.title) ?? []) : undefined;
    nodes.set(s.id, { id: s.id, kind: 'screen', title, terminal: s.terminal, layer: 0, row: 0 });
  }
  const arrows = new Map<string, Arrow>();
  for (const e of flow.edges) {
    if (!nodes.has(e.to)) {
      const kind = e.to === COMPLETE && e.kind === 'complete' ? 'complete' : e.to === ENDPOINT && e.kind === 'data_exchange' ? 'endpoint' : 'missing';
      nodes.set(e.to, { id: e.to, kind, terminal: false, layer: 0, row: 0 });
    }
    if (!nodes.has(e.from)) continue;
    const key = `${e.from}\u0000${e.to}\u0000${e.kind}`;
    const a = arrows.get(key) ?? { from: e.from, to: e.to, kind: e.kind, labels: [] };
    if (e.label !== undefined && !a.labels.includes(e.label)) a.labels.push(e.label);
    arrows.set(key, a);
  }
  const back = layer(flow, nodes, [...arrows.values()]);

  const columns = new Map<number, Node[]>();
  for (const n of nodes.values()) columns.set(n.layer, [...(columns.get(n.layer) ?? []), n]);
  let rows = 1;
  for (const col of columns.values()) {
    col.forEach((n, i) => (n.row = i));
    rows = Math.max(rows, col.length);
  }
  const layers = Math.max(0, ...[...nodes.values()].map((n) => n.layer)) + 1;
  // Each gap between columns is as wide as the longest label of the arrows that cross it.
  const gaps = Array.from({ length: layers }, () => MIN_COL_GAP);
  for (const a of arrows.values()) {
    const from = nodes.get(a.from)!;
    const to = nodes.get(a.to)!;
    if (to.layer !== from.layer + 1) continue;
    const chars = Math.max(...labelLines(a).map((l) => l.length));
    gaps[from.layer] = Math.min(MAX_COL_GAP, Math.max(gaps[from.layer], chars * CHAR_W + 24));
  }
  const colX: number[] = [];
  for (let l = 0, at = MARGIN + START_W; l < layers; l++) {
    colX.push(at);
    at += NODE_W + gaps[l];
  }
  const x = (n: Node) => colX[n.layer];
  const y = (n: Node) => MARGIN + 40 + n.row * (NODE_H + ROW_GAP);
  const width = colX[layers - 1] + NODE_W + MARGIN;
  const height = MARGIN * 2 + 40 + rows * NODE_H + (rows - 1) * ROW_GAP;

  const edgeSvg: string[] = [];
  const labelSvg: string[] = [];
  for (const a of arrows.values()) {
    const from = nodes.get(a.from)!;
    const to = nodes.get(a.to)!;
    let d: string;
    let mx: number;
    let my: number;
    if (back.has(`${a.from}\u0000${a.to}`) || to.layer <= from.layer) {
      // Backwards or within a column: an arc over the top.
      const x1 = x(from) + NODE_W / 2;
      const x2 = x(to) + NODE_W / 2 + (a.from === a.to ? 24 : 0);
      const y1 = y(from);
      const y2 = y(to);
      const top = Math.min(y1, y2) - 22 - Math.abs(from.layer - to.layer) * 4;
      d = `M${x1},${y1} C${x1},${top} ${x2},${top} ${x2},${y2 - 2}`;
      mx = (x1 + x2) / 2;
      my = top + 6;
    } else {
      const x1 = x(from) + NODE_W;
      const y1 = y(from) + NODE_H / 2;
      const x2 = x(to) - 2;
      const y2 = y(to) + NODE_H / 2;
      const bend = Math.max(40, (x2 - x1) / 2);
      d = `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
      mx = (x1 + x2) / 2;
      my = (y1 + y2) / 2 - 5;
    }
    const title = `${a.from} → ${a.to}: ${a.kind}${a.labels.length ? ` (${a.labels.join(', ')})` : ''}`;
    edgeSvg.push(`<path class="edge edge-${a.kind}" d="${d}" marker-end="url(#arrow-${a.kind})"><title>${esc(title)}</title></path>`);
    const lines = labelLines(a);
    const tspans = lines.map((l, i) => `<tspan x="${mx}" dy="${i === 0 ? 0 : 13}"${i === 0 ? ' class="edge-kind"' : ''}>${esc(l)}</tspan>`).join('');
    labelSvg.push(`<text class="edge-label edge-label-${a.kind}" x="${mx}" y="${my - (lines.length - 1) * 13}" text-anchor="middle">${tspans}</text>`);
  }

  const nodeSvg: string[] = [];
  for (const n of nodes.values()) {
    const nx = x(n);
    const ny = y(n);
    const mark = options.marks?.get(n.id);
    const entry = flow.entries.includes(n.id);
    if (n.kind === 'complete' || n.kind === 'endpoint') {
      const label = n.kind === 'complete' ? 'flow completes' : 'endpoint answers';
      nodeSvg.push(`<g class="node node-${n.kind}"><rect x="${nx}" y="${ny + 8}" width="${NODE_W}" height="${NODE_H - 16}" rx="18"/>` +
        `<text x="${nx + NODE_W / 2}" y="${ny + NODE_H / 2 + 4}" text-anchor="middle">${label}</text></g>`);
      continue;
    }
    const cls = ['node', `node-${n.kind}`, n.terminal ? 'node-terminal' : '', entry ? 'node-entry' : '', mark ? `node-${mark}` : ''].filter(Boolean).join(' ');
    const inner = n.terminal ? `<rect class="node-inner" x="${nx + 3}" y="${ny + 3}" width="${NODE_W - 6}" height="${NODE_H - 6}" rx="5"/>` : '';
    const sub = n.kind === 'missing' ? 'no such screen' : n.title !== undefined ? cut(n.title, 26) : '';
    const tag = [n.terminal ? 'terminal' : '', mark ?? ''].filter(Boolean).join(' · ');
    const box = `<rect x="${nx}" y="${ny}" width="${NODE_W}" height="${NODE_H}" rx="8"/>${inner}` +
      `<text class="node-id" x="${nx + 10}" y="${ny + 21}">${esc(cut(n.id, 22))}</text>` +
      `<text class="node-title" x="${nx + 10}" y="${ny + 39}">${esc(sub)}</text>` +
      (tag ? `<text class="node-tag" x="${nx + NODE_W - 8}" y="${ny - 5}" text-anchor="end">${esc(tag)}</text>` : '');
    const link = n.kind === 'screen' ? `#${options.idPrefix ?? ''}screen-${n.id}` : undefined;
    nodeSvg.push(`<g class="${cls}" data-screen="${attr(n.id)}">${link ? `<a href="${attr(link)}">${box}</a>` : box}</g>`);
    if (entry) {
      const sx = MARGIN;
      const sy = ny + NODE_H / 2;
      nodeSvg.push(`<g class="start"><text x="${sx}" y="${sy - 8}">start</text><path class="edge edge-start" d="M${sx},${sy} L${nx - 3},${sy}" marker-end="url(#arrow-navigate)"/></g>`);
    }
  }

  const markers = (['navigate', 'data_exchange', 'complete', 'route'] as const)
    .map((k) => `<marker id="arrow-${k}" class="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`).join('');
  const legend = (['navigate', 'data_exchange', 'complete', 'route'] as const).map((k, i) => {
    const lx = MARGIN + i * 130;
    return `<path class="edge edge-${k}" d="M${lx},${MARGIN} L${lx + 28},${MARGIN}" marker-end="url(#arrow-${k})"/><text class="legend" x="${lx + 34}" y="${MARGIN + 4}">${k === 'route' ? 'routing model' : k}</text>`;
  }).join('') + `<text class="legend" x="${MARGIN + 4 * 130}" y="${MARGIN + 4}">double border: terminal screen</text>`;
  return `<svg class="map" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="navigation map">` +
    `<defs>${markers}</defs>${legend}${edgeSvg.join('')}${nodeSvg.join('')}${labelSvg.join('')}</svg>`;
}

/** An arrow's label: the action, then what the person taps (quoted), each line cut short. */
function labelLines(a: Arrow): string[] {
  if (a.kind === 'route') return ['route'];
  const tapped = a.labels.length > 0 ? [cut(a.labels.map((l) => `“${l}”`).join(', '), LABEL_CHARS)] : [];
  return [a.kind, ...tapped];
}

/**
 * Puts each node in a column: the longest route from an entry screen, back edges (those that close
 * a cycle) left out; the end points one column after the last screen. Returns the back edges.
 */
function layer(flow: FlowModel, nodes: Map<string, Node>, arrows: Arrow[]): Set<string> {
  const out = new Map<string, string[]>();
  for (const a of arrows) if (a.from !== a.to) out.set(a.from, [...(out.get(a.from) ?? []), a.to]);
  // Back edges by a depth-first search from the entries, then from every other screen.
  const back = new Set<string>();
  const state = new Map<string, 1 | 2>();
  const roots = [...flow.entries, ...nodes.keys()];
  for (const root of roots) {
    if (state.has(root)) continue;
    const stack: Array<{ id: string; i: number }> = [{ id: root, i: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const next = out.get(top.id) ?? [];
      if (top.i < next.length) {
        const to = next[top.i++];
        if (state.get(to) === 1) back.add(`${top.id}\u0000${to}`);
        else if (!state.has(to)) {
          state.set(to, 1);
          stack.push({ id: to, i: 0 });
        }
      } else {
        state.set(top.id, 2);
        stack.pop();
      }
    }
  }
  // Longest path over the remaining (acyclic) edges, in topological order.
  const indegree = new Map<string, number>([...nodes.keys()].map((k) => [k, 0]));
  const forward = new Map<string, string[]>();
  for (const [from, tos] of out) {
    for (const to of tos) {
      if (back.has(`${from}\u0000${to}`) || !nodes.has(to)) continue;
      forward.set(from, [...(forward.get(from) ?? []), to]);
      indegree.set(to, (indegree.get(to) ?? 0) + 1);
    }
  }
  const queue = [...nodes.keys()].filter((k) => indegree.get(k) === 0);
  while (queue.length > 0) {
    const id = queue.shift()!;
    const n = nodes.get(id)!;
    for (const to of forward.get(id) ?? []) {
      const m = nodes.get(to)!;
      m.layer = Math.max(m.layer, n.layer + 1);
      indegree.set(to, indegree.get(to)! - 1);
      if (indegree.get(to) === 0) queue.push(to);
    }
  }
  const last = Math.max(0, ...[...nodes.values()].filter((n) => n.kind === 'screen' || n.kind === 'missing').map((n) => n.layer));
  for (const n of nodes.values()) if (n.kind === 'complete' || n.kind === 'endpoint') n.layer = last + 1;
  return back;
}
