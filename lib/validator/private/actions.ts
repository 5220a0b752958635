/**
 * Actions (rules §6): which action each component event accepts, their shapes, navigate targets
 * and payloads against the next screen's data, complete only on terminal footers, update_data
 * keys, open_url, media pickers in payloads, and the endpoint-only data_exchange.
 */
import { ACTIONS, ALL_KEYS, NEXT_KEYS, NEXT_TYPES, ValueType } from './catalogue';
import { StringInfo, checkString, screenName, walkStrings } from './bindings';
import { Obj, Path, has, isObject, jsonType, q } from './context';
import { schemaType, structurallyDifferent } from './data-schema';
import { checkKeys, keyPath } from './keys';
import { enumError, nearMiss, tier } from './names';
import { ComponentNode, Flow, ScreenInfo } from './model';
import { V4_0 } from './versions';

const ALL_ACTIONS = Object.keys(ACTIONS);

export function checkAction(flow: Flow, screen: ScreenInfo, node: ComponentNode, event: string, written: unknown, path: Path,
  allowed: readonly string[], owner: string): void {
  const { ctx } = flow;
  if (!isObject(written)) {
    ctx.error('INVALID_PROPERTY_TYPE', path, `${event} must be an action object, got ${jsonType(written)}`, 'write { "name": "navigate", … }', written);
    screen.unresolvedRoute = true;
    return;
  }
  // The action's name, under "name" or under a misspelling of it (reported with the other keys below).
  const nameKey = has(written, 'name') ? 'name' : Object.keys(written).find((k) => !ALL_KEYS.has(k) && nearMiss(k, tier(['name'], 0)) !== undefined);
  if (nameKey === undefined) {
    ctx.error('MISSING_REQUIRED_PROPERTY', path.at('name'), `the ${event} has no action "name"`, `add "name": one of ${allowed.join(', ')}`);
    screen.unresolvedRoute = true;
    return;
  }
  const name = actionName(flow, written[nameKey], path.at(nameKey), event, allowed, owner);
  if (name === undefined) {
    screen.unresolvedRoute = true;
    return;
  }
  const spec = ACTIONS[name];
  const action = checkKeys(ctx, written, path, `the ${name} action`, { now: spec.keys }, false);
  const namePath = keyPath(path, action, 'name');
  if (!ctx.gate(spec.since, namePath, `the ${name} action`, name)) return;
  if (!allowed.includes(name)) {
    if (name === 'complete' && node.type !== 'Footer') {
      ctx.error('INVALID_ENUM_VALUE', namePath, `the complete action is not allowed on ${owner}: it belongs on the Footer of a terminal screen`,
        `use one of ${allowed.join(', ')} here, and complete on the Footer`, name);
    } else {
      ctx.error('INVALID_ENUM_VALUE', namePath, `${event} of ${owner} does not accept the ${name} action`, `use one of ${allowed.join(', ')}`, name);
    }
    if (name === 'navigate') screen.unresolvedRoute = true;
    return;
  }
  const payloadPath = keyPath(path, action, 'payload');
  let payload: Obj | undefined;
  if (has(action, 'payload')) {
    if (isObject(action.payload)) payload = action.payload;
    else ctx.error('INVALID_PROPERTY_TYPE', payloadPath, `the ${name} payload must be an object, got ${jsonType(action.payload)}`, 'write "payload": { "key": "${form.input}" }', action.payload);
  }

  // Walk the payload once: references resolve, and top-level values are typed for navigate.
  const topTypes = new Map<string, ValueType>();
  const pickers: Array<{ input: ComponentNode; path: Path; topLevel: boolean }> = [];
  if (payload) {
    walkStrings(flow, screen, payload, payloadPath, (info: StringInfo, p: Path, depth: number, key) => {
      // depth 1: a top-level property value of the payload.
      if (depth === 1 && info.kind === 'dynamic' && info.resolved && typeof key === 'string') topTypes.set(key, info.resolved.type);
      for (const r of info.all) {
        if (r.input?.spec?.maxUploadsProp) pickers.push({ input: r.input, path: p, topLevel: depth === 1 && info.kind === 'dynamic' });
      }
    });
  }

  switch (name) {
    case 'navigate':
      checkNavigate(flow, screen, node, action, path, payload, topTypes);
      for (const pk of pickers) {
        ctx.error('INVALID_ON_CLICK_ACTION_PAYLOAD', pk.path, `the value of ${pk.input.type} ${q(pk.input.comp.name)} cannot be passed in a navigate payload`,
          'send media with the complete action (or read it on a later screen with ${screen.ID.form.name})');
      }
      break;
    case 'complete':
      if (node.type === 'Footer' && !screen.terminal) {
        ctx.error('INVALID_COMPLETE_ACTION', namePath, `complete is only allowed on the Footer of a terminal screen, and screen ${screenName(screen)} is not terminal`,
          'mark the screen "terminal": true, or navigate to a terminal screen', name);
      }
      checkPickers(flow, pickers, true);
      break;
    case 'data_exchange':
      screen.hasDataExchange = true;
      if (!ctx.endpoint) {
        ctx.error('DATA_EXCHANGE_WITHOUT_ENDPOINT', namePath, 'data_exchange needs an endpoint flow ("data_api_version" and "routing_model"), and this flow has none',
          'use navigate or complete, or declare "data_api_version": "3.0" and a routing_model', name);
      }
      ctx.aws('AWS_ENDPOINT_FLOW', namePath, 'data_exchange calls the flow\'s endpoint; AWS End User Messaging Social does not support endpoint flows yet',
        'replace data_exchange with navigate (to a screen declared in the JSON) or complete', name);
      checkPickers(flow, pickers, false);
      break;
    case 'update_data':
      if (payload) {
        for (const key of Object.keys(payload)) {
          if (!screen.data.has(key)) {
            ctx.error('INVALID_ACTION_PAYLOAD_PROPERTY', payloadPath.at(key), `update_data sets ${q(key)}, which is not declared in the data of screen ${screenName(screen)}`,
              `declare ${q(key)} in screens[${screen.index}].data`, payload[key]);
          }
        }
      }
      break;
    case 'open_url': {
      const url = action.url;
      if (!has(action, 'url')) {
        ctx.error('MISSING_REQUIRED_PROPERTY', path.at('url'), 'open_url requires a "url"', 'add "url": "https://…"');
      } else if (typeof url !== 'string') {
        ctx.error('INVALID_PROPERTY_TYPE', path.at('url'), `"url" must be a string, got ${jsonType(url)}`, 'write "url": "https://…"', url);
      } else if (checkString(flow, screen, url, path.at('url')).kind === 'static' && !url.startsWith('https://')) {
        ctx.warn('OPEN_URL_NOT_HTTPS', path.at('url'), `open_url expects an https URL, got ${q(url)}`, 'use an https:// URL', url);
      }
      break;
    }
    default:
      break;
  }
}

/**
 * The action a `name` names: a known action, or the one a near miss of an action accepted here
 * misspells (reported, then checked as that action). Undefined, reported, for anything else.
 */
function actionName(flow: Flow, raw: unknown, path: Path, event: string, allowed: readonly string[], owner: string): string | undefined {
  const { ctx } = flow;
  if (typeof raw === 'string' && Object.prototype.hasOwnProperty.call(ACTIONS, raw)) return raw;
  if (typeof raw !== 'string') {
    ctx.error('INVALID_ENUM_VALUE', path, `unknown action ${jsonType(raw)}`, `use one of ${ALL_ACTIONS.join(', ')}`, raw);
    return undefined;
  }
  const miss = nearMiss(raw, [...tier(allowed, 0), ...tier(ALL_ACTIONS.filter((a) => !allowed.includes(a)), 1)]);
  if (!miss) {
    ctx.error('INVALID_ENUM_VALUE', path, `unknown action ${q(raw)}`, `use one of ${ALL_ACTIONS.join(', ')}`, raw);
    return undefined;
  }
  if (miss.tier === 0) {
    ctx.error('INVALID_ENUM_VALUE', path, `unknown action ${q(raw)}; did you mean ${q(miss.name)}?`, `write "name": "${miss.name}"`, raw);
    return miss.name;
  }
  ctx.error('INVALID_ENUM_VALUE', path, `unknown action ${q(raw)}; did you mean ${q(miss.name)}?`,
    `${event} of ${owner} does not accept ${miss.name} either: use one of ${allowed.join(', ')}`, raw);
  return undefined;
}

function checkNavigate(flow: Flow, screen: ScreenInfo, node: ComponentNode, action: Obj, path: Path, payload: Obj | undefined, topTypes: Map<string, ValueType>): void {
  const { ctx } = flow;
  const nextPath = keyPath(path, action, 'next');
  let target: ScreenInfo | undefined;
  if (!has(action, 'next')) {
    ctx.error('MISSING_REQUIRED_PROPERTY', nextPath, 'navigate requires "next"', 'add "next": { "type": "screen", "name": "NEXT_SCREEN" }');
  } else if (!isObject(action.next)) {
    ctx.error('INVALID_PROPERTY_TYPE', nextPath, `"next" must be an object, got ${jsonType(action.next)}`, 'write "next": { "type": "screen", "name": "NEXT_SCREEN" }', action.next);
  } else {
    const next = checkKeys(ctx, action.next, nextPath, '"next"', { now: NEXT_KEYS }, false);
    const at = (key: string) => keyPath(nextPath, next, key);
    if (!has(next, 'type')) {
      ctx.error('MISSING_REQUIRED_PROPERTY', nextPath.at('type'), '"next" requires "type": "screen"', 'add "type": "screen"');
    } else if (next.type !== 'screen') {
      if (typeof next.type === 'string') enumError(ctx, at('type'), '"next.type"', NEXT_TYPES, next.type, 'type');
      else ctx.error('INVALID_ENUM_VALUE', at('type'), `"next.type" must be "screen", got ${q(next.type)}`, 'write "type": "screen"', next.type);
    }
    const name = next.name;
    if (!has(next, 'name')) {
      ctx.error('MISSING_REQUIRED_PROPERTY', nextPath.at('name'), '"next" requires the "name" of the screen to open', 'add "name": "NEXT_SCREEN"');
    } else if (typeof name !== 'string') {
      ctx.error('INVALID_PROPERTY_TYPE', at('name'), `"next.name" must be a screen id, got ${jsonType(name)}`, 'write the id of a screen', name);
    } else {
      target = flow.byId.get(name);
      if (!target) {
        const ids = [...flow.byId.keys()];
        const miss = nearMiss(name, tier(ids.filter((id) => id !== screen.id), 0));
        ctx.error('INVALID_NAVIGATE_ACTION_NEXT_SCREEN_NAME', at('name'), `navigate goes to screen ${q(name)}, which does not exist${miss ? `; did you mean ${q(miss.name)}?` : ''}`,
          miss ? `write "name": "${miss.name}"` : ids.length > 0 ? `use one of ${ids.slice(0, 8).join(', ')}` : 'add that screen', name);
      } else if (target === screen) {
        ctx.error('INVALID_NAVIGATE_ACTION_NEXT_SCREEN_NAME', at('name'), `navigate goes to its own screen ${q(name)}`, 'navigate to another screen', name);
        target = undefined;
      } else {
        flow.edges.push({ from: screen, to: target, path, aside: node.type === 'OptIn' || node.type === 'EmbeddedLink' });
      }
    }
  }
  // Where this navigate was meant to go is not known: the routing checks that its edge would satisfy hold back.
  if (!target) screen.unresolvedRoute = true;
  if (node.type === 'Footer' && screen.terminal) {
    ctx.error('NAVIGATE_ON_TERMINAL_FOOTER', keyPath(path, action, 'name'), `the Footer of terminal screen ${screenName(screen)} navigates; a terminal screen's Footer ends the flow`,
      'use complete on this Footer, or make the screen non-terminal', 'navigate');
  }
  if (!target || !isObject(target.obj.data) && target.obj.data !== undefined) return;

  // Payload keys must equal the next screen's data fields, with matching types.
  const payloadPath = keyPath(path, action, 'payload');
  const keys = payload ? Object.keys(payload) : [];
  const missing = [...target.data.keys()].filter((f) => !payload || !has(payload, f));
  for (const key of keys) {
    if (!target.data.has(key)) {
      // A misspelt key of a field the payload does not send is one mistake, reported once here.
      const miss = nearMiss(key, tier(missing, 0));
      if (miss) missing.splice(missing.indexOf(miss.name), 1);
      ctx.error('INVALID_NAVIGATE_ACTION_PAYLOAD', payloadPath.at(key), `the payload sends ${q(key)}, which screen ${screenName(target)} does not declare in its data${miss ? `; did you mean ${q(miss.name)}?` : ''}`,
        miss ? `rename it ${q(miss.name)}` : `declare ${q(key)} in screens[${target.index}].data, or remove it from the payload`, payload![key]);
      continue;
    }
    const expected = schemaType(target.data.get(key));
    const actual = topTypes.get(key) ?? literalType(payload![key]);
    if (structurallyDifferent(expected, actual)) {
      ctx.error('INVALID_NAVIGATE_ACTION_PAYLOAD', payloadPath.at(key), `the payload sends ${q(key)} as ${actual}, but screen ${screenName(target)} declares it as ${expected}`,
        `make the types agree (change the data declaration or the value)`, payload![key]);
    }
  }
  if (missing.length > 0) {
    const list = missing.slice(0, 8).map((m) => q(m)).join(', ') + (missing.length > 8 ? ', …' : '');
    if (keys.length === 0 && ctx.atLeast(V4_0)) {
      ctx.warn('NAVIGATE_PAYLOAD_MISSING_DATA', payload ? payloadPath : path, `the payload is empty, but screen ${screenName(target)} declares data ${list}`,
        'pass the fields in the payload, or read them on the next screen with ${screen.ID.form.…} and drop the data declarations');
    } else {
      ctx.error('INVALID_NAVIGATE_ACTION_PAYLOAD', payload ? payloadPath : path, `the payload does not send ${list}, which screen ${screenName(target)} declares in its data`,
        'send every declared field, or remove the unused declarations');
    }
  }
}

function literalType(v: unknown): ValueType {
  if (typeof v === 'string') return 'unknown'; // an expression or text: a string, but may be compared loosely
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v)) return 'array';
  if (isObject(v)) return 'object';
  return 'unknown';
}

/** Media pickers in complete / data_exchange payloads (rules §4.2). */
function checkPickers(flow: Flow, pickers: Array<{ input: ComponentNode; path: Path; topLevel: boolean }>, complete: boolean): void {
  const { ctx } = flow;
  for (const pk of pickers) {
    if (!pk.topLevel) {
      ctx.error('INVALID_ON_CLICK_ACTION_PAYLOAD', pk.path, `the value of ${pk.input.type} ${q(pk.input.comp.name)} must be a top-level payload property on its own`,
        `write "photos": "\${form.${String(pk.input.comp.name)}}" at the top of the payload`);
    }
  }
  if (!complete) return;
  const distinct = [...new Set(pickers.map((p) => p.input))];
  if (distinct.length > 1) {
    ctx.error('INVALID_ON_CLICK_ACTION_PAYLOAD', pickers[1].path, `a complete payload may carry only one media picker, this one carries ${distinct.length}`,
      'send the other pickers with data_exchange, or split them over flows');
  }
  for (const input of distinct) {
    const prop = input.spec!.maxUploadsProp!;
    const max = input.comp[prop] ?? 30;
    if (max !== 1) {
      ctx.error('INVALID_ON_CLICK_ACTION_PAYLOAD', pickers.find((p) => p.input === input)!.path,
        `a complete payload may carry ${input.type} ${q(input.comp.name)} only when its ${prop} is 1, it is ${typeof max === 'number' ? max : q(max)}${has(input.comp, prop) ? '' : ' (the default)'}`,
        `set "${prop}": 1 on the ${input.type}`);
    }
  }
}
