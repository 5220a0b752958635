/**
 * Components (rules §3, §4): the catalogue per version, placement, counts per screen, Form rules,
 * If/Switch branches and footers, and the per-component constraints.
 */
import { checkAction } from './actions';
import { Resolved, checkString, resolveReference, walkStrings } from './bindings';
import {
  ACTIONS, BRANCH_UNCONFIRMED, CAROUSEL_IMAGE_PROPS, CHIPS_IN_SWITCH_SINCE, COMPONENTS, CONTAINERS, DAYS, IF_BRANCH_COMPONENTS, Kind,
  NAV_END_PROPS, NAV_ITEM_PROPS, NAV_MAIN_CONTENT_PROPS, NAV_START_PROPS, OPTION_EVENTS, OPTION_PROPS, PropSpec, propsOf, SWITCH_CASE_COMPONENTS, ValueType,
} from './catalogue';
import { Obj, Path, codePointLength, has, isBlank, isObject, jsonType, q, plural } from './context';
import { structurallyDifferent } from './data-schema';
import { checkKeys, keyPath, keySpace } from './keys';
import { enumError } from './names';
import { ComponentNode, Flow, ScreenInfo } from './model';
import { checkCondition, wholeReference } from './references';
import { V4_0, V5_0, V6_0, V6_3, formatVersion } from './versions';

const MAX_COMPONENTS = 50;
const MAX_IF_NESTING = 3;
const KB = 1024;

/** Properties whose values the component-specific checks walk themselves. */
const NESTED_PROPS: ReadonlySet<string> = new Set(['data-source', 'list-items', 'images', 'main-content', 'start', 'end']);

export function checkScreenComponents(flow: Flow, screen: ScreenInfo): void {
  if (typeof screen.obj.title === 'string') checkString(flow, screen, screen.obj.title, screen.path.at('title'));
  for (const node of screen.nodes) checkComponent(flow, screen, node);
  checkScreenAggregates(flow, screen);
}

/** ImageCarousel: at most 3 per flow. */
export function checkFlowComponentLimits(flow: Flow): void {
  const carousels = flow.screens.flatMap((s) => s.nodes.filter((n) => n.type === 'ImageCarousel'));
  if (carousels.length > 3) {
    flow.ctx.error('MAX_IMAGE_CAROUSEL_PER_FLOW', carousels[3].path, `the flow has ${carousels.length} ImageCarousel components, more than the 3 allowed per flow`,
      'remove ImageCarousels or replace some with Image');
  }
}

function checkComponent(flow: Flow, screen: ScreenInfo, node: ComponentNode): void {
  const { ctx } = flow;
  const { comp, type, spec, path } = node;
  if (type === undefined) return;
  if (!spec) {
    if (ctx.unconfirmedCatalogue) {
      ctx.warn('UNCONFIRMED_COMPONENT', path.at('type'), `component type ${q(type)} is not in the catalogue this validator knows; versions from 7.0 may have added it`,
        'check the type against Meta\'s components reference', type);
    } else {
      ctx.error('UNKNOWN_COMPONENT', path.at('type'), `there is no component type ${q(type)}`, 'use a component from Meta\'s components reference (e.g. TextBody, TextInput, Footer)', type);
    }
    return;
  }
  if (node.misspelt !== undefined) {
    // A near miss of a known type: certainly broken in every version; checked below as the type meant.
    ctx.error('UNKNOWN_COMPONENT', path.at('type'), `there is no component type ${q(node.misspelt)}; did you mean ${q(type)}?`, `write "type": "${type}"`, node.misspelt);
  }
  ctx.gate(spec.since, path.at('type'), `the ${type} component`, type);
  checkPlacement(flow, node);
  checkProps(flow, screen, node, comp, propsOf(spec), path, type, spec.events ?? {});
  for (const key of spec.required) {
    if (!has(comp, key)) {
      ctx.error('MISSING_REQUIRED_PROPERTY', path.at(key), `the ${type} is missing its required property ${q(key)}`, `add ${q(key)} to the ${type}`);
      // Its action is not there to be followed (a Footer's navigate): the routing checks hold back.
      if (spec.events && has(spec.events, key)) screen.unresolvedRoute = true;
    }
  }
  for (const [key, since] of Object.entries(spec.requiredSince ?? {})) {
    if (!has(comp, key) && ctx.atLeast(since)) {
      ctx.error('MISSING_REQUIRED_PROPERTY', path.at(key), `the ${type} is missing ${q(key)}, required from version ${formatVersion(since)}`, `add ${q(key)} to the ${type}`);
    }
  }
  checkSpecific(flow, screen, node);
}

/** Where a component may sit: Form only under the layout; If/Switch branch lists; Footer depth. */
function checkPlacement(flow: Flow, node: ComponentNode): void {
  const { ctx } = flow;
  const { type, parentType, path } = node;
  const typePath = path.at('type');
  if (type === 'Form' && parentType !== 'layout') {
    ctx.error('COMPONENT_NOT_ALLOWED_HERE', typePath, `a Form must be a direct child of the layout, not inside ${parentType === 'Form' ? 'another Form' : `an ${parentType}`}`,
      'move the Form to the screen\'s layout children; use at most one level of Form', type);
    return;
  }
  const branch = (allowed: ReadonlySet<string>, where: string): void => {
    if (allowed.has(type!)) return;
    if (BRANCH_UNCONFIRMED.has(type!)) {
      ctx.warn('UNCONFIRMED_BRANCH_COMPONENT', typePath, `the ${type} in ${where} is neither allowed nor forbidden by Meta's documented list`, `move it out of the ${parentType} if Meta rejects it`, type);
    } else {
      ctx.error('COMPONENT_NOT_ALLOWED_HERE', typePath, `the ${type} is not allowed in ${where}`, `move it out of the ${parentType}`, type);
    }
  };
  if (parentType === 'If') branch(IF_BRANCH_COMPONENTS, 'an If branch');
  else if (parentType === 'Switch') {
    if (type === 'ChipsSelector') ctx.gate(CHIPS_IN_SWITCH_SINCE, typePath, 'a ChipsSelector in a Switch case', type);
    else branch(SWITCH_CASE_COMPONENTS, 'a Switch case');
  }
  if (type === 'Footer' && node.condDepth > 1) {
    ctx.error('COMPONENT_NOT_ALLOWED_HERE', typePath, 'a Footer may sit only in a first-level If or Switch, not in a nested one', 'move the Footer up to the outermost If/Switch (in every branch)', type);
  }
  if (type === 'If' && node.ifDepth === MAX_IF_NESTING + 1) {
    ctx.error('MAX_IF_NESTING_EXCEEDED', typePath, `If components are nested ${node.ifDepth} levels deep; at most ${MAX_IF_NESTING} are allowed`, 'flatten the conditions (combine them with && or ||)', type);
  }
}

/**
 * Checks an object's properties against a spec: unknown and misspelt keys (C8), version gates,
 * Form-only placement, JSON types, enums, character limits, blanks (C9, D10), references and
 * actions. Returns the object as the later checks read it (misspelt keys renamed). A component's
 * own keys were checked when it was collected, so `obj` is already that view.
 */
function checkProps(flow: Flow, screen: ScreenInfo, node: ComponentNode, written: Obj, props: Readonly<Record<string, PropSpec>>, path: Path,
  owner: string, events: Readonly<Record<string, readonly string[]>>): Obj {
  const { ctx } = flow;
  const obj = written === node.comp ? written : checkKeys(ctx, written, path, owner, keySpace(ctx, props), false);
  for (const key of Object.keys(obj)) {
    if (key === 'type' && obj === node.comp) continue;
    const value = obj[key];
    const ppath = keyPath(path, obj, key);
    const p = Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;
    if (!p) {
      // Reported by checkKeys. An action under a key nobody knows cannot be followed.
      if (isActionLike(value)) screen.unresolvedRoute = true;
      continue;
    }
    if (!ctx.gate(p.since, ppath, `property ${q(key)} of ${owner}`, value)) continue;
    if (p.outsideFormOnly && node.inForm && obj === node.comp) {
      ctx.error('INVALID_PROPERTY_KEY', ppath, `${q(key)} is only allowed on a ${node.type} outside a Form`,
        `inside a Form, set it in the Form's ${key === 'init-value' ? '"init-values"' : '"error-messages"'} under the input's name`, value);
      continue;
    }
    checkProp(flow, screen, node, key, p, value, ppath, owner, events);
  }
  return obj;
}

/** An object that looks like an action: its `name` is an action's. */
function isActionLike(v: unknown): boolean {
  return isObject(v) && typeof v.name === 'string' && Object.prototype.hasOwnProperty.call(ACTIONS, v.name);
}

function checkProp(flow: Flow, screen: ScreenInfo, node: ComponentNode, key: string, p: PropSpec, value: unknown, ppath: Path, owner: string,
  events: Readonly<Record<string, readonly string[]>>): void {
  const { ctx } = flow;
  if (p.kind === 'components') return; // walked by the collector
  if (p.kind === 'action') {
    checkAction(flow, screen, node, key, value, ppath, events[key] ?? [], owner);
    return;
  }
  if (node.type === 'If' && key === 'condition') return; // checked with the If
  if (Array.isArray(value) && p.linesSince && flow.ctx.atLeast(p.linesSince)) {
    checkLines(flow, screen, node, key, p, value, ppath, owner, events);
    return;
  }
  if (typeof value === 'string') {
    const info = checkString(flow, screen, value, ppath);
    if (info.kind !== 'static') {
      if (p.staticOnly) {
        ctx.error('INVALID_PROPERTY_VALUE', ppath, `${q(key)} cannot be dynamic`, `write a fixed ${key}`, value);
      } else if (info.resolved && p.linesSince && info.resolved.type === 'array') {
        checkDynamicLines(flow, key, p, info.resolved, value, ppath, owner);
      } else if (info.resolved && dynamicKindMismatch(p.kind, info.resolved.type)) {
        ctx.error('INVALID_SCREEN_DYNAMIC_DATA', ppath, `${q(key)} of ${owner} takes ${kindName(p.kind)}, but ${value} is declared as ${info.resolved.type}`,
          `bind ${q(key)} to a field of type ${kindName(p.kind)}`, value);
      }
      return;
    }
  }
  if (!kindMatches(p.kind, value)) {
    const lines = Array.isArray(value) && p.linesSince ? `, or raise "version" to ${formatVersion(p.linesSince)} or later for an array of lines` : '';
    ctx.error('INVALID_PROPERTY_TYPE', ppath, `${q(key)} of ${owner} must be ${kindName(p.kind)}, got ${jsonType(value)}`, `write ${q(key)} as ${kindName(p.kind)}${lines}`, value);
    return;
  }
  if (typeof value === 'string') {
    checkText(flow, key, p, value, ppath, owner, node.type !== undefined && owner === node.type && (COMPONENTS[node.type]?.required.includes(key) ?? false));
  } else if (isObject(value) && p.kind === 'stringOrObject') {
    for (const sub of Object.keys(value)) {
      const v = value[sub];
      if (typeof v === 'string' && !v.includes('${')) checkText(flow, key, p, v, ppath.at(sub), owner);
    }
  }
  if (typeof value === 'object' && value !== null && !NESTED_PROPS.has(key)) walkStrings(flow, screen, value, ppath);
}

/**
 * A text written as an array of lines (rules §4.1, markdown from 5.1): each line is checked as the
 * string would be; the character limit binds each line, and the whole text is only warned about,
 * since whether Meta counts the lines together is not documented.
 */
function checkLines(flow: Flow, screen: ScreenInfo, node: ComponentNode, key: string, p: PropSpec, lines: unknown[], ppath: Path, owner: string,
  events: Readonly<Record<string, readonly string[]>>): void {
  const { ctx } = flow;
  if (lines.length === 0) {
    ctx.error('PATTERN_MISMATCH', ppath, `${q(key)} of ${owner} is an empty array of lines`, `write at least one line, or ${q(key)} as a string`, lines);
    return;
  }
  lines.forEach((line, i) => {
    if (typeof line !== 'string') {
      ctx.error('INVALID_PROPERTY_TYPE', ppath.at(i), `each line of ${q(key)} of ${owner} must be a string, got ${jsonType(line)}`, 'write the line as a string', line);
      return;
    }
    checkProp(flow, screen, node, key, { ...p, linesSince: undefined }, line, ppath.at(i), owner, events);
  });
  const total = lines.reduce<number>((n, line) => n + (typeof line === 'string' && !line.includes('${') ? codePointLength(line) + 1 : 0), -1);
  if (p.max !== undefined && total > p.max) {
    ctx.warn('UNCONFIRMED_MAX_CHARS', ppath, `the lines of ${q(key)} of ${owner} have ${total} characters together, more than the ${p.max} allowed for the text`,
      `keep the lines within ${p.max} characters in all, to be safe`, lines.length);
  }
}

/**
 * A text bound to an array (`${data.lines}`), as a text written as an array of lines is: accepted
 * from the version that takes lines when its items are strings (or not declared), and otherwise
 * reported as the literal array would be.
 */
function checkDynamicLines(flow: Flow, key: string, p: PropSpec, resolved: Resolved, value: string, ppath: Path, owner: string): void {
  const { ctx } = flow;
  const since = p.linesSince!;
  if (!ctx.atLeast(since)) {
    ctx.error('INVALID_SCREEN_DYNAMIC_DATA', ppath, `${q(key)} of ${owner} takes a string before version ${formatVersion(since)}, but ${value} is declared as array`,
      `bind ${q(key)} to a string field, or raise "version" to ${formatVersion(since)} or later for an array of lines`, value);
  } else if (resolved.itemType !== undefined && resolved.itemType !== 'unknown' && resolved.itemType !== 'string') {
    ctx.error('INVALID_SCREEN_DYNAMIC_DATA', ppath, `${q(key)} of ${owner} takes a string or an array of strings (lines), but the items of ${value} are declared as ${resolved.itemType}`,
      `bind ${q(key)} to an array of strings, or declare its items as { "type": "string" }`, value);
  }
}

/** Enum, character limits and blanks of a static string. */
function checkText(flow: Flow, key: string, p: PropSpec, value: string, ppath: Path, owner: string, required = false): void {
  const { ctx } = flow;
  if (p.enum && !p.enum.includes(value)) {
    enumError(flow.ctx, ppath, `${q(key)} of ${owner}`, p.enum, value, key);
    return;
  }
  if (isBlank(value)) {
    if (key === 'text' || key === 'label' || key === 'title') {
      ctx.error('PATTERN_MISMATCH', ppath, `${q(key)} of ${owner} is empty or blank`, `write a visible ${key}`, value);
    } else if (ctx.atLeast(V6_0)) {
      ctx.error('PATTERN_MISMATCH', ppath, `from version 6.0, ${q(key)} of ${owner} cannot be empty or blank`, required ? `write a value: ${q(key)} is required` : `write a value or remove ${q(key)}`, value);
    }
    return;
  }
  if (p.max !== undefined && value.length > (p.softMax ?? p.max)) {
    const n = codePointLength(value);
    if (n > p.max) {
      ctx.error('MAX_CHARS_EXCEEDED', ppath, `${q(key)} of ${owner} has ${n} characters, more than the ${p.max} allowed`, `shorten it to ${p.max} characters`, value);
    } else if (p.softMax !== undefined && n > p.softMax) {
      ctx.warn('UNCONFIRMED_MAX_CHARS', ppath, `${q(key)} of ${owner} has ${n} characters: within the documented ${p.max}, but some sources cite ${p.softMax}`,
        `shorten it to ${p.softMax} characters to be safe`, value);
    }
  }
}

function kindMatches(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'number':
    case 'integer': return typeof v === 'number' && Number.isFinite(v);
    case 'array': return Array.isArray(v);
    case 'object': return isObject(v);
    case 'stringOrArray': return typeof v === 'string' || Array.isArray(v);
    case 'stringOrObject': return typeof v === 'string' || isObject(v);
    case 'booleanOrObject': return typeof v === 'boolean' || isObject(v);
    default: return true;
  }
}

function kindName(kind: Kind): string {
  switch (kind) {
    case 'string': return 'a string';
    case 'boolean': return 'a boolean';
    case 'number': return 'a number';
    case 'integer': return 'an integer';
    case 'array': return 'an array';
    case 'object': return 'an object';
    case 'stringOrArray': return 'a string or an array of strings';
    case 'stringOrObject': return 'a string or an object';
    case 'booleanOrObject': return 'a boolean or an object';
    default: return kind;
  }
}

/** A `${…}` whose declared type clearly cannot fill the property (array vs object vs scalar). */
function dynamicKindMismatch(kind: Kind, type: ValueType): boolean {
  switch (kind) {
    case 'string':
    case 'boolean':
    case 'number':
    case 'integer': return structurallyDifferent('string', type);
    case 'array': return structurallyDifferent('array', type);
    default: return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Component-specific rules

function checkSpecific(flow: Flow, screen: ScreenInfo, node: ComponentNode): void {
  const { ctx } = flow;
  const { comp, type, spec, path } = node;
  if (spec?.options) checkDataSource(flow, screen, node);
  switch (type) {
    case 'Footer': {
      const l = has(comp, 'left-caption');
      const r = has(comp, 'right-caption');
      if (has(comp, 'center-caption') && (l || r)) {
        ctx.error('NOT_KEYWORD_SCHEMA_VALIDATION_FAILED', path.at('center-caption'), 'center-caption cannot be combined with left-caption or right-caption',
          'use center-caption alone, or left-caption and right-caption together');
      } else if (l !== r) {
        ctx.error('INVALID_DEPENDENCIES', path.at(l ? 'left-caption' : 'right-caption'), 'left-caption and right-caption must be used together',
          `add ${l ? 'right-caption' : 'left-caption'}, or use center-caption alone`);
      }
      break;
    }
    case 'TextInput': {
      if (has(comp, 'pattern')) {
        const it = comp['input-type'];
        // An input-type outside its enum is reported once, as such.
        if (typeof it === 'string' && spec!.props['input-type'].enum!.includes(it) && !['text', 'number', 'password', 'passcode'].includes(it)) {
          ctx.error('INVALID_DEPENDENCIES', path.at('pattern'), `"pattern" only applies to input-type text, number, password or passcode, not ${q(it)}`,
            'remove "pattern" or change input-type', it);
        }
        if (!has(comp, 'helper-text')) {
          ctx.error('INVALID_DEPENDENCIES', path.at('pattern'), '"pattern" requires "helper-text" to tell the user the expected format', 'add "helper-text"');
        }
      }
      minNotAboveMax(flow, node, 'min-chars', 'max-chars');
      break;
    }
    case 'CheckboxGroup':
    case 'ChipsSelector':
      minNotAboveMax(flow, node, 'min-selected-items', 'max-selected-items');
      break;
    case 'DatePicker':
      checkDates(flow, node, ctx.version === undefined ? 'any' : ctx.atLeast(V5_0) ? 'iso' : 'timestamp');
      break;
    case 'CalendarPicker': {
      checkDates(flow, node, 'iso');
      const days = comp['include-days'];
      if (Array.isArray(days)) {
        days.forEach((d, k) => {
          if (typeof d === 'string' && !d.includes('${') && !DAYS.includes(d)) enumError(flow.ctx, keyPath(path, comp, 'include-days').at(k), 'include-days', DAYS, d);
        });
      }
      minNotAboveMax(flow, node, 'min-days', 'max-days');
      break;
    }
    case 'PhotoPicker':
    case 'DocumentPicker': {
      const what = type === 'PhotoPicker' ? 'photos' : 'documents';
      inRange(flow, node, 'max-file-size-kb', 1, 25600);
      inRange(flow, node, `min-uploaded-${what}`, 0, 30);
      inRange(flow, node, `max-uploaded-${what}`, 1, 30);
      minNotAboveMax(flow, node, `min-uploaded-${what}`, `max-uploaded-${what}`);
      break;
    }
    case 'Image': {
      const src = comp.src;
      if (typeof src === 'string' && !src.includes('${') && base64Bytes(src) > 300 * KB) {
        ctx.warn('IMAGE_LARGER_THAN_RECOMMENDED', path.at('src'), `the image is about ${Math.round(base64Bytes(src) / KB)} KB; Meta recommends at most 300 KB`,
          'compress or resize the image', src);
      }
      break;
    }
    case 'ImageCarousel':
      checkCarousel(flow, screen, node);
      break;
    case 'NavigationList':
      checkNavigationList(flow, screen, node);
      break;
    case 'If':
      checkIf(flow, screen, node);
      break;
    case 'Switch': {
      if (isObject(comp.cases) && Object.keys(comp.cases).length === 0) {
        ctx.error('MIN_ITEMS_REQUIRED', path.at('cases'), 'a Switch needs at least one case', 'add a case: "cases": { "value": [ … ] }');
      }
      break;
    }
    case 'Form': {
      const init = comp['init-values'];
      if (isObject(init)) {
        for (const name of Object.keys(init)) {
          const input = screen.inputs.get(name);
          if (input?.spec?.maxUploadsProp) {
            ctx.error('NATIVE_COMPONENT_IN_FORM_INIT_VALUES', path.at('init-values', name), `${input.type} ${q(name)} cannot be initialised through init-values`,
              `remove ${q(name)} from init-values`, init[name]);
          }
        }
      }
      break;
    }
    default:
      break;
  }
}

function minNotAboveMax(flow: Flow, node: ComponentNode, minKey: string, maxKey: string): void {
  const min = node.comp[minKey];
  const max = node.comp[maxKey];
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    flow.ctx.error('MIN_VALUE_GREATER_THAN_MAX', node.path.at(minKey), `${minKey} (${min}) is greater than ${maxKey} (${max})`, `make ${minKey} at most ${maxKey}`, min);
  }
}

function inRange(flow: Flow, node: ComponentNode, key: string, lo: number, hi: number): void {
  const v = node.comp[key];
  if (typeof v !== 'number') return;
  if (v < lo) flow.ctx.error('MINIMUM_VALUE_REQUIRED', node.path.at(key), `${key} must be at least ${lo}, got ${v}`, `set ${key} between ${lo} and ${hi}`, v);
  else if (v > hi) flow.ctx.error('MAXIMUM_VALUE_REQUIRED', node.path.at(key), `${key} must be at most ${hi}, got ${v}`, `set ${key} between ${lo} and ${hi}`, v);
}

const ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const TIMESTAMP = /^[0-9]{1,16}$/;

/** DatePicker / CalendarPicker dates: "YYYY-MM-DD" from 5.0, millisecond timestamps before (rules §4.2). */
function checkDates(flow: Flow, node: ComponentNode, format: 'iso' | 'timestamp' | 'any'): void {
  const { ctx } = flow;
  const ok = (s: string) => (format === 'iso' ? ISO_DATE.test(s) : format === 'timestamp' ? TIMESTAMP.test(s) : ISO_DATE.test(s) || TIMESTAMP.test(s));
  const expected = format === 'iso' ? '"YYYY-MM-DD"' : format === 'timestamp' ? 'a millisecond timestamp string (before version 5.0)' : '"YYYY-MM-DD"';
  const check = (s: unknown, p: Path): void => {
    if (typeof s !== 'string' || s.includes('${') || s.length > 40 || ok(s)) return;
    ctx.error('INVALID_PROPERTY_VALUE_FORMAT', p, `date ${q(s)} is not in the format ${expected}`,
      format === 'timestamp' ? 'write the date as milliseconds since 1970 in a string, or raise version to 5.0+ and use "YYYY-MM-DD"' : 'write the date as "YYYY-MM-DD"', s);
  };
  check(node.comp['min-date'], node.path.at('min-date'));
  check(node.comp['max-date'], node.path.at('max-date'));
  const unavailable = node.comp['unavailable-dates'];
  if (Array.isArray(unavailable)) unavailable.forEach((d, k) => check(d, node.path.at('unavailable-dates', k)));
  const min = node.comp['min-date'];
  const max = node.comp['max-date'];
  if (typeof min === 'string' && typeof max === 'string' && ok(min) && ok(max)) {
    const greater = TIMESTAMP.test(min) && TIMESTAMP.test(max) ? Number(min) > Number(max) : ISO_DATE.test(min) && ISO_DATE.test(max) && min > max;
    if (greater) {
      ctx.error('MIN_VALUE_GREATER_THAN_MAX', node.path.at('min-date'), `min-date ${q(min)} is after max-date ${q(max)}`, 'swap the dates', min);
    }
  }
}

/** Approximate decoded size of base64 text. */
function base64Bytes(s: string): number {
  let pad = 0;
  if (s.endsWith('==')) pad = 2;
  else if (s.endsWith('=')) pad = 1;
  return Math.floor((s.length * 3) / 4) - pad;
}

/** Static `data-source` options (rules §4.2) or the schema behind a dynamic one. */
function checkDataSource(flow: Flow, screen: ScreenInfo, node: ComponentNode): void {
  const { ctx } = flow;
  const { comp, type, spec, path } = node;
  const ds = comp['data-source'];
  const dsPath = keyPath(path, comp, 'data-source');
  const ref = wholeReference(ds);
  if (ref && ref.segs[0] === 'data' && ref.segs.length === 2) {
    const schema = screen.data.get(ref.segs[1]);
    const props = isObject(schema) && isObject(schema.items) ? schema.items.properties : undefined;
    if (isObject(props) && (!has(props, 'id') || !has(props, 'title'))) {
      ctx.error('INVALID_SCREEN_DYNAMIC_DATA', dsPath, `the items of data.${ref.segs[1]} must declare "id" and "title" to feed a ${type}`,
        `add "id" and "title" to data.${ref.segs[1]}.items.properties`, ds);
    }
    return;
  }
  if (!Array.isArray(ds)) return;
  const { min, max } = spec!.options!;
  const hasImages = ds.some((o) => isObject(o) && has(o, 'image'));
  const limit = type === 'Dropdown' && hasImages ? 100 : max;
  if (ds.length < min) {
    ctx.error('MIN_ITEMS_REQUIRED', dsPath, `the ${type} needs at least ${plural(min, 'option')}, got ${ds.length}`, 'add options');
  } else if (ds.length > limit) {
    ctx.error('MAX_ITEMS_EXCEEDED', dsPath, `the ${type} allows at most ${limit} options${limit !== max ? ' when options have images' : ''}, got ${ds.length}`,
      type === 'Dropdown' ? 'remove options (or their images)' : 'remove options, or use a Dropdown');
  }
  const imageLimit = ctx.atLeast(V6_0) ? 100 : 300;
  ds.forEach((written, k) => {
    const opath = dsPath.at(k);
    if (!isObject(written)) {
      ctx.error('INVALID_PROPERTY_TYPE', opath, `a ${type} option must be an object with "id" and "title", got ${jsonType(written)}`, 'write { "id": "a", "title": "A" }', written);
      return;
    }
    const opt = checkProps(flow, screen, node, written, OPTION_PROPS, opath, `a ${type} option`, OPTION_EVENTS);
    for (const key of ['id', 'title']) {
      if (!has(opt, key)) ctx.error('MISSING_REQUIRED_PROPERTY', opath.at(key), `a ${type} option requires ${q(key)}`, `add ${q(key)} to the option`);
    }
    const image = opt.image;
    if (typeof image === 'string' && !image.includes('${') && base64Bytes(image) > imageLimit * KB) {
      ctx.error('MAX_IMAGE_SIZE_EXCEEDED', opath.at('image'), `the option image is about ${Math.round(base64Bytes(image) / KB)} KB; at most ${imageLimit} KB is allowed${imageLimit === 100 ? ' from version 6.0' : ''}`,
        `compress the image below ${imageLimit} KB`, image);
    }
    const color = opt.color;
    if (typeof color === 'string' && !color.includes('${') && !/^#?[0-9A-Fa-f]{6}$/.test(color)) {
      ctx.error('INVALID_PROPERTY_VALUE_FORMAT', opath.at('color'), `color must be a 6-digit hex color, got ${q(color)}`, 'write it like "#1A73E8"', color);
    }
  });
}

function checkCarousel(flow: Flow, screen: ScreenInfo, node: ComponentNode): void {
  const { ctx } = flow;
  const images = node.comp.images;
  if (!Array.isArray(images)) return;
  const ipath = keyPath(node.path, node.comp, 'images');
  if (images.length < 1) ctx.error('MIN_ITEMS_REQUIRED', ipath, 'an ImageCarousel needs at least 1 image', 'add images');
  else if (images.length > 3) ctx.error('MAX_ITEMS_EXCEEDED', ipath, `an ImageCarousel holds at most 3 images, got ${images.length}`, 'remove images');
  images.forEach((written, k) => {
    const p = ipath.at(k);
    if (!isObject(written)) {
      ctx.error('INVALID_PROPERTY_TYPE', p, `a carousel image must be an object with "src" and "alt-text", got ${jsonType(written)}`, 'write { "src": "<base64>", "alt-text": "…" }', written);
      return;
    }
    const img = checkProps(flow, screen, node, written, CAROUSEL_IMAGE_PROPS, p, 'a carousel image', {});
    for (const key of ['src', 'alt-text']) {
      if (!has(img, key)) ctx.error('MISSING_REQUIRED_PROPERTY', p.at(key), `a carousel image requires ${q(key)}`, `add ${q(key)}`);
    }
  });
}

function checkNavigationList(flow: Flow, screen: ScreenInfo, node: ComponentNode): void {
  const { ctx } = flow;
  const { comp, path } = node;
  if (screen.terminal) {
    ctx.error('INVALID_PROPERTY_VALUE', path.at('type'), 'a NavigationList cannot be on a terminal screen', 'move the NavigationList to a non-terminal screen', comp.type);
  }
  const items = comp['list-items'];
  if (!Array.isArray(items)) return;
  const ipath = keyPath(path, comp, 'list-items');
  if (items.length < 1) ctx.error('MIN_ITEMS_REQUIRED', ipath, 'a NavigationList needs at least 1 item', 'add list items');
  else if (items.length > 20) ctx.error('MAX_ITEMS_EXCEEDED', ipath, `a NavigationList holds at most 20 items, got ${items.length}`, 'remove items');
  const onComponent = has(comp, 'on-click-action');
  let badges = 0;
  let missingAction: Path | undefined;
  let bothAction: Path | undefined;
  items.forEach((written, k) => {
    const p = ipath.at(k);
    if (!isObject(written)) {
      ctx.error('INVALID_PROPERTY_TYPE', p, `a list item must be an object, got ${jsonType(written)}`, 'write { "id": "…", "main-content": { "title": "…" } }', written);
      return;
    }
    const item = checkProps(flow, screen, node, written, NAV_ITEM_PROPS, p, 'a NavigationList item', { 'on-click-action': ['navigate', 'data_exchange'] });
    if (!has(item, 'main-content')) ctx.error('MISSING_REQUIRED_PROPERTY', p.at('main-content'), 'a list item requires "main-content"', 'add "main-content": { "title": "…" }');
    const nested: Array<[string, Readonly<Record<string, PropSpec>>, string[]]> = [
      ['main-content', NAV_MAIN_CONTENT_PROPS, ['title']], ['end', NAV_END_PROPS, []], ['start', NAV_START_PROPS, ['image']],
    ];
    for (const [key, props, required] of nested) {
      const written = item[key];
      if (!isObject(written)) continue;
      const sub = checkProps(flow, screen, node, written, props, keyPath(p, item, key), `a list item's ${key}`, {});
      for (const r of required) if (!has(sub, r)) ctx.error('MISSING_REQUIRED_PROPERTY', p.at(key, r), `a list item's ${key} requires ${q(r)}`, `add ${q(r)}`);
    }
    const start = item.start;
    if (isObject(start) && typeof start.image === 'string' && !start.image.includes('${') && base64Bytes(start.image) > 100 * KB) {
      ctx.error('MAX_IMAGE_SIZE_EXCEEDED', p.at('start', 'image'), `the item image is about ${Math.round(base64Bytes(start.image) / KB)} KB; at most 100 KB is allowed`, 'compress the image', start.image);
    }
    const tags = item.tags;
    if (Array.isArray(tags)) {
      if (tags.length > 3) ctx.error('MAX_ITEMS_EXCEEDED', p.at('tags'), `a list item has at most 3 tags, got ${tags.length}`, 'remove tags');
      tags.forEach((t, j) => {
        if (typeof t === 'string' && !t.includes('${') && codePointLength(t) > 15) {
          ctx.error('MAX_CHARS_EXCEEDED', p.at('tags', j), `a tag has ${codePointLength(t)} characters, more than the 15 allowed`, 'shorten the tag', t);
        }
      });
    }
    if (has(item, 'badge')) badges++;
    if (has(item, 'on-click-action')) {
      if (onComponent) bothAction ??= p.at('on-click-action');
    } else if (!onComponent) {
      missingAction ??= p.at('on-click-action');
    }
    if (comp['media-size'] === 'large' && has(item, 'end')) {
      ctx.error('INVALID_DEPENDENCIES', p.at('end'), '"end" cannot be used with media-size "large"', 'remove "end" or use media-size "regular"');
    }
  });
  if (badges > 1) ctx.error('INVALID_PROPERTY_VALUE', ipath, `${badges} items have a badge; at most one item per list may`, 'keep one badge');
  if (bothAction) {
    ctx.error('INVALID_PROPERTY_VALUE', bothAction, 'on-click-action is set on the NavigationList and on an item; set it once on the list or on every item, never both',
      'remove the item actions or the list action');
  }
  if (missingAction) {
    screen.unresolvedRoute = true;
    ctx.error('MISSING_REQUIRED_PROPERTY', missingAction, 'an item has no on-click-action and the NavigationList has none either', 'add on-click-action to the list, or to every item');
  }
}

function checkIf(flow: Flow, screen: ScreenInfo, node: ComponentNode): void {
  const { ctx } = flow;
  const { comp, path } = node;
  const cond = comp.condition;
  const cpath = path.at('condition');
  if (has(comp, 'condition')) {
    if (typeof cond !== 'string') {
      ctx.error('INVALID_PROPERTY_TYPE', cpath, `an If condition must be a string, got ${jsonType(cond)}`, 'write a condition such as "${data.is_member} == true"', cond);
    } else {
      const { refs, problems, single } = checkCondition(cond);
      for (const problem of problems) {
        ctx.error('INVALID_IF_CONDITION', cpath, problem, 'write a boolean condition over ${data.…}, ${form.…} or ${screen.…} values, e.g. "${form.age} >= 18"', cond);
      }
      for (const ref of refs.slice(0, 200)) {
        const r = resolveReference(flow, screen, ref, cpath, cond);
        if (ref === single && r.type !== 'unknown' && r.type !== 'boolean') {
          ctx.error('INVALID_IF_CONDITION', cpath, `the condition must be a boolean, but ${cond} is declared as ${r.type}`, 'compare it, e.g. "${data.x} == \'yes\'"', cond);
        }
      }
    }
  }
  if (Array.isArray(comp.then) && comp.then.length === 0) {
    ctx.error('MIN_ITEMS_REQUIRED', path.at('then'), 'an If needs at least one component in "then"', 'add a component to "then"');
  }
}

// ---------------------------------------------------------------------------------------------
// Screen-level aggregates (C1-C5, S7, RichText and NavigationList placement)

const COUNTED = ['*', 'Footer', 'EmbeddedLink', 'Image', 'OptIn', 'NavigationList', 'ImageCarousel'] as const;
const LIMITS: ReadonlyArray<[number, number, 'MAX_COMPONENTS_PER_SCREEN' | 'MAX_FOOTER_PER_SCREEN' | 'MAX_EMBEDDED_LINK_PER_SCREEN' | 'MAX_IMAGE_PER_SCREEN' | 'MAX_OPT_IN_PER_SCREEN' | 'MAX_NAVIGATION_LIST_PER_SCREEN' | 'MAX_IMAGE_CAROUSEL_PER_SCREEN']> = [
  [0, MAX_COMPONENTS, 'MAX_COMPONENTS_PER_SCREEN'],
  [1, 1, 'MAX_FOOTER_PER_SCREEN'],
  [2, 2, 'MAX_EMBEDDED_LINK_PER_SCREEN'],
  [3, 3, 'MAX_IMAGE_PER_SCREEN'],
  [4, 5, 'MAX_OPT_IN_PER_SCREEN'],
  [5, 2, 'MAX_NAVIGATION_LIST_PER_SCREEN'],
  [6, 2, 'MAX_IMAGE_CAROUSEL_PER_SCREEN'],
];

function checkScreenAggregates(flow: Flow, screen: ScreenInfo): void {
  const { ctx } = flow;
  const nodes = screen.nodes;
  const layoutChildren = screen.path.at('layout', 'children');

  // Counts as rendered: a branch of an If/Switch counts as its largest branch (C1-C3).
  const K = COUNTED.length;
  const slots: Array<Map<string, number[]> | undefined> = new Array(nodes.length);
  const root = new Array<number>(K).fill(0);
  const addInto = (target: number[], v: readonly number[]) => {
    for (let j = 0; j < K; j++) target[j] += v[j];
  };
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k];
    const total = new Array<number>(K).fill(0);
    if (n.type === undefined || !CONTAINERS.has(n.type)) {
      total[0] = 1;
      const c = (COUNTED as readonly string[]).indexOf(n.type ?? '');
      if (c > 0) total[c] = 1;
    }
    const own = slots[k];
    if (own) {
      if (n.type === 'If' || n.type === 'Switch') {
        const best = new Array<number>(K).fill(0);
        for (const v of own.values()) for (let j = 0; j < K; j++) best[j] = Math.max(best[j], v[j]);
        addInto(total, best);
      } else {
        for (const v of own.values()) addInto(total, v);
      }
      slots[k] = undefined;
    }
    if (n.parent < 0) {
      addInto(root, total);
    } else {
      const m = (slots[n.parent] ??= new Map());
      let v = m.get(n.slot);
      if (!v) m.set(n.slot, (v = new Array<number>(K).fill(0)));
      addInto(v, total);
    }
  }

  const footers = nodes.filter((n) => n.type === 'Footer');
  const inside = footers.filter((n) => n.condDepth > 0);
  const outside = footers.filter((n) => n.condDepth === 0);
  if (inside.length > 0 && outside.length > 0) {
    ctx.error('MORE_THAN_ONE_FOOTER', inside[0].path, 'the screen has a Footer outside an If/Switch and another inside one', 'keep the Footer either outside (once) or inside every branch', 'Footer');
  }
  for (const [index, limit, code] of LIMITS) {
    if (root[index] <= limit) continue;
    if (code === 'MAX_FOOTER_PER_SCREEN' && inside.length > 0 && outside.length > 0) continue;
    const what = index === 0 ? 'components' : `${COUNTED[index]} components`;
    const of = index === 0 ? undefined : nodes.filter((n) => n.type === COUNTED[index])[limit];
    ctx.error(code, of?.path ?? layoutChildren, `the screen has ${root[index]} ${what}, more than the ${limit} allowed`,
      index === 0 ? 'split the screen in two' : `keep at most ${limit}; split the screen if you need more`);
  }

  // If/Switch footers (rules §4.3): a Footer in one branch must be in every branch.
  const footerSlots = new Set(inside.map((n) => `${n.parent}:${n.slot}`));
  nodes.forEach((n, k) => {
    if (n.type === 'If' && has(n.comp, 'then')) {
      const t = footerSlots.has(`${k}:then`);
      const e = footerSlots.has(`${k}:else`);
      if (t !== e) {
        ctx.error('MISSING_FOOTER_IN_IF_ELSE_BRANCHES', n.path.at(t ? 'else' : 'then'), `the If has a Footer in "${t ? 'then' : 'else'}" but not in "${t ? 'else' : 'then'}"`,
          `add a Footer to "${t ? 'else' : 'then'}"${t && !has(n.comp, 'else') ? ' (add an "else" branch)' : ''}, or move the Footer out of the If`);
      }
    } else if (n.type === 'Switch' && isObject(n.comp.cases)) {
      const keys = Object.keys(n.comp.cases);
      const withFooter = keys.filter((key) => footerSlots.has(`${k}:case:${key}`));
      if (withFooter.length > 0 && withFooter.length < keys.length) {
        const missing = keys.find((key) => !footerSlots.has(`${k}:case:${key}`))!;
        ctx.error('MISSING_FOOTER_IN_SWITCH_BRANCHES', n.path.at('cases', missing), `Switch case ${q(missing)} has no Footer while case ${q(withFooter[0])} has one`,
          'add a Footer to every case, or move the Footer out of the Switch');
      }
    }
  });

  // S7: a terminal screen has a Footer (unless part of the screen could not be read: the cause is reported).
  if (screen.terminal && footers.length === 0 && !screen.hidden.lists && !screen.hidden.actions) {
    ctx.error('MISSING_FOOTER_ON_TERMINAL_SCREEN', layoutChildren, 'the terminal screen has no Footer', 'add a Footer whose on-click-action is complete');
  }

  // C5: inputs inside a Form (always before 4.0; from 4.0 when the screen has a Form).
  const before4 = ctx.below(V4_0);
  if (before4 || screen.hasForm) {
    for (const n of nodes) {
      if (!n.spec?.input || n.inForm) continue;
      ctx.error('COMPONENTS_OUTSIDE_FORM', n.path, before4
        ? `${n.type} is outside a Form; before version 4.0 every input must be inside a Form`
        : `${n.type} is outside the screen's Form; when a screen has a Form, every input must be inside it`,
      before4 ? 'move the input into the Form (or raise version to 4.0+)' : 'move the input into the Form, or remove the Form', n.type);
    }
  }

  // RichText (rules §4.1) and NavigationList (rules §4.3) want the screen to themselves.
  const leaves = nodes.filter((n) => n.type !== undefined && !CONTAINERS.has(n.type));
  const rich = nodes.find((n) => n.type === 'RichText');
  if (rich) {
    const withFooter = ctx.atLeast(V6_3);
    const others = leaves.filter((n) => n.type !== 'RichText' && !(withFooter && n.type === 'Footer'));
    if (others.length > 0) {
      ctx.error('COMPONENT_NOT_ALONE_ON_SCREEN', rich.path, withFooter ? 'RichText may share its screen only with a Footer' : 'up to version 6.2, RichText must be alone on its screen',
        withFooter ? `move the other components (${others[0].type}…) to another screen` : 'move the other components to another screen, or raise version to 6.3 to keep a Footer', 'RichText');
    }
  }
  const nav = nodes.find((n) => n.type === 'NavigationList');
  if (nav) {
    const others = leaves.filter((n) => n.type !== 'NavigationList');
    if (others.length > 0) {
      ctx.error('COMPONENT_NOT_ALONE_ON_SCREEN', nav.path, `a NavigationList must be alone on its screen, but the screen also has ${others[0].type}`,
        'move the other components to another screen', 'NavigationList');
    }
  }
}
