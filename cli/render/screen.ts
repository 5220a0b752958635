/**
 * One screen as a phone-width column (360 CSS px), as WhatsApp draws a flow's sheet: a header
 * with the close mark and the screen's title, the components in order, and the Footer pinned at
 * the bottom. Above the phone: the screen's id and whether it is where the flow starts or ends.
 */
import { drawList, DrawContext, footer, Mark } from './components';
import { FlowModel, scopeOf, ScreenModel } from './flow-model';
import { attr, esc, isObject } from './html';
import { plainHtml } from './markdown';
import { textPieces } from './values';

export interface ScreenOptions {
  /** Marks by JSON path, for a diff. */
  readonly marks?: ReadonlyMap<string, Mark>;
  /** A mark for the whole screen (added, removed). */
  readonly screenMark?: Mark;
  /** The element id prefix, so that two versions of a screen can share a page. */
  readonly idPrefix?: string;
}

/** The screen's HTML. */
export function drawScreen(flow: FlowModel, screen: ScreenModel, options: ScreenOptions = {}): string {
  const scope = scopeOf(flow, screen);
  const pinned = pinnedFooter(screen);
  const ctx: DrawContext = { scope, marks: options.marks, skip: pinned ? new Set([pinned.path]) : undefined };
  const title = screen.title !== undefined ? plainHtml(textPieces(scope, screen.title) ?? []) : '<span class="ph">no title</span>';
  const badges = [
    flow.entries.includes(screen.id) ? '<span class="badge badge-entry" title="the flow starts here">entry</span>' : '',
    screen.terminal ? `<span class="badge badge-terminal" title="the flow can end here">terminal${screen.success === false ? ', no success' : ''}</span>` : '',
    options.screenMark ? `<span class="badge badge-${options.screenMark}">${options.screenMark}</span>` : '',
  ].join('');
  const body = drawList(screen.children, `${screen.path}.layout.children`, ctx);
  const foot = pinned ? pinnedHtml(pinned, ctx) : '';
  const id = `${options.idPrefix ?? ''}screen-${screen.id}`;
  return `<section class="screen${options.screenMark ? ` screen-${options.screenMark}` : ''}" id="${attr(id)}" data-screen="${attr(screen.id)}">` +
    `<div class="screen-meta"><span class="screen-id">${esc(screen.id)}</span>${badges}</div>` +
    `<div class="phone"><header class="sheet-head"><span class="sheet-close" aria-hidden="true">✕</span><h2 class="sheet-title">${title}</h2><span class="sheet-menu" aria-hidden="true">⋮</span></header>` +
    `<div class="sheet-body">${body || '<div class="branch-empty">no components</div>'}</div>${foot ? `<footer class="sheet-foot">${foot}</footer>` : ''}</div></section>`;
}

/** The Footer WhatsApp pins under the sheet: one at the top level or in a top-level Form (not in a branch). */
function pinnedFooter(screen: ScreenModel): { path: string; component: Record<string, unknown> } | undefined {
  const search = (list: unknown[], path: string, inForm: boolean): { path: string; component: Record<string, unknown> } | undefined => {
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      if (!isObject(c)) continue;
      if (c.type === 'Footer') return { path: `${path}[${i}]`, component: c };
      if (c.type === 'Form' && !inForm && Array.isArray(c.children)) {
        const found = search(c.children, `${path}[${i}].children`, true);
        if (found) return found;
      }
    }
    return undefined;
  };
  return search(screen.children, `${screen.path}.layout.children`, false);
}

function pinnedHtml(pinned: { path: string; component: Record<string, unknown> }, ctx: DrawContext): string {
  const mark = ctx.marks?.get(pinned.path);
  const cls = `c c-Footer${mark ? ` mark-${mark}` : ''}${pinned.component.enabled === false ? ' is-disabled' : ''}`;
  return `<div class="${cls}" data-path="${attr(pinned.path)}">${mark ? `<span class="mark-tag">${mark}</span>` : ''}${footer(pinned.component, ctx)}</div>`;
}
