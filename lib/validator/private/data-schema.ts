/**
 * Screen `data` declarations (rules §2.1): each top-level field has a `type` and an `__example__`
 * of that type; `__example__` only at the top level; arrays declare `items`.
 */
import { Ctx, Obj, Path, has, isObject, jsonType, q } from './context';
import { ValueType } from './catalogue';
import { nearMiss, tier } from './names';

const DATA_TYPES: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array']);

/** Checks a screen's `data` and returns its declared fields. */
export function checkScreenData(ctx: Ctx, data: unknown, path: Path): Map<string, Obj | undefined> {
  const fields = new Map<string, Obj | undefined>();
  if (data === undefined) return fields;
  if (!isObject(data)) {
    ctx.error('INVALID_SCREEN_DATA', path, `screen data must be an object of field declarations, got ${jsonType(data)}`,
      'write "data": { "field": { "type": "string", "__example__": "…" } }, or {} for none', data);
    return fields;
  }
  for (const name of Object.keys(data)) {
    const decl = data[name];
    const fpath = path.at(name);
    if (!isObject(decl)) {
      ctx.error('INVALID_SCREEN_DATA', fpath, `data field ${q(name)} must be an object with a type and an __example__, got ${jsonType(decl)}`,
        `declare it as { "type": "string", "__example__": "…" }`, decl);
      fields.set(name, undefined);
      continue;
    }
    fields.set(name, decl);
    // Iterative walk over the nested schemas (items / properties). A schema that contains itself
    // (possible in validateObject's input) is not followed again.
    const work: SchemaWork[] = [{ schema: decl, path: fpath, top: true, ancestors: [] }];
    while (work.length > 0) {
      const w = work.pop()!;
      if (w.ancestors.includes(w.schema)) continue;
      checkSchemaNode(ctx, w, work);
    }
  }
  return fields;
}

interface SchemaWork {
  readonly schema: Obj;
  readonly path: Path;
  readonly top: boolean;
  /** Enclosing schemas (few: schemas are shallow), to stop at a cycle. */
  readonly ancestors: readonly Obj[];
}

/** Schemas deeper than this are not checked further (Meta's data models are a few levels deep). */
const MAX_SCHEMA_DEPTH = 32;

function checkSchemaNode(ctx: Ctx, w: SchemaWork, work: SchemaWork[]): void {
  const { schema, path, top } = w;
  const type = schema.type;
  const below = w.ancestors.length < MAX_SCHEMA_DEPTH ? [...w.ancestors, schema] : undefined;
  if (!has(schema, 'type')) {
    ctx.error('INVALID_SCREEN_DATA', path, 'a data declaration needs a "type"', 'add "type": "string" (or number, boolean, object, array)');
  } else if (typeof type !== 'string' || !DATA_TYPES.has(type)) {
    const miss = typeof type === 'string' ? nearMiss(type, tier(DATA_TYPES, 0)) : undefined;
    ctx.error('INVALID_SCREEN_DATA', path.at('type'), `data type must be one of string, number, boolean, object, array, got ${typeof type === 'string' ? q(type) : jsonType(type)}${miss ? `; did you mean ${q(miss.name)}?` : ''}`,
      miss ? `write "type": "${miss.name}"` : 'use "string", "number", "boolean", "object" or "array"', type);
  } else if (type === 'integer') {
    ctx.warn('UNCONFIRMED_DATA_TYPE', path.at('type'), 'data type "integer" is not confirmed by Meta\'s documentation', 'use "number" unless you know Meta accepts "integer"', type);
  }
  if (top) {
    if (!has(schema, '__example__')) {
      ctx.error('INVALID_SCREEN_DATA', path, 'a top-level data field needs an "__example__"', `add "__example__" with a value of type ${typeof type === 'string' ? type : 'the field\'s type'}`);
    } else if (typeof type === 'string' && DATA_TYPES.has(type)) {
      const problem = exampleProblem(type, schema.items, schema.__example__);
      if (problem) {
        ctx.error('INVALID_SCREEN_DATA', path.at('__example__'), `__example__ does not match type ${q(type)}: ${problem}`,
          `give an __example__ of type ${type}`, schema.__example__);
      }
    }
  } else if (has(schema, '__example__')) {
    ctx.error('INVALID_SCREEN_DATA', path.at('__example__'), '"__example__" is only allowed on top-level data fields', 'move the example into the top-level field\'s __example__', schema.__example__);
  }
  if (type === 'array') {
    if (!has(schema, 'items')) {
      ctx.error('INVALID_SCREEN_DATA', path, 'an array data field needs "items"', 'add "items": { "type": "object", "properties": { … } }');
    } else if (isObject(schema.items)) {
      if (below) work.push({ schema: schema.items, path: path.at('items'), top: false, ancestors: below });
    } else if (typeof schema.items !== 'boolean') {
      ctx.error('INVALID_SCREEN_DATA', path.at('items'), `"items" must be an object or a boolean, got ${jsonType(schema.items)}`, 'describe the items with an object schema', schema.items);
    }
  }
  if (has(schema, 'properties')) {
    const props = schema.properties;
    if (!isObject(props)) {
      ctx.error('INVALID_SCREEN_DATA', path.at('properties'), `"properties" must be an object, got ${jsonType(props)}`, 'map each property name to its schema', props);
    } else {
      for (const key of Object.keys(props)) {
        const sub = props[key];
        if (isObject(sub)) {
          if (below) work.push({ schema: sub, path: path.at('properties', key), top: false, ancestors: below });
        }
        else {
          ctx.error('INVALID_SCREEN_DATA', path.at('properties', key), `the schema of property ${q(key)} must be an object, got ${jsonType(sub)}`,
            'write { "type": "string" }', sub);
        }
      }
    }
  }
}

/** Why an example does not fit a type (shallow, plus the type of array items); undefined when it fits. */
function exampleProblem(type: string, items: unknown, example: unknown): string | undefined {
  if (!valueFits(type, example)) return `got ${jsonType(example)}`;
  if (type === 'array' && isObject(items) && typeof items.type === 'string' && DATA_TYPES.has(items.type) && Array.isArray(example)) {
    const n = Math.min(example.length, 1000);
    for (let i = 0; i < n; i++) {
      if (!valueFits(items.type, example[i])) return `item ${i} is ${jsonType(example[i])}, items are ${items.type}`;
    }
  }
  return undefined;
}

function valueFits(type: string, value: unknown): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    default: return true;
  }
}

/** The declared type of a schema, as a value type. */
export function schemaType(schema: Obj | undefined): ValueType {
  const t = schema?.type;
  return typeof t === 'string' && DATA_TYPES.has(t) ? (t as ValueType) : 'unknown';
}

/** Whether two value types clearly cannot hold the same value (array vs object vs scalar). */
export function structurallyDifferent(a: ValueType, b: ValueType): boolean {
  if (a === 'unknown' || b === 'unknown') return false;
  const shape = (t: ValueType) => (t === 'array' ? 'array' : t === 'object' ? 'object' : 'scalar');
  return shape(a) !== shape(b);
}
