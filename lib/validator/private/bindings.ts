/**
 * Resolving dynamic references against what the document declares (rules §5): `${data.…}` against
 * the screen's data model, `${form.…}` against the screen's inputs, `${screen.ID.…}` against
 * another screen. An undeclared field is an error.
 */
import { ValueType } from './catalogue';
import { Obj, Path, has, isObject, q } from './context';
import { schemaType } from './data-schema';
import { ComponentNode, Flow, ScreenInfo } from './model';
import { Reference, StringKind, classifyString, findReferences, isBacktickExpression } from './references';
import { nearMiss, tier } from './names';
import { V4_0, V6_0 } from './versions';

export interface Resolved {
  readonly type: ValueType;
  /** For an array: the type of its items, when it is known. */
  readonly itemType?: ValueType;
  /** The input a `${form.…}` reference reads, when it resolves to one. */
  readonly input?: ComponentNode;
  /** The data declaration a `${data.…}` reference reads, when it resolves to a top-level field. */
  readonly schema?: Obj;
}

export interface StringInfo {
  readonly kind: StringKind;
  /** For a string that is exactly one reference: what it resolves to. */
  readonly resolved?: Resolved;
  /** Every reference's resolution, in order. */
  readonly all: readonly Resolved[];
}

const UNKNOWN: Resolved = { type: 'unknown' };
/** More references than this in one string are not resolved one by one. */
const MAX_REFS_PER_STRING = 200;

export function screenName(screen: ScreenInfo): string {
  return screen.id !== undefined ? q(screen.id) : `screens[${screen.index}]`;
}

/** Checks one string: static/dynamic mixing (C6), expressions (6.0+), and every reference in it. */
export function checkString(flow: Flow, screen: ScreenInfo, s: string, path: Path): StringInfo {
  if (!s.includes('${')) return { kind: 'static', all: [] };
  const refs = findReferences(s);
  if (refs.length === 0) return { kind: 'static', all: [] };
  const { ctx } = flow;
  const kind = classifyString(s, refs, ctx.atLeast(V6_0));
  if (kind === 'mixed') {
    if (isBacktickExpression(s)) {
      ctx.gate(V6_0, path, 'a backtick expression', s);
    } else {
      ctx.error('MIXED_STATIC_AND_DYNAMIC_VALUE', path, 'the value mixes static text and dynamic references; a property is either static or one ${…} reference',
        ctx.atLeast(V6_0) ? `write it as a backtick expression: ${asExpression(s, refs)}` : 'make the whole value one reference (e.g. "${data.greeting}"), or raise version to 6.0+ and use a backtick expression', s);
    }
  }
  const all: Resolved[] = [];
  const n = Math.min(refs.length, MAX_REFS_PER_STRING);
  for (let i = 0; i < n; i++) all.push(resolveReference(flow, screen, refs[i], path, s));
  return { kind, resolved: kind === 'dynamic' ? all[0] : undefined, all };
}

/** The backtick expression that concatenates the literal parts and references of a mixed string. */
function asExpression(s: string, refs: readonly Reference[]): string {
  if (s.length > 200) return "`'text ' ${data.field}`";
  const parts: string[] = [];
  let at = 0;
  const literal = (t: string) => {
    if (t.length > 0) parts.push(`'${t.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  };
  for (const r of refs) {
    literal(s.slice(at, r.start));
    parts.push(s.slice(r.start, r.end));
    at = r.end;
  }
  literal(s.slice(at));
  return `\`${parts.join(' ')}\``;
}

/** The roots of a reference (rules §5). */
const ROOTS = ['data', 'form', 'screen'];

/**
 * Resolves one reference, reporting what does not exist. A reference of a shape the rules do not
 * describe (`${form}` without a field, `${screen.ID}`, an unknown root) is only warned about: Meta
 * may pass it on as text.
 */
export function resolveReference(flow: Flow, screen: ScreenInfo, ref: Reference, path: Path, value: string): Resolved {
  const { ctx } = flow;
  const text = '${' + ref.body + '}';
  const segs = ref.segs;
  const body = ref.body.trim();
  const operator = /==|!=|>=|<=|&&|\|\||[<>!+*/%()'"]|\s-\s/.exec(body);
  if (operator && ROOTS.includes(segs[0])) {
    // `${data.a != ''}`: the operator belongs outside the braces, in a backtick expression.
    const reference = body.slice(0, operator.index).trim();
    const rest = body.slice(operator.index).trim();
    ctx.error('INVALID_SCREEN_DYNAMIC_DATA', path, `${text} puts an expression inside \${…}, which holds only a reference such as \${data.field}`,
      ctx.atLeast(V6_0) ? `write it as a backtick expression with the reference alone in its braces: \`\${${reference}} ${rest}\``
        : 'keep ${…} to a reference (expressions need version 6.0 or later, in backticks)', value);
    return UNKNOWN;
  }
  switch (segs[0]) {
    case 'data':
    case 'form':
      if (segs.length < 2 || segs.some((seg) => seg.length === 0)) return undescribed(flow, path, text, value, `\${${segs[0]}.<${segs[0] === 'data' ? 'field' : 'input name'}>}`);
      return segs[0] === 'data' ? resolveData(flow, screen, segs.slice(1), path, text, value) : resolveForm(flow, screen, segs.slice(1), path, text, value);
    case 'screen': {
      if (!ctx.gate(V4_0, path, `the global reference ${text}`, value)) return UNKNOWN;
      const [id, part] = [segs[1], segs[2]];
      if (!id || (part !== 'form' && part !== 'data') || segs.length < 4 || segs.some((seg) => seg.length === 0)) {
        return undescribed(flow, path, text, value, '${screen.SCREEN_ID.form.input_name} or ${screen.SCREEN_ID.data.field}');
      }
      const target = flow.byId.get(id);
      if (!target) {
        const miss = nearMiss(id, tier(flow.byId.keys(), 0));
        ctx.error('INVALID_SCREEN_DYNAMIC_DATA', path, `${text} refers to screen ${q(id)}, which does not exist${miss ? `; did you mean ${q(miss.name)}?` : ''}`,
          miss ? `write \${screen.${miss.name}.${segs.slice(2).join('.')}}` : 'use the id of an existing screen', value);
        return UNKNOWN;
      }
      if (target === screen) {
        ctx.error('INVALID_SCREEN_DYNAMIC_DATA', path, `${text} refers to its own screen`, `use the local reference \${${part}.${segs.slice(3).join('.')}} instead`, value);
        return UNKNOWN;
      }
      return part === 'form' ? resolveForm(flow, target, segs.slice(3), path, text, value) : resolveData(flow, target, segs.slice(3), path, text, value);
    }
    default: {
      const miss = nearMiss(segs[0], tier(ROOTS, 0));
      ctx.warn('UNKNOWN_DYNAMIC_REFERENCE', path, `${text} is not a reference this validator knows (\${data.…}, \${form.…}, \${screen.…})${miss ? `; did you mean ${q(miss.name)}?` : ''}`,
        miss ? `write \${${[miss.name, ...segs.slice(1)].join('.')}}` : 'check the spelling of the reference', value);
      return UNKNOWN;
    }
  }
}

/** The reference `text` with one segment replaced: the one `fromEnd` segments before its end. */
function withSeg(text: string, fromEnd: number, name: string): string {
  const all = text.slice(2, -1).trim().split('.');
  all[all.length - fromEnd] = name;
  return '${' + all.join('.') + '}';
}

/** A reference whose shape the rules do not describe: a warning, since Meta may pass it on as text. */
function undescribed(flow: Flow, path: Path, text: string, value: string, shape: string): Resolved {
  flow.ctx.warn('UNKNOWN_DYNAMIC_REFERENCE', path, `${text} is not a reference shape Meta's Flow JSON reference describes (it names no field); Meta may pass it on as text`,
    `if you mean one value, write ${shape}`, value);
  return UNKNOWN;
}

function resolveForm(flow: Flow, screen: ScreenInfo, segs: readonly string[], path: Path, text: string, value: string): Resolved {
  const { ctx } = flow;
  const name = segs[0];
  const input = screen.inputs.get(name);
  if (!input) {
    if (screen.formNames.has(name)) {
      ctx.error('INVALID_ON_CLICK_ACTION_PAYLOAD', path, `${text} refers to the Form ${q(name)} itself, not to one of its inputs`, 'refer to an input inside the Form: ${form.<input name>}', value);
    } else if (!screen.hidden.inputs.has(name) && !screen.hidden.anyInput && !screen.hidden.lists) {
      // (Otherwise the input may be one the checks cannot see: an unknown component, an input without
      // a name, a list that could not be read. That cause is reported.)
      const names = [...screen.inputs.keys()];
      const miss = nearMiss(name, tier(names, 0));
      ctx.error('INVALID_SCREEN_DYNAMIC_DATA', path, `${text}: screen ${screenName(screen)} has no input named ${q(name)}${miss ? `; did you mean ${q(miss.name)}?` : ''}`,
        miss ? `write ${withSeg(text, segs.length, miss.name)}` : names.length > 0 ? `use one of its inputs (${names.slice(0, 8).join(', ')}) or add the input` : 'add an input component with that "name" to the screen', value);
    }
    return UNKNOWN;
  }
  if (segs.length > 1) return { type: 'unknown', input };
  const type = formValueType(input);
  return { type, input, ...(type === 'array' ? { itemType: formItemType(input) } : {}) };
}

/** The JSON type an input's value has (`${form.name}`). */
export function formValueType(node: ComponentNode): ValueType {
  if (node.type === 'CalendarPicker') {
    const mode = node.comp.mode;
    return mode === 'range' ? 'object' : mode === undefined || mode === 'single' ? 'string' : 'unknown';
  }
  return node.spec?.valueType ?? 'unknown';
}

/** The items of an array-valued input: option ids (strings), or media (objects). */
function formItemType(node: ComponentNode): ValueType {
  return node.spec?.maxUploadsProp ? 'object' : 'string';
}

function resolveData(flow: Flow, screen: ScreenInfo, segs: readonly string[], path: Path, text: string, value: string): Resolved {
  const { ctx } = flow;
  const field = segs[0];
  if (!screen.data.has(field)) {
    // A screen whose data is not an object declares nothing readable; that is reported with the data.
    if (has(screen.obj, 'data') && !isObject(screen.obj.data)) return UNKNOWN;
    const miss = nearMiss(field, tier(screen.data.keys(), 0));
    ctx.error('INVALID_SCREEN_DYNAMIC_DATA', path, `${text}: ${q(field)} is not declared in the data of screen ${screenName(screen)}${miss ? `; did you mean ${q(miss.name)}?` : ''}`,
      miss ? `write ${withSeg(text, segs.length, miss.name)}` : `declare it in screens[${screen.index}].data, e.g. "${field}": { "type": "string", "__example__": "…" }`, value);
    return UNKNOWN;
  }
  let schema = screen.data.get(field);
  const top = schema;
  for (let i = 1; i < segs.length; i++) {
    if (!schema) return UNKNOWN;
    const t = schema.type;
    const seg = segs[i];
    const so = `data.${segs.slice(0, i).join('.')}`;
    if (t === 'object') {
      const props = schema.properties;
      if (!isObject(props)) return UNKNOWN;
      if (!has(props, seg)) {
        const miss = nearMiss(seg, tier(Object.keys(props), 0));
        ctx.error('INVALID_SCREEN_DYNAMIC_DATA', path, `${text}: ${so} declares no property ${q(seg)}${miss ? `; did you mean ${q(miss.name)}?` : ''}`,
          miss ? `write ${withSeg(text, segs.length - i, miss.name)}` : `add ${q(seg)} to the properties of ${so}`, value);
        return UNKNOWN;
      }
      schema = isObject(props[seg]) ? (props[seg] as Obj) : undefined;
    } else if (t === 'array') {
      ctx.error('INVALID_SCREEN_DYNAMIC_DATA', path, `${text}: ${so} is an array, and a reference cannot index into its items`, `bind the whole array (\${${so}}) where a list is expected`, value);
      return UNKNOWN;
    } else if (typeof t === 'string') {
      ctx.error('INVALID_SCREEN_DYNAMIC_DATA', path, `${text}: ${so} is a ${t} and has no property ${q(seg)}`, `declare ${so} as an object with that property, or refer to \${${so}}`, value);
      return UNKNOWN;
    } else {
      return UNKNOWN;
    }
  }
  const type = schemaType(schema);
  const items = schema?.items;
  return {
    type,
    ...(type === 'array' ? { itemType: isObject(items) ? schemaType(items) : 'unknown' } : {}),
    schema: segs.length === 1 ? top : undefined,
  };
}

/**
 * Visits every string inside a value (iteratively, each object once) and checks it. `visit`
 * receives each string's info, its path and its depth below `value` (0 = `value` itself).
 */
export function walkStrings(flow: Flow, screen: ScreenInfo, value: unknown, path: Path,
  visit?: (info: StringInfo, path: Path, depth: number, key: string | number | undefined) => void): void {
  type Item = { v: unknown; path: Path; depth: number; key: string | number | undefined } | { exit: object };
  const stack: Item[] = [{ v: value, path, depth: 0, key: undefined }];
  // Objects on the current path: a cycle (possible in validateObject's input) is not followed,
  // while an object shared by two places is visited at each.
  const onPath = new Set<object>();
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('exit' in item) {
      onPath.delete(item.exit);
      continue;
    }
    const { v, path: p, depth, key } = item;
    if (typeof v === 'string') {
      const info = checkString(flow, screen, v, p);
      visit?.(info, p, depth, key);
    } else if (typeof v === 'object' && v !== null) {
      if (onPath.has(v)) continue;
      onPath.add(v);
      stack.push({ exit: v });
      if (Array.isArray(v)) {
        for (let k = v.length - 1; k >= 0; k--) stack.push({ v: v[k], path: p.at(k), depth: depth + 1, key: k });
      } else {
        const keys = Object.keys(v);
        for (let k = keys.length - 1; k >= 0; k--) stack.push({ v: (v as Obj)[keys[k]], path: p.at(keys[k]), depth: depth + 1, key: keys[k] });
      }
    }
  }
}
