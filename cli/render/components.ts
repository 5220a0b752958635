/**
 * Draws the components of a screen as HTML, in the manner of WhatsApp's flow sheet: texts as
 * formatted text, inputs as fields with their labels, helper texts and required marks, option lists
 * with every option's title, images from their base64 data, `If` and `Switch` branches side by side
 * labelled with their condition. Every component's element carries its JSON path (`data-path`), the
 * path `whatsapp-flow diff` names, so that a diff can mark it.
 */
import { pathKey } from '../diff/content';
import { attr, cut, esc, imageUrl, isObject, Obj, str } from './html';
import { markdownHtml, plainHtml } from './markdown';
import { DataScope, display, Piece, resolveValue, textPieces } from './values';

/** How a diff marks a component. */
export type Mark = 'added' | 'removed' | 'changed' | 'moved';

export interface DrawContext {
  readonly scope: DataScope;
  /** Marks by JSON path. */
  readonly marks?: ReadonlyMap<string, Mark>;
  /** Paths not to draw where they are (the Footer the screen pins at the bottom). */
  readonly skip?: ReadonlySet<string>;
}

/** Deeper nesting is drawn as a note: a document cannot make the renderer recurse without end. */
const MAX_DEPTH = 24;
/** Options drawn per list; the rest are counted. */
const MAX_OPTIONS = 50;

/** A list of components. */
export function drawList(list: unknown[], path: string, ctx: DrawContext, depth = 0): string {
  return list.map((c, i) => drawComponent(c, `${path}[${i}]`, ctx, depth)).join('');
}

/** One component, wrapped in an element that carries its path, its type and its diff mark. */
export function drawComponent(c: unknown, path: string, ctx: DrawContext, depth = 0): string {
  if (ctx.skip?.has(path)) return '';
  const mark = ctx.marks?.get(path);
  if (!isObject(c)) return wrap('Invalid', path, mark, [], `<div class="unknown">not a component (${esc(JSON.stringify(c) ?? 'nothing')})</div>`);
  const type = typeof c.type === 'string' ? c.type : '';
  const tags: string[] = [];
  const classes: string[] = [];
  const visible = resolveValue(ctx.scope, c.visible);
  if (visible.value === false) {
    classes.push('is-hidden');
    tags.push(visible.ref ? `hidden with the example ${visible.ref}` : 'hidden');
  } else if (visible.missing) {
    tags.push(`visible if ${visible.ref}`);
  }
  const enabled = resolveValue(ctx.scope, c.enabled);
  if (enabled.value === false) classes.push('is-disabled');
  if (depth > MAX_DEPTH) return wrap(type, path, mark, tags, '<div class="unknown">nested too deep to draw</div>', classes);
  const body = drawBody(type, c, path, ctx, depth);
  return wrap(type, path, mark, tags, body, classes);
}

function wrap(type: string, path: string, mark: Mark | undefined, tags: string[], body: string, classes: string[] = []): string {
  const cls = ['c', `c-${type.replace(/[^A-Za-z0-9_-]/g, '') || 'Unknown'}`, ...classes, ...(mark ? [`mark-${mark}`] : [])].join(' ');
  const tagHtml = [...(mark ? [`<span class="mark-tag">${mark}</span>`] : []), ...tags.map((t) => `<span class="c-tag">${esc(t)}</span>`)].join('');
  return `<div class="${cls}" data-path="${attr(path)}">${tagHtml}${body}</div>`;
}

function drawBody(type: string, c: Obj, path: string, ctx: DrawContext, depth: number): string {
  switch (type) {
    case 'TextHeading':
      return text('t-heading', c, ctx);
    case 'TextSubheading':
      return text('t-subheading', c, ctx);
    case 'TextBody':
      return text('t-body', c, ctx);
    case 'TextCaption':
      return text('t-caption', c, ctx);
    case 'RichText':
      return `<div class="t-rich">${markdownHtml(pieces(ctx, c.text))}</div>`;
    case 'TextInput':
    case 'TextArea':
      return field(c, ctx, type === 'TextArea' ? 'field-area' : '', inputMeta(c), undefined);
    case 'DatePicker':
      return field(c, ctx, '', dateMeta(c), CALENDAR_ICON);
    case 'CalendarPicker':
      return calendar(c, ctx);
    case 'Dropdown':
      return field(c, ctx, '', undefined, '▾') + optionList(c, ctx, 'dd');
    case 'RadioButtonsGroup':
      return group(c, ctx, 'radio');
    case 'CheckboxGroup':
      return group(c, ctx, 'check');
    case 'ChipsSelector':
      return group(c, ctx, 'chip');
    case 'OptIn':
      return optIn(c, ctx);
    case 'EmbeddedLink':
      return `<div class="link">${plainHtml(pieces(ctx, c.text))}</div>`;
    case 'Footer':
      return footer(c, ctx);
    case 'Image':
      return image(c, ctx);
    case 'ImageCarousel':
      return carousel(c, ctx);
    case 'NavigationList':
      return navigationList(c, ctx);
    case 'PhotoPicker':
    case 'DocumentPicker':
      return picker(type, c, ctx);
    case 'Form':
      return `<div class="form">${drawList(Array.isArray(c.children) ? c.children : [], `${path}.children`, ctx, depth + 1)}</div>`;
    case 'If':
      return ifBranches(c, path, ctx, depth);
    case 'Switch':
      return switchCases(c, path, ctx, depth);
    default:
      return `<div class="unknown">${esc(type || 'a component without a type')}: not a component this renderer knows; not drawn</div>`;
  }
}

// ------------------------------------------------------------------------------------------ text

function pieces(ctx: DrawContext, v: unknown): Piece[] {
  return textPieces(ctx.scope, v) ?? [];
}

function text(cls: string, c: Obj, ctx: DrawContext): string {
  const p = pieces(ctx, c.text);
  const weight = typeof c['font-weight'] === 'string' ? ` fw-${c['font-weight'].replace(/[^a-z_]/g, '')}` : '';
  const strike = c.strikethrough === true ? ' strike' : '';
  const body = c.markdown === true ? markdownHtml(p) : plainHtml(p);
  return `<div class="${cls}${weight}${strike}">${body}</div>`;
}

/** A label with its required mark. */
function label(ctx: DrawContext, v: unknown, required: boolean, cls = 'field-label'): string {
  const p = pieces(ctx, v);
  const mark = required ? '<span class="req" title="required">*</span>' : '';
  return `<span class="${cls}">${plainHtml(p)}${mark}</span>`;
}

function isRequired(ctx: DrawContext, c: Obj): boolean {
  const r = resolveValue(ctx.scope, c.required);
  return r.value === true;
}

// ------------------------------------------------------------------------------------------ fields

const CALENDAR_ICON = '<svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><rect x="1.5" y="3" width="13" height="11.5" rx="1.5" fill="none" stroke="currentColor"/><path d="M1.5 6.5h13M5 1.5v3M11 1.5v3" stroke="currentColor"/></svg>';

function field(c: Obj, ctx: DrawContext, cls: string, meta: string | undefined, icon: string | undefined): string {
  const init = resolveValue(ctx.scope, c['init-value']);
  const value = init.value !== undefined && init.value !== '' ? `<span class="field-value">${esc(display(init.value))}</span>` : '';
  const helper = c['helper-text'] !== undefined ? `<div class="field-helper">${plainHtml(pieces(ctx, isObject(c['helper-text']) ? Object.values(c['helper-text'])[0] : c['helper-text']))}</div>` : '';
  const error = c['error-message'] !== undefined && !isObject(c['error-message']) ? `<div class="field-error">${plainHtml(pieces(ctx, c['error-message']))}</div>` : '';
  const iconHtml = icon ? `<span class="field-icon">${icon}</span>` : '';
  return `<div class="field ${cls}"><div class="field-box">${label(ctx, isObject(c.label) ? Object.values(c.label)[0] : c.label, isRequired(ctx, c))}${value}${iconHtml}</div>` +
    `${helper}${error}${meta ? `<div class="field-meta">${esc(meta)}</div>` : ''}</div>`;
}

function inputMeta(c: Obj): string | undefined {
  const parts: string[] = [];
  const type = str(c['input-type']);
  if (type && type !== 'text') parts.push(type);
  const min = typeof c['min-chars'] === 'number' ? c['min-chars'] : undefined;
  const max = typeof c['max-chars'] === 'number' ? c['max-chars'] : typeof c['max-length'] === 'number' ? c['max-length'] : undefined;
  if (min !== undefined && max !== undefined) parts.push(`${min}–${max} characters`);
  else if (max !== undefined) parts.push(`up to ${max} characters`);
  else if (min !== undefined) parts.push(`at least ${min} characters`);
  if (typeof c.pattern === 'string') parts.push(`pattern ${cut(c.pattern, 40)}`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function dateMeta(c: Obj): string | undefined {
  const parts: string[] = [];
  if (typeof c['min-date'] === 'string') parts.push(`from ${c['min-date']}`);
  if (typeof c['max-date'] === 'string') parts.push(`until ${c['max-date']}`);
  if (Array.isArray(c['unavailable-dates']) && c['unavailable-dates'].length > 0) parts.push(`${c['unavailable-dates'].length} dates unavailable`);
  if (Array.isArray(c['include-days'])) parts.push(`on ${c['include-days'].filter((d) => typeof d === 'string').join(', ')}`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function calendar(c: Obj, ctx: DrawContext): string {
  const title = c.title !== undefined ? `<div class="group-label">${plainHtml(pieces(ctx, c.title))}</div>` : '';
  const description = c.description !== undefined ? `<div class="group-desc">${plainHtml(pieces(ctx, c.description))}</div>` : '';
  const range = c.mode === 'range';
  const labels = isObject(c.label) ? c.label : undefined;
  const required = isRequired(ctx, c) || (isObject(c.required) && Object.values(c.required).some((v) => v === true));
  const meta = dateMeta(c);
  const box = (l: unknown) => `<div class="field"><div class="field-box">${label(ctx, l, required)}<span class="field-icon">${CALENDAR_ICON}</span></div></div>`;
  const boxes = range && labels ? `<div class="field-pair">${box(labels['start-date'])}${box(labels['end-date'])}</div>` : box(labels ? Object.values(labels)[0] : c.label);
  const helper = c['helper-text'] !== undefined && !isObject(c['helper-text']) ? `<div class="field-helper">${plainHtml(pieces(ctx, c['helper-text']))}</div>` : '';
  return `${title}${description}${boxes}${helper}${meta || range ? `<div class="field-meta">${esc([range ? 'a range of dates' : '', meta ?? ''].filter(Boolean).join(' · '))}</div>` : ''}`;
}

// ------------------------------------------------------------------------------------------ options

interface Option {
  readonly title: Piece[];
  readonly description?: Piece[];
  readonly metadata?: Piece[];
  readonly image?: string;
  readonly enabled: boolean;
}

/** The options of a `data-source`: literal, or the example of the data it names. */
function options(c: Obj, ctx: DrawContext, key = 'data-source'): { list: Option[]; more: number; from?: string } {
  const source = resolveValue(ctx.scope, c[key]);
  if (!Array.isArray(source.value)) return { list: [], more: 0, from: source.ref ?? (source.value !== undefined ? 'an unreadable value' : undefined) };
  const list = source.value.slice(0, MAX_OPTIONS).map((o): Option => {
    const x = isObject(o) ? o : {};
    const img = typeof x.image === 'string' ? imageUrl(x.image) : undefined;
    return {
      title: pieces(ctx, x.title ?? x.id ?? ''),
      description: x.description !== undefined ? pieces(ctx, x.description) : undefined,
      metadata: x.metadata !== undefined ? pieces(ctx, x.metadata) : undefined,
      image: img,
      enabled: x.enabled !== false,
    };
  });
  return { list, more: Math.max(0, source.value.length - MAX_OPTIONS), from: source.ref };
}

function optionList(c: Obj, ctx: DrawContext, kind: string): string {
  const o = options(c, ctx);
  if (o.list.length === 0) return o.from ? `<div class="opt-from">options from <span class="ph">${esc(o.from)}</span></div>` : '';
  const items = o.list.map((x) => `<li class="opt${x.enabled ? '' : ' is-disabled'}"><span class="opt-title">${plainHtml(x.title)}</span></li>`).join('');
  const more = o.more > 0 ? `<li class="opt-more">and ${o.more} more</li>` : '';
  const from = o.from ? `<div class="opt-from">example options of <span class="ex">${esc(o.from)}</span></div>` : '';
  return `<ul class="${kind}-options">${items}${more}</ul>${from}`;
}

function group(c: Obj, ctx: DrawContext, kind: 'radio' | 'check' | 'chip'): string {
  const head = c.label !== undefined ? `<div class="group-label">${label(ctx, c.label, isRequired(ctx, c), 'group-label-text')}</div>` : '';
  const description = c.description !== undefined ? `<div class="group-desc">${plainHtml(pieces(ctx, c.description))}</div>` : '';
  const o = options(c, ctx);
  const init = resolveValue(ctx.scope, c['init-value']).value;
  const chosen = new Set(Array.isArray(init) ? init.map(String) : init !== undefined ? [String(init)] : []);
  const raw = resolveValue(ctx.scope, c['data-source']).value;
  const ids = Array.isArray(raw) ? raw.map((x) => (isObject(x) ? String(x.id) : '')) : [];
  const limits = kind === 'radio' ? '' : selectionLimits(c);
  if (kind === 'chip') {
    const chips = o.list.map((x, i) => `<span class="chip opt${chosen.has(ids[i]) ? ' is-chosen' : ''}${x.enabled ? '' : ' is-disabled'}"><span class="opt-title">${plainHtml(x.title)}</span></span>`).join('');
    return `${head}${description}<div class="chips">${chips}${o.more > 0 ? `<span class="opt-more">and ${o.more} more</span>` : ''}</div>${fromNote(o.from, o.list.length)}${limits}`;
  }
  const rows = o.list.map((x, i) => {
    const img = x.image ? `<img class="opt-img" alt="" src="${attr(x.image)}">` : '';
    const desc = x.description ? `<span class="opt-desc">${plainHtml(x.description)}</span>` : '';
    const meta = x.metadata ? `<span class="opt-meta">${plainHtml(x.metadata)}</span>` : '';
    const box = `<span class="${kind}${chosen.has(ids[i]) ? ' is-chosen' : ''}"></span>`;
    return `<div class="opt${x.enabled ? '' : ' is-disabled'}">${img}<span class="opt-text"><span class="opt-title">${plainHtml(x.title)}</span>${desc}${meta}</span>${box}</div>`;
  }).join('');
  return `${head}${description}<div class="opts">${rows}${o.more > 0 ? `<div class="opt-more">and ${o.more} more</div>` : ''}</div>${fromNote(o.from, o.list.length)}${limits}`;
}

function fromNote(from: string | undefined, count: number): string {
  if (!from) return '';
  return count > 0 ? `<div class="opt-from">example options of <span class="ex">${esc(from)}</span></div>` : `<div class="opt-from">options from <span class="ph">${esc(from)}</span></div>`;
}

function selectionLimits(c: Obj): string {
  const min = typeof c['min-selected-items'] === 'number' ? c['min-selected-items'] : undefined;
  const max = typeof c['max-selected-items'] === 'number' ? c['max-selected-items'] : undefined;
  if (min === undefined && max === undefined) return '';
  const text = min !== undefined && max !== undefined ? `choose ${min}–${max}` : min !== undefined ? `choose at least ${min}` : `choose up to ${max}`;
  return `<div class="field-meta">${text}</div>`;
}

function optIn(c: Obj, ctx: DrawContext): string {
  const init = resolveValue(ctx.scope, c['init-value']).value === true;
  const action = isObject(c['on-click-action']) ? c['on-click-action'] : undefined;
  const more = action ? ' <span class="link-inline">Read more</span>' : '';
  return `<div class="opt optin"><span class="check${init ? ' is-chosen' : ''}"></span><span class="opt-text"><span class="opt-title">${label(ctx, c.label, isRequired(ctx, c), 'optin-label')}${more}</span></span></div>`;
}

// ------------------------------------------------------------------------------------------ footer

/** The footer button with its captions. */
export function footer(c: Obj, ctx: DrawContext): string {
  const caps = ['left-caption', 'center-caption', 'right-caption']
    .map((k) => (c[k] !== undefined ? `<span class="cap cap-${k.split('-')[0]}">${plainHtml(pieces(ctx, c[k]))}</span>` : ''))
    .join('');
  const action = isObject(c['on-click-action']) && typeof c['on-click-action'].name === 'string' ? c['on-click-action'].name : undefined;
  return `${caps ? `<div class="captions">${caps}</div>` : ''}<div class="footer-button" title="${attr(action ? `on tap: ${action}` : '')}">${plainHtml(pieces(ctx, c.label))}</div>`;
}

// ------------------------------------------------------------------------------------------ media

function image(c: Obj, ctx: DrawContext): string {
  const src = resolveValue(ctx.scope, c.src);
  const alt = typeof c['alt-text'] === 'string' ? c['alt-text'] : '';
  const height = typeof c.height === 'number' && c.height > 0 ? Math.min(c.height, 600) : undefined;
  const width = typeof c.width === 'number' && c.width > 0 ? c.width : undefined;
  const ratio = typeof c['aspect-ratio'] === 'number' && c['aspect-ratio'] > 0 ? c['aspect-ratio'] : undefined;
  const fit = c['scale-type'] === 'cover' ? 'cover' : 'contain';
  const style = [
    height !== undefined ? `height:${height}px` : '',
    width !== undefined ? `width:${width}px` : 'width:100%',
    ratio !== undefined && height === undefined ? `aspect-ratio:${ratio}` : '',
    `object-fit:${fit}`,
  ].filter(Boolean).join(';');
  const url = typeof src.value === 'string' ? imageUrl(src.value) : undefined;
  if (!url) {
    const why = src.missing ? `image from <span class="ph">${esc(src.ref!)}</span>` : 'an image that is not base64 data';
    return `<div class="img-missing" style="${attr(height !== undefined ? `height:${Math.min(height, 200)}px` : 'height:80px')}">${why}${alt ? `<br>${esc(alt)}` : ''}</div>`;
  }
  return `<img class="img" alt="${attr(alt)}" src="${attr(url)}" style="${attr(style)}">`;
}

function carousel(c: Obj, ctx: DrawContext): string {
  const images = resolveValue(ctx.scope, c.images);
  const list = Array.isArray(images.value) ? images.value.filter(isObject) : [];
  if (list.length === 0) return `<div class="img-missing" style="height:80px">images from <span class="ph">${esc(images.ref ?? 'nothing')}</span></div>`;
  const ratio = c['aspect-ratio'] === '16:9' ? '16/9' : '4/3';
  const fit = c['scale-type'] === 'contain' ? 'contain' : 'cover';
  const draw = (x: Obj, cls: string) => {
    const url = typeof x.src === 'string' ? imageUrl(x.src) : undefined;
    const alt = typeof x['alt-text'] === 'string' ? x['alt-text'] : '';
    return url ? `<img class="${cls}" alt="${attr(alt)}" src="${attr(url)}" style="aspect-ratio:${ratio};object-fit:${fit}">` : `<div class="img-missing ${cls}">${esc(alt || 'image')}</div>`;
  };
  const thumbs = list.length > 1 ? `<div class="carousel-thumbs">${list.slice(1, 10).map((x) => draw(x, 'carousel-thumb')).join('')}</div>` : '';
  const dots = `<div class="carousel-dots">${list.map((_, i) => `<span class="dot${i === 0 ? ' is-on' : ''}"></span>`).join('')}</div>`;
  return `<div class="carousel">${draw(list[0], 'carousel-main')}${dots}${thumbs}</div>`;
}

function navigationList(c: Obj, ctx: DrawContext): string {
  const head = c.label !== undefined ? `<div class="group-label">${plainHtml(pieces(ctx, c.label))}</div>` : '';
  const description = c.description !== undefined ? `<div class="group-desc">${plainHtml(pieces(ctx, c.description))}</div>` : '';
  const items = resolveValue(ctx.scope, c['list-items']);
  if (!Array.isArray(items.value)) return `${head}${description}<div class="opt-from">items from <span class="ph">${esc(items.ref ?? 'nothing')}</span></div>`;
  const rows = items.value.slice(0, MAX_OPTIONS).map((item) => {
    const x = isObject(item) ? item : {};
    const main = isObject(x['main-content']) ? x['main-content'] : {};
    const start = isObject(x.start) ? x.start : {};
    const end = isObject(x.end) ? x.end : {};
    const img = typeof start.image === 'string' && imageUrl(start.image) ? `<img class="opt-img" alt="" src="${attr(imageUrl(start.image)!)}">` : '';
    const line = (v: unknown, cls: string) => (v !== undefined ? `<span class="${cls}">${plainHtml(pieces(ctx, v))}</span>` : '');
    const badge = x.badge !== undefined ? `<span class="badge-pill">${plainHtml(pieces(ctx, x.badge))}</span>` : '';
    const tags = Array.isArray(x.tags) ? x.tags.filter((t) => typeof t === 'string').map((t) => `<span class="tag-pill">${esc(t as string)}</span>`).join('') : '';
    const endHtml = end.title !== undefined || end.description !== undefined || end.metadata !== undefined
      ? `<span class="nav-end">${line(end.title, 'opt-title')}${line(end.description, 'opt-desc')}${line(end.metadata, 'opt-meta')}</span>` : '';
    return `<div class="opt nav-item">${img}<span class="opt-text">${line(main.title ?? x.id, 'opt-title')}${line(main.description, 'opt-desc')}${line(main.metadata, 'opt-meta')}${badge || tags ? `<span class="pills">${badge}${tags}</span>` : ''}</span>${endHtml}<span class="chevron">›</span></div>`;
  }).join('');
  const more = items.value.length > MAX_OPTIONS ? `<div class="opt-more">and ${items.value.length - MAX_OPTIONS} more</div>` : '';
  const from = items.ref ? `<div class="opt-from">example items of <span class="ex">${esc(items.ref)}</span></div>` : '';
  return `${head}${description}<div class="opts">${rows}${more}</div>${from}`;
}

function picker(type: string, c: Obj, ctx: DrawContext): string {
  const description = c.description !== undefined ? `<div class="group-desc">${plainHtml(pieces(ctx, c.description))}</div>` : '';
  const photo = type === 'PhotoPicker';
  const max = photo ? c['max-uploaded-photos'] : c['max-uploaded-documents'];
  const min = photo ? c['min-uploaded-photos'] : c['min-uploaded-documents'];
  const meta = [
    typeof min === 'number' && min > 0 ? `at least ${min}` : '',
    typeof max === 'number' ? `up to ${max}` : '',
    typeof c['max-file-size-kb'] === 'number' ? `${c['max-file-size-kb']} KB each` : '',
    photo && typeof c['photo-source'] === 'string' ? String(c['photo-source']).replace('_', ' or ') : '',
  ].filter(Boolean).join(' · ');
  const required = typeof min === 'number' && min > 0;
  return `<div class="group-label">${label(ctx, c.label, required, 'group-label-text')}</div>${description}` +
    `<div class="picker-button">${photo ? 'Take or choose a photo' : 'Choose a document'}</div>${meta ? `<div class="field-meta">${esc(meta)}</div>` : ''}`;
}

// ------------------------------------------------------------------------------------------ branches

/** Marks the branch the example data would show, when the condition or value is a plain reference to one. */
const SHOWN = ' <span class="branch-shown" title="the branch the screen\'s __example__ data shows">· shown</span>';

function ifBranches(c: Obj, path: string, ctx: DrawContext, depth: number): string {
  const condition = typeof c.condition === 'string' ? c.condition : JSON.stringify(c.condition) ?? '';
  const then = Array.isArray(c.then) ? c.then : [];
  const otherwise = Array.isArray(c.else) ? c.else : undefined;
  const example = resolveValue(ctx.scope, c.condition).value;
  const shown = typeof example === 'boolean' ? example : undefined;
  const branch = (title: string, list: unknown[] | undefined, slot: string, on: boolean) => `<div class="branch"><div class="branch-label">${title}${on ? SHOWN : ''}</div>` +
    `${list === undefined ? '<div class="branch-empty">nothing</div>' : drawList(list, `${path}.${slot}`, ctx, depth + 1)}</div>`;
  return `<div class="branches">${branch(`if <code>${esc(cut(condition, 80))}</code>`, then, 'then', shown === true)}${branch('else', otherwise, 'else', shown === false)}</div>`;
}

function switchCases(c: Obj, path: string, ctx: DrawContext, depth: number): string {
  const value = typeof c.value === 'string' ? c.value : JSON.stringify(c.value) ?? '';
  const example = resolveValue(ctx.scope, c.value);
  const shown = example.ref !== undefined && (typeof example.value === 'string' || typeof example.value === 'number') ? String(example.value) : undefined;
  const cases = isObject(c.cases) ? Object.entries(c.cases) : [];
  const columns = cases.map(([k, list]) => `<div class="branch"><div class="branch-label"><code>${esc(cut(value, 40))}</code> = ${esc(JSON.stringify(k))}${k === shown ? SHOWN : ''}</div>` +
    `${Array.isArray(list) ? drawList(list, `${path}.cases${pathKey(k)}`, ctx, depth + 1) : '<div class="branch-empty">nothing</div>'}</div>`).join('');
  return `<div class="branches switch">${columns || '<div class="branch-empty">no cases</div>'}</div>`;
}
