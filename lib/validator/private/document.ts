/**
 * The document and its screens (rules §1, §2): top-level fields, versions, screens, and the
 * collection of every screen's components for the later checks.
 */
import { MAX_FLOW_JSON_BYTES } from '../../shared/contract';
import { ACTIONS, COMPONENTS, ComponentSpec, LAYOUT_KEYS, LAYOUT_TYPES, SCREEN_KEYS, TOP_LEVEL_KEYS, propsOf } from './catalogue';
import { checkScreenComponents, checkFlowComponentLimits } from './components';
import { Ctx, Obj, Path, RawFinding, has, isObject, jsonType, q, plural } from './context';
import { checkScreenData } from './data-schema';
import { Flow, ComponentNode, Hidden, ScreenInfo } from './model';
import { checkKeys, keyPath, keySpace } from './keys';
import { NameCandidate, nearMiss, tier } from './names';
import { checkRouting } from './routing';
import { AWS_PUBLISHABLE_VERSIONS, KNOWN_VERSIONS, LATEST_KNOWN, V3_0, V5_1, compareVersions, parseVersion } from './versions';

const MAX_SCREENS = 100;

/** Validates a parsed document. `size` is its size in bytes when known. */
export function validateDocument(doc: unknown, publish: boolean, size: number | undefined): RawFinding[] {
  const ctx = new Ctx(publish);
  if (size !== undefined && size > MAX_FLOW_JSON_BYTES) {
    ctx.error('FLOW_JSON_TOO_LARGE', Path.ROOT, `the Flow JSON is ${size} bytes, more than the ${MAX_FLOW_JSON_BYTES} bytes (10 MiB) AWS accepts`,
      'shrink it: move large base64 images out of the JSON or make them smaller');
  }
  if (!isObject(doc)) {
    ctx.error('INVALID_PROPERTY_TYPE', Path.ROOT, `a Flow JSON document must be a JSON object, got ${jsonType(doc)}`,
      'write { "version": "7.3", "screens": [ … ] }', doc);
    return ctx.result();
  }
  const view = checkTopLevel(ctx, doc);
  const flow: Flow = { ctx, doc: view, screens: [], byId: new Map(), edges: [] };
  collectScreens(flow);
  for (const screen of flow.screens) checkScreenComponents(flow, screen);
  checkFlowComponentLimits(flow);
  checkTerminalScreens(flow);
  checkRouting(flow);
  return ctx.result();
}

/** Checks the top-level fields; returns the document as the later checks read it (misspelt keys renamed). */
function checkTopLevel(ctx: Ctx, written: Obj): Obj {
  const doc = checkKeys(ctx, written, Path.ROOT, 'the document', { now: TOP_LEVEL_KEYS }, true);
  const at = (key: string) => keyPath(Path.ROOT, doc, key);

  // D4, D5: version
  if (!has(doc, 'version')) {
    ctx.error('MISSING_FLOW_JSON_VERSION', at('version'), 'the document has no "version"', 'add "version": "7.3" at the top level');
  } else {
    const raw = doc.version;
    const parsed = parseVersion(raw);
    if (typeof raw !== 'string' || parsed === undefined) {
      ctx.error('INVALID_FLOW_JSON_VERSION', at('version'), `"version" must be a string "<major>.<minor>", got ${typeof raw === 'string' ? q(raw) : jsonType(raw)}`,
        'write the version as a string, e.g. "version": "7.3"', raw);
    } else {
      ctx.version = parsed;
      if (!KNOWN_VERSIONS.includes(raw)) {
        if (compareVersions(parsed, LATEST_KNOWN) > 0) {
          ctx.warn('UNKNOWN_FLOW_JSON_VERSION', at('version'), `version ${raw} is newer than the versions this validator knows (up to 7.3): its new components and properties are not checked`,
            'check the version against Meta\'s changelog, or use "7.3"', raw);
        } else {
          ctx.error('UNSUPPORTED_FLOW_JSON_VERSION', at('version'), `version ${raw} is not a Flow JSON version Meta has released (${KNOWN_VERSIONS.join(', ')})`,
            'use a released version such as "7.3"', raw);
        }
      }
      if (!AWS_PUBLISHABLE_VERSIONS.includes(raw)) {
        ctx.aws('AWS_UNSUPPORTED_VERSION', at('version'), `version ${raw} cannot be published through AWS End User Messaging Social, which publishes ${AWS_PUBLISHABLE_VERSIONS.join(', ')}`,
          'raise "version" to 7.3 (the version AWS recommends) and re-validate', raw);
      }
    }
  }

  // D7, D9: endpoint flows
  if (has(doc, 'data_api_version')) {
    ctx.endpoint = true;
    const dav = doc.data_api_version;
    if (dav !== '3.0') {
      ctx.error('NO_SUPPORTED_DATA_API_VERSION', at('data_api_version'), `"data_api_version" must be "3.0", got ${typeof dav === 'string' ? q(dav) : jsonType(dav)}`,
        'write "data_api_version": "3.0"', dav);
    }
    if (!has(doc, 'routing_model')) {
      ctx.error('MISSING_REQUIRED_PROPERTY', at('routing_model'), 'an endpoint flow (with "data_api_version") needs a "routing_model"',
        'add "routing_model": { "FIRST_SCREEN": ["NEXT_SCREEN"], … }');
    }
    ctx.aws('AWS_ENDPOINT_FLOW', at('data_api_version'), 'this is an endpoint flow ("data_api_version" is set); AWS End User Messaging Social does not support endpoint flows yet',
      'remove data_api_version and the data_exchange actions, and drive the flow with navigate and complete', dav);
  }
  // D8: data_channel_uri
  if (has(doc, 'data_channel_uri')) {
    const uri = doc.data_channel_uri;
    if (ctx.version !== undefined && ctx.atLeast(V3_0)) {
      ctx.error('INVALID_PROPERTY_KEY', at('data_channel_uri'), '"data_channel_uri" is not allowed from version 3.0: the endpoint URL is configured through the API',
        'remove "data_channel_uri" and set the endpoint on the flow instead', uri);
    } else if (typeof uri !== 'string') {
      ctx.error('INVALID_PROPERTY_TYPE', at('data_channel_uri'), `"data_channel_uri" must be a string, got ${jsonType(uri)}`, 'write the endpoint URL as a string', uri);
    }
    ctx.aws('AWS_ENDPOINT_FLOW', at('data_channel_uri'), '"data_channel_uri" makes this an endpoint flow; AWS End User Messaging Social does not support endpoint flows yet',
      'remove "data_channel_uri"', uri);
  }
  // §7: routing_model shape (graph rules are checked with the screens)
  if (has(doc, 'routing_model')) {
    const rm = doc.routing_model;
    if (!isObject(rm)) {
      ctx.error('INVALID_ROUTING_MODEL', at('routing_model'), `"routing_model" must be an object mapping screen ids to lists of screen ids, got ${jsonType(rm)}`,
        'write { "SCREEN_A": ["SCREEN_B"], "SCREEN_B": [] }', rm);
    }
  }

  // D6: screens
  if (!has(doc, 'screens')) {
    ctx.error('MISSING_REQUIRED_PROPERTY', at('screens'), 'the document has no "screens"', 'add "screens": [ … ] with at least one screen');
  } else if (!Array.isArray(doc.screens)) {
    ctx.error('INVALID_PROPERTY_TYPE', at('screens'), `"screens" must be an array, got ${jsonType(doc.screens)}`, 'write "screens": [ { "id": "…", … } ]', doc.screens);
  } else if (doc.screens.length === 0) {
    ctx.error('MIN_ITEMS_REQUIRED', at('screens'), '"screens" is empty: a flow needs at least one screen', 'add a screen');
  } else if (doc.screens.length > MAX_SCREENS) {
    ctx.error('MAX_SCREENS_NUMBER', at('screens'), `the flow has ${doc.screens.length} screens, more than the ${MAX_SCREENS} allowed`, 'split the flow or merge screens');
  }
  return doc;
}

const SCREEN_ID_LETTERS = /^[A-Za-z_]+$/;
const SCREEN_ID_WITH_DIGITS = /^[A-Za-z0-9_]+$/;

function collectScreens(flow: Flow): void {
  const { ctx, doc } = flow;
  if (!Array.isArray(doc.screens)) return;
  const screens = doc.screens as unknown[];
  const screensPath = keyPath(Path.ROOT, doc, 'screens');
  for (let i = 0; i < screens.length; i++) {
    const written = screens[i];
    const path = screensPath.at(i);
    if (!isObject(written)) {
      ctx.error('INVALID_PROPERTY_TYPE', path, `a screen must be an object, got ${jsonType(written)}`, 'write { "id": "SCREEN_ID", "layout": { … } }', written);
      continue;
    }
    const raw = checkKeys(ctx, written, path, 'a screen', { now: SCREEN_KEYS }, true);
    const at = (key: string) => keyPath(path, raw, key);

    // S1-S4: id
    let id: string | undefined;
    if (!has(raw, 'id')) {
      ctx.error('MISSING_REQUIRED_PROPERTY', at('id'), 'the screen has no "id"', 'add "id": "SCREEN_NAME" (letters and underscores)');
    } else if (typeof raw.id !== 'string') {
      ctx.error('INVALID_PROPERTY_TYPE', at('id'), `a screen id must be a string, got ${jsonType(raw.id)}`, 'write the id as a string of letters and underscores', raw.id);
    } else {
      id = raw.id;
      checkScreenId(ctx, id, at('id'));
      const first = flow.byId.get(id);
      if (first) {
        ctx.error('DUPLICATE_SCREEN_IDS', at('id'), `screen id ${q(id)} is already used by screens[${first.index}]`, 'give every screen a unique id', id);
      }
    }

    // S6-S9: terminal, success, refresh_on_back
    if (has(raw, 'terminal') && typeof raw.terminal !== 'boolean') {
      ctx.error('INVALID_PROPERTY_TYPE', at('terminal'), `"terminal" must be a boolean, got ${jsonType(raw.terminal)}`, 'write "terminal": true or false', raw.terminal);
    }
    const terminal = raw.terminal === true;
    if (has(raw, 'success')) {
      if (typeof raw.success !== 'boolean') {
        ctx.error('INVALID_PROPERTY_TYPE', at('success'), `"success" must be a boolean, got ${jsonType(raw.success)}`, 'write "success": true or false', raw.success);
      } else if (!terminal) {
        ctx.error('NOT_KEYWORD_SCHEMA_VALIDATION_FAILED', at('success'), '"success" is only allowed on a terminal screen', 'remove "success" or make the screen terminal', raw.success);
      }
    }
    if (has(raw, 'refresh_on_back')) {
      const rob = raw.refresh_on_back;
      if (typeof rob !== 'boolean') {
        ctx.error('INVALID_PROPERTY_TYPE', at('refresh_on_back'), `"refresh_on_back" must be a boolean, got ${jsonType(rob)}`, 'write "refresh_on_back": true or false', rob);
      } else if (rob) {
        if (!ctx.endpoint) {
          ctx.error('INVALID_PROPERTY_VALUE', at('refresh_on_back'), '"refresh_on_back": true needs an endpoint ("data_api_version")', 'remove "refresh_on_back"', rob);
        }
        ctx.aws('AWS_ENDPOINT_FLOW', at('refresh_on_back'), '"refresh_on_back": true asks the endpoint for data; AWS End User Messaging Social does not support endpoint flows yet',
          'remove "refresh_on_back"', rob);
      }
    }
    if (has(raw, 'title') && typeof raw.title !== 'string') {
      ctx.error('INVALID_PROPERTY_TYPE', at('title'), `"title" must be a string, got ${jsonType(raw.title)}`, 'write the title as a string', raw.title);
    }
    // S10: sensitive (5.1+)
    if (has(raw, 'sensitive') && ctx.gate(V5_1, at('sensitive'), 'screen property "sensitive"')) {
      const sens = raw.sensitive;
      if (!Array.isArray(sens) || sens.some((s) => typeof s !== 'string')) {
        ctx.error('INVALID_PROPERTY_TYPE', at('sensitive'), '"sensitive" must be an array of field names', 'write "sensitive": ["password"]', sens);
      }
    }

    const data = checkScreenData(ctx, raw.data, at('data'));
    const hidden: Hidden = { lists: false, actions: false, inputs: new Set(), anyInput: false };
    const nodes = collectComponents(ctx, raw, path, hidden);
    const inputs = new Map<string, ComponentNode>();
    const formNames = new Set<string>();
    for (const node of nodes) {
      const name = node.comp.name;
      if (node.spec === undefined && node.type !== undefined) hideUnknown(node.comp, hidden);
      if (typeof name !== 'string') {
        if (node.spec?.input) hidden.anyInput = true; // its ${form.…} references cannot be checked
        continue;
      }
      if (node.type === 'Form') formNames.add(name);
      if (!node.spec?.input) continue;
      const first = inputs.get(name);
      if (first) {
        ctx.error('DUPLICATE_FORM_COMPONENT_NAMES', node.path.at('name'), `input name ${q(name)} is already used on this screen by ${first.type}`,
          'give every input on the screen a unique name, in every If/Switch branch too', name);
      } else {
        inputs.set(name, node);
      }
    }
    const info: ScreenInfo = {
      index: i, path, obj: raw, id, terminal, data, nodes, inputs, formNames,
      hasForm: nodes.some((n) => n.type === 'Form'),
      hasDataExchange: false,
      hidden,
      unresolvedRoute: hidden.lists || hidden.actions,
    };
    flow.screens.push(info);
    if (id !== undefined && !flow.byId.has(id)) flow.byId.set(id, info);
  }
}

function checkScreenId(ctx: Ctx, id: string, path: Path): void {
  if (id.length === 0) {
    ctx.error('MIN_CHARS_REQUIRED', path, 'the screen id is empty', 'give the screen an id of letters and underscores', id);
    return;
  }
  if (id.toUpperCase() === 'SUCCESS') {
    ctx.error('SCREEN_ID_IS_RESERVED_KEYWORD', path, `screen id ${q(id)} is reserved`, 'rename the screen, e.g. "SUCCESS_SCREEN"', id);
    return;
  }
  if (id.length > 1000 || !SCREEN_ID_WITH_DIGITS.test(id)) {
    ctx.error('PATTERN_MISMATCH', path, `screen id ${q(id)} may contain only letters and underscores`, 'rename it with letters and underscores only, e.g. "ORDER_DETAILS"', id);
  } else if (!SCREEN_ID_LETTERS.test(id)) {
    ctx.warn('SCREEN_ID_WITH_DIGITS', path, `screen id ${q(id)} contains digits; Meta documents ids as "only alphabets and underscores"`,
      'spell the digits out (e.g. "STEP_TWO") unless you know Meta accepts them', id);
  }
}

/**
 * Walks a screen's layout without recursion and returns every component in document order. Reports
 * the structural problems here (a component that is not an object, a list that is not an array,
 * a misspelt type or key) so that the later checks can rely on the shapes, and notes in `hidden`
 * what the walk could not see.
 *
 * A misspelt component type (a near miss of a known one) is walked as the type it stands for, and
 * a misspelt key of a component as the key it stands for: the misspelling is reported once, and
 * what the component holds is still checked.
 */
function collectComponents(ctx: Ctx, screen: Obj, screenPath: Path, hidden: Hidden): ComponentNode[] {
  const nodes: ComponentNode[] = [];
  const layoutPath = keyPath(screenPath, screen, 'layout');
  if (!has(screen, 'layout')) {
    ctx.error('MISSING_REQUIRED_PROPERTY', layoutPath, 'the screen has no "layout"', 'add "layout": { "type": "SingleColumnLayout", "children": [ … ] }');
    hidden.lists = true;
    return nodes;
  }
  const written = screen.layout;
  if (!isObject(written)) {
    ctx.error('INVALID_PROPERTY_TYPE', layoutPath, `"layout" must be an object, got ${jsonType(written)}`, 'write "layout": { "type": "SingleColumnLayout", "children": [ … ] }', written);
    hidden.lists = true;
    return nodes;
  }
  const layout = checkKeys(ctx, written, layoutPath, 'the layout', { now: LAYOUT_KEYS }, true);
  if (!has(layout, 'type')) {
    ctx.error('MISSING_REQUIRED_PROPERTY', layoutPath.at('type'), 'the layout has no "type"', 'add "type": "SingleColumnLayout"');
  } else if (layout.type !== 'SingleColumnLayout') {
    const miss = typeof layout.type === 'string' ? nearMiss(layout.type, tier(LAYOUT_TYPES, 0)) : undefined;
    ctx.error('INVALID_PROPERTY_VALUE', keyPath(layoutPath, layout, 'type'),
      `layout type must be "SingleColumnLayout" (the only layout), got ${q(layout.type)}${miss ? '; did you mean "SingleColumnLayout"?' : ''}`, 'write "type": "SingleColumnLayout"', layout.type);
  }
  if (!has(layout, 'children')) {
    ctx.error('MISSING_REQUIRED_PROPERTY', layoutPath.at('children'), 'the layout has no "children"', 'add "children": [ … ] with the screen\'s components');
    hidden.lists = true;
    return nodes;
  }

  /** A value still to visit, with the place it would take as a component node. */
  type Work = Pick<ComponentNode, 'path' | 'parent' | 'slot' | 'parentType' | 'inForm' | 'condDepth' | 'ifDepth'> & { readonly value: unknown };
  // Exit markers take components off the current path again: a component that contains itself
  // (possible in validateObject's input) is not followed, one shared by two lists is visited in both.
  const work: Array<Work | { exit: object }> = [];
  const onPath = new Set<object>();
  /** Queues a list's items so that they pop in document order. */
  const pushList = (list: unknown, path: Path, ctxFields: Omit<Work, 'value' | 'path'>): void => {
    if (!Array.isArray(list)) {
      ctx.error('INVALID_PROPERTY_TYPE', path, `a list of components must be an array, got ${jsonType(list)}`, 'write the components as an array: [ { "type": … } ]', list);
      hidden.lists = true;
      return;
    }
    for (let k = list.length - 1; k >= 0; k--) work.push({ value: list[k], path: path.at(k), ...ctxFields });
  };
  pushList(layout.children, keyPath(layoutPath, layout, 'children'), { parent: -1, slot: 'children', parentType: 'layout', inForm: false, condDepth: 0, ifDepth: 0 });

  while (work.length > 0) {
    const w = work.pop()!;
    if ('exit' in w) {
      onPath.delete(w.exit);
      continue;
    }
    const value = w.value;
    if (!isObject(value)) {
      ctx.error('INVALID_PROPERTY_TYPE', w.path, `a component must be an object with a "type", got ${jsonType(value)}`, 'write { "type": "TextBody", "text": "…" }', value);
      continue;
    }
    if (onPath.has(value)) continue;
    onPath.add(value);
    work.push({ exit: value });
    let type: string | undefined;
    if (!has(value, 'type')) {
      ctx.error('MISSING_REQUIRED_TYPE_PROPERTY', w.path.at('type'), 'the component has no "type"', 'add "type", e.g. "TextBody"');
    } else if (typeof value.type !== 'string') {
      ctx.error('INVALID_PROPERTY_TYPE', w.path.at('type'), `a component "type" must be a string, got ${jsonType(value.type)}`, 'write the type as a string, e.g. "TextBody"', value.type);
    } else {
      type = value.type;
    }
    let spec: ComponentSpec | undefined = type !== undefined && Object.prototype.hasOwnProperty.call(COMPONENTS, type) ? COMPONENTS[type] : undefined;
    let misspelt: string | undefined;
    if (type !== undefined && !spec) {
      const miss = nearMiss(type, componentCandidates(ctx));
      if (miss) {
        misspelt = type;
        type = miss.name;
        spec = COMPONENTS[type];
      }
    }
    // The component as the checks read it: its misspelt keys renamed (reported here, once).
    const comp = spec ? checkKeys(ctx, value, w.path, type!, keySpace(ctx, propsOf(spec)), false, 'type') : value;
    const index = nodes.length;
    const ifDepth = w.ifDepth + (type === 'If' ? 1 : 0);
    nodes.push({ comp, type, spec, misspelt, path: w.path, parent: w.parent, slot: w.slot, parentType: w.parentType, inForm: w.inForm, condDepth: w.condDepth, ifDepth });
    if (!spec) continue;
    const base = { parent: index, parentType: type!, inForm: w.inForm || type === 'Form', ifDepth };
    const at = (key: string) => keyPath(w.path, comp, key);
    if (type === 'Form') {
      if (has(comp, 'children')) pushList(comp.children, at('children'), { ...base, slot: 'children', condDepth: w.condDepth });
      else hidden.lists = true;
    } else if (type === 'If') {
      const inner = { ...base, condDepth: w.condDepth + 1 };
      // Pushed in reverse so that `then` pops before `else`.
      if (has(comp, 'else')) pushList(comp.else, at('else'), { ...inner, slot: 'else' });
      if (has(comp, 'then')) pushList(comp.then, at('then'), { ...inner, slot: 'then' });
      else hidden.lists = true;
    } else if (type === 'Switch') {
      const cases = comp.cases;
      if (has(comp, 'cases') && !isObject(cases)) {
        ctx.error('INVALID_PROPERTY_TYPE', at('cases'), `"cases" must be an object mapping each value to a list of components, got ${jsonType(cases)}`,
          'write "cases": { "a": [ … ], "b": [ … ] }', cases);
        hidden.lists = true;
      } else if (isObject(cases)) {
        const keys = Object.keys(cases);
        for (let k = keys.length - 1; k >= 0; k--) {
          pushList(cases[keys[k]], at('cases').at(keys[k]), { ...base, slot: `case:${keys[k]}`, condDepth: w.condDepth + 1 });
        }
      } else {
        hidden.lists = true;
      }
    }
  }
  return nodes;
}

/** Component types a misspelt one may mean: those of this version first, then the others. */
function componentCandidates(ctx: Ctx): NameCandidate[] {
  return Object.entries(COMPONENTS).map(([name, spec]) => ({ name, tier: spec.since === undefined || ctx.atLeast(spec.since) ? 0 : 1 }));
}

/**
 * What an unknown component (one the catalogue does not know, warned about from 7.0) may hide from
 * the checks: an action (it may be a Footer, or navigate somewhere) and input names (it may be an
 * input that `${form.…}` reads). Looked for in the component and in what it contains.
 */
function hideUnknown(comp: Obj, hidden: Hidden): void {
  const stack: unknown[] = [comp];
  const seen = new Set<object>();
  let budget = 10_000;
  while (stack.length > 0 && budget-- > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    const values = Array.isArray(v) ? v : Object.values(v);
    if (!Array.isArray(v)) {
      const o = v as Obj;
      if (typeof o.name === 'string') {
        if (Object.prototype.hasOwnProperty.call(ACTIONS, o.name)) hidden.actions = true;
        else if (o === comp || typeof o.type === 'string') hidden.inputs.add(o.name);
      }
    }
    for (let i = 0; i < values.length && i < budget; i++) stack.push(values[i]);
  }
}

/** S6, S8: at least one terminal screen, and one that ends successfully. */
function checkTerminalScreens(flow: Flow): void {
  const { ctx, screens } = flow;
  if (screens.length === 0) return;
  const terminals = screens.filter((s) => s.terminal);
  if (terminals.length === 0) {
    ctx.error('MISSING_TERMINAL_SCREEN', Path.ROOT.at('screens'), `none of the ${plural(screens.length, 'screen')} is terminal`,
      'mark the last screen with "terminal": true and give it a Footer whose action is complete');
  } else if (!terminals.some((s) => s.obj.success !== false)) {
    ctx.error('INVALID_PROPERTY_VALUE', terminals[0].path.at('success'), 'every terminal screen has "success": false; at least one must end the flow successfully',
      'remove "success": false from the terminal screen that completes the flow', false);
  }
}
