/**
 * The HTML rendering of a diff report (`--format html`): one self-contained page where each
 * changed screen is drawn before and after, side by side, with the components added, removed,
 * changed and moved marked, and the new version's navigation map with the changed screens marked.
 * The drawing is the renderer's (cli/render/); the marks come from the content diff's paths.
 */
import { Mark } from '../render/components';
import { FlowModel, readFlow } from '../render/flow-model';
import { attr, cut, esc } from '../render/html';
import { drawMap } from '../render/map';
import { findingsHtml, page } from '../render/page';
import { drawScreen } from '../render/screen';
import { Action } from './plan';
import { ContentDiff } from './content';
import { totals } from './formats';
import { DiffReport, FlowReport } from './report';

/** A screen drawn before and after: the element ids of its two pictures (for `--images`). */
export interface ScreenPair {
  readonly screen: string;
  readonly before?: string;
  readonly after?: string;
}

/** The page, and for each flow the screens it draws in pairs. */
export interface HtmlDiff {
  readonly html: string;
  readonly pairs: Map<FlowReport, ScreenPair[]>;
}

export function renderHtml(report: DiffReport, title = 'WhatsApp Flows: what this deploy does'): HtmlDiff {
  const pairs = new Map<FlowReport, ScreenPair[]>();
  const changed = report.flows.filter((f) => f.action !== Action.UNCHANGED);
  const unchanged = report.flows.filter((f) => f.action === Action.UNCHANGED);
  const rows = changed.map((f, i) => `<tr><td><a href="#flow-${i}">${esc(f.flowName)}</a></td><td>${esc(f.sourceFile ?? `${f.stack}/${f.logicalId}`)}</td>` +
    `<td><strong>${esc(f.action)}</strong>${f.plan.irreversible.length > 0 ? ' <span class="irreversible" title="cannot be undone">⚠</span>' : ''}</td><td>${esc(f.plan.tags.join(', '))}</td><td>${validatorCell(f)}</td></tr>`).join('');
  const table = changed.length > 0 ? `<table class="md-table summary"><thead><tr><th>Flow</th><th>Source</th><th>Action</th><th>Changes</th><th>Validator</th></tr></thead><tbody>${rows}</tbody></table>` : '';
  const sections = changed.map((f, i) => {
    const drawn = flowSection(f, i);
    pairs.set(f, drawn.pairs);
    return drawn.html;
  }).join('');
  const rest = unchanged.length > 0 ? `<p class="unchanged">${unchanged.length} unchanged flow${unchanged.length === 1 ? '' : 's'}: ${unchanged.map((f) => esc(f.flowName)).join(', ')}</p>` : '';
  const body = `<header class="page-head"><h1>${esc(title)}</h1><div class="totals">${esc(totals(report))}</div></header>${table}${sections}${rest}`;
  return { html: page(title, body), pairs };
}

function flowSection(f: FlowReport, n: number): { html: string; pairs: ScreenPair[] } {
  const where = [f.sourceFile, `${f.stack}/${f.logicalId}`].filter(Boolean).map((s) => esc(s!)).join(' · ');
  const effects = [
    ...f.plan.effects.map((e) => `<li>${esc(e)}</li>`),
    ...f.plan.irreversible.map((w) => `<li class="irreversible">⚠ <strong>Irreversible:</strong> ${esc(w)}</li>`),
    ...f.plan.notes.map((x) => `<li class="note">⚠ ${esc(x)}</li>`),
  ].join('');
  const findings = f.findings && f.findings.list.length > 0 ? findingsHtml(f.findings.list, f.sourceFile) : '';
  let drawing = '';
  let pairs: ScreenPair[] = [];
  const oldFlow = parse(f.texts?.old);
  const newFlow = parse(f.texts?.new);
  if (f.content && oldFlow && newFlow) {
    const drawn = changedScreens(f.content, oldFlow, newFlow, n);
    drawing = drawn.html;
    pairs = drawn.pairs;
  } else if (newFlow && !f.texts?.old) {
    drawing = `<section class="map-wrap"><h2>Navigation</h2>${drawMap(newFlow, { idPrefix: `f${n}-new-` })}</section>` +
      `<div class="screens">${newFlow.screens.map((s) => drawScreen(newFlow, s, { idPrefix: `f${n}-new-`, screenMark: 'added' })).join('')}</div>`;
    pairs = newFlow.screens.map((s) => ({ screen: s.id, after: `f${n}-new-screen-${s.id}` }));
  } else if (f.content?.unparsed) {
    drawing = `<p class="note">${esc(f.content.unparsed)}: the screens cannot be drawn.</p>`;
  }
  const html = `<section class="flow" id="flow-${n}" data-flow="${attr(f.flowName)}"><h2>${esc(f.flowName)}: ${esc(f.action)}${f.plan.irreversible.length > 0 ? ' <span class="irreversible">⚠</span>' : ''}</h2>` +
    `<div class="page-sub">${where}</div><ul class="effects">${effects}</ul>${findings}${drawing}</section>`;
  return { html, pairs };
}

/** The changed, added and removed screens, each before and after, and the new map with them marked. */
function changedScreens(content: ContentDiff, oldFlow: FlowModel, newFlow: FlowModel, n: number): { html: string; pairs: ScreenPair[] } {
  const oldMarks = new Map<string, Mark>();
  const newMarks = new Map<string, Mark>();
  const screenMarks = new Map<string, Mark>();
  const order: Array<{ old?: number; new?: number }> = [];
  const documentChanges: string[] = [];
  for (const e of content.entries) {
    if (e.depth === 0) {
      const index = (p: string | undefined) => (p !== undefined && /^screens\[(\d+)\]$/.test(p) ? Number(/\d+/.exec(p)![0]) : undefined);
      if (e.label === 'document') documentChanges.push(e.detail ?? 'changed');
      else if (e.kind === 'added' && index(e.path) !== undefined) order.push({ new: index(e.path) });
      else if (e.kind === 'removed' && index(e.path) !== undefined) order.push({ old: index(e.path) });
      else if (e.kind === 'changed' && index(e.path) !== undefined) order.push({ old: index(e.oldPath), new: index(e.path) });
      continue;
    }
    if (e.kind === 'added') newMarks.set(e.path, 'added');
    else if (e.kind === 'removed') oldMarks.set(e.path, 'removed');
    else if (e.kind === 'changed' || e.kind === 'moved') {
      newMarks.set(e.path, e.kind);
      if (e.oldPath !== undefined) oldMarks.set(e.oldPath, e.kind);
    }
  }
  const pairs: ScreenPair[] = [];
  const drawnPairs = order.map((o) => {
    const before = o.old !== undefined ? oldFlow.screens[o.old] : undefined;
    const after = o.new !== undefined ? newFlow.screens[o.new] : undefined;
    const mark: Mark = !before ? 'added' : !after ? 'removed' : 'changed';
    const id = (after ?? before)!.id;
    if (after) screenMarks.set(after.id, mark);
    const beforeId = before ? `f${n}-old-screen-${before.id}` : undefined;
    const afterId = after ? `f${n}-new-screen-${after.id}` : undefined;
    pairs.push({ screen: id, before: beforeId, after: afterId });
    const side = (label: string, html: string) => `<div class="side side-${label}"><div class="side-label">${label}</div>${html}</div>`;
    return `<div class="pair" data-screen="${attr(id)}">` +
      side('before', before ? drawScreen(oldFlow, before, { marks: oldMarks, idPrefix: `f${n}-old-`, screenMark: mark === 'removed' ? 'removed' : mark === 'changed' ? 'changed' : undefined }) : '<div class="side-empty">not in the old version</div>') +
      side('after', after ? drawScreen(newFlow, after, { marks: newMarks, idPrefix: `f${n}-new-`, screenMark: mark === 'added' ? 'added' : mark === 'changed' ? 'changed' : undefined }) : '<div class="side-empty">removed in the new version</div>') +
      '</div>';
  }).join('');
  const removed = order.filter((o) => o.new === undefined && o.old !== undefined).map((o) => oldFlow.screens[o.old!].id);
  const docNote = documentChanges.length > 0 ? `<p class="note">Document: ${documentChanges.map((d) => esc(cut(d, 200))).join('; ')}</p>` : '';
  const removedNote = removed.length > 0 ? `<p class="note">Removed screens (not on the map): ${removed.map(esc).join(', ')}</p>` : '';
  const omitted = content.omitted > 0 ? `<p class="note">${content.omitted} more changes are not marked (the summary is capped).</p>` : '';
  const map = `<section class="map-wrap"><h2>Navigation (new version)</h2>${drawMap(newFlow, { marks: screenMarks, idPrefix: `f${n}-new-` })}${removedNote}</section>`;
  return { html: `${docNote}${map}${drawnPairs}${omitted}`, pairs };
}

function parse(text: string | undefined): FlowModel | undefined {
  if (text === undefined) return undefined;
  try {
    return readFlow(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
  } catch {
    return undefined;
  }
}

function validatorCell(f: FlowReport): string {
  if (!f.findings) return '';
  // Plain symbols: emoji need a font a CI machine's Chromium may lack.
  if (f.findings.errors > 0) return `<span class="finding-error">✗ ${f.findings.errors} error${f.findings.errors === 1 ? '' : 's'}</span>`;
  if (f.findings.warnings > 0) return `<span class="finding-warning">⚠ ${f.findings.warnings} warning${f.findings.warnings === 1 ? '' : 's'}</span>`;
  return '✓ no findings';
}
