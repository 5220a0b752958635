/**
 * What CloudFormation reads in a template, for the local deploy: conditions, dependencies
 * (DependsOn and references) in the order CloudFormation would act on them, and intrinsic
 * functions resolved with local values.
 */

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Condition?: string;
  readonly Metadata?: unknown;
}

export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly [key: string]: unknown;
}

/** What the pseudo parameters resolve to locally. */
export interface LocalEnvironment {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  readonly stackId: string;
}

/** A template CloudFormation would refuse, or something the local deploy does not model. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const PSEUDO = new Set(['AWS::Partition', 'AWS::Region', 'AWS::AccountId', 'AWS::StackName', 'AWS::StackId', 'AWS::URLSuffix', 'AWS::NoValue', 'AWS::NotificationARNs']);

/** Marks a value removed by `Ref: AWS::NoValue`. */
const NO_VALUE = Symbol('AWS::NoValue');

/** Resources of the template whose Condition holds (all, when there is no condition). */
export function activeResources(template: Template, env: LocalEnvironment): Record<string, TemplateResource> {
  const conditions = new ConditionEvaluator(template, env);
  const out: Record<string, TemplateResource> = {};
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    if (!r || typeof r !== 'object' || typeof r.Type !== 'string') {
      throw new TemplateError(`resource ${id} has no Type`);
    }
    if (r.Condition === undefined || conditions.evaluate(r.Condition)) out[id] = r;
  }
  return out;
}

/**
 * What a value of a template refers to, in the order met: each name of a `Ref`, of an
 * `Fn::GetAtt`'s resource and of an `Fn::Sub` variable not defined by the Sub itself (as written:
 * `Res.Arn` for `${Res.Arn}`), and each `Fn::ImportValue` (not looked into).
 */
export function visitReferences(value: unknown, on: { name(name: string): void; importValue(arg: unknown): void }): void {
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = o[k];
      if (k === 'Ref' && typeof arg === 'string') on.name(arg);
      if (k === 'Fn::GetAtt') {
        const target = Array.isArray(arg) ? arg[0] : typeof arg === 'string' ? arg.split('.')[0] : undefined;
        if (typeof target === 'string') on.name(target);
      }
      if (k === 'Fn::ImportValue') {
        on.importValue(arg);
        return;
      }
      if (k === 'Fn::Sub') {
        const text = Array.isArray(arg) ? arg[0] : arg;
        const vars = Array.isArray(arg) && arg[1] && typeof arg[1] === 'object' ? (arg[1] as Record<string, unknown>) : {};
        if (typeof text === 'string') for (const name of subVariables(text)) if (!(name in vars)) on.name(name);
        visit(vars);
        return;
      }
    }
    for (const k of keys) visit(o[k]);
  };
  visit(value);
}

/** The logical ids a value refers to (Ref, Fn::GetAtt, Fn::Sub), pseudo parameters and parameters excluded. */
export function referencesOf(value: unknown, resources: Record<string, unknown>): Set<string> {
  const found = new Set<string>();
  visitReferences(value, {
    name: (name) => {
      const base = name.split('.')[0];
      if (base in resources) found.add(base);
    },
    importValue: () => undefined,
  });
  return found;
}

/** Each resource's direct dependencies: DependsOn plus what its Properties refer to. */
export function directDependencies(resources: Record<string, TemplateResource>): Map<string, Set<string>> {
  const deps = new Map<string, Set<string>>();
  for (const [id, r] of Object.entries(resources)) {
    const set = referencesOf(r.Properties ?? {}, resources);
    const dependsOn = r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn];
    for (const d of dependsOn) {
      if (typeof d !== 'string' || !(d in resources)) {
        throw new TemplateError(`resource ${id} depends on ${JSON.stringify(d)}, which is not a resource of the template`);
      }
      set.add(d);
    }
    set.delete(id);
    deps.set(id, set);
  }
  return deps;
}

/** Each resource's dependencies, direct and indirect. */
export function transitiveDependencies(direct: Map<string, Set<string>>): Map<string, Set<string>> {
  const memo = new Map<string, Set<string>>();
  const visit = (id: string, path: string[]): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    if (path.includes(id)) throw new TemplateError(`circular dependency between resources: ${[...path.slice(path.indexOf(id)), id].join(' -> ')}`);
    const all = new Set<string>();
    for (const d of direct.get(id) ?? []) {
      all.add(d);
      for (const dd of visit(d, [...path, id])) all.add(dd);
    }
    memo.set(id, all);
    return all;
  };
  for (const id of direct.keys()) visit(id, []);
  return memo;
}

/**
 * The resources in an order CloudFormation could create them: each after everything it depends
 * on; among independent resources, template order (CloudFormation would run those in parallel).
 */
export function creationOrder(direct: Map<string, Set<string>>): string[] {
  transitiveDependencies(direct); // throws on a cycle, naming it
  const order: string[] = [];
  const done = new Set<string>();
  const ids = [...direct.keys()];
  while (order.length < ids.length) {
    const next = ids.find((id) => !done.has(id) && [...(direct.get(id) ?? [])].every((d) => done.has(d)));
    if (next === undefined) throw new TemplateError('circular dependency between resources');
    done.add(next);
    order.push(next);
  }
  return order;
}

/** How references to resources resolve while resolving a value. */
export interface ResolveContext {
  readonly env: LocalEnvironment;
  readonly template: Template;
  /** Ref of a resource: its physical id. */
  readonly ref: (logicalId: string) => string;
  /** Fn::GetAtt of a resource. */
  readonly getAtt: (logicalId: string, attribute: string) => unknown;
  /** Values given for parameters. @default - each parameter's Default */
  readonly parameters?: Record<string, string>;
}

/**
 * Resolves every intrinsic function in a value, as CloudFormation does before it sends a
 * custom resource its properties. Throws TemplateError for what cannot be resolved locally.
 */
export function resolve(value: unknown, ctx: ResolveContext): unknown {
  const conditions = new ConditionEvaluator(ctx.template, ctx.env, ctx.parameters);
  const r = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(r).filter((x) => x !== NO_VALUE);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return intrinsic(keys[0], o[keys[0]]);
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const x = r(o[k]);
      if (x !== NO_VALUE) out[k] = x;
    }
    return out;
  };
  const str = (v: unknown, where: string): string => {
    const x = r(v);
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    throw new TemplateError(`${where} needs a string, got ${JSON.stringify(x)}`);
  };
  const list = (v: unknown, where: string): unknown[] => {
    const x = r(v);
    if (!Array.isArray(x)) throw new TemplateError(`${where} needs a list, got ${JSON.stringify(x)}`);
    return x;
  };
  const intrinsic = (name: string, arg: unknown): unknown => {
    switch (name) {
      case 'Ref':
        if (typeof arg !== 'string') throw new TemplateError(`Ref needs a name, got ${JSON.stringify(arg)}`);
        return refOf(arg, ctx);
      case 'Fn::GetAtt': {
        const parts = Array.isArray(arg) ? arg : typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : [];
        const [id, attribute] = [parts[0], r(parts[1])];
        if (typeof id !== 'string' || typeof attribute !== 'string') throw new TemplateError(`Fn::GetAtt needs [logicalId, attribute], got ${JSON.stringify(arg)}`);
        if (!(id in (ctx.template.Resources ?? {}))) throw new TemplateError(`Fn::GetAtt refers to ${id}, which is not a resource of the template`);
        return ctx.getAtt(id, attribute);
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2) throw new TemplateError(`Fn::Join needs [delimiter, list], got ${JSON.stringify(arg)}`);
        const delimiter = str(arg[0], 'Fn::Join delimiter');
        return list(arg[1], 'Fn::Join').map((x) => (typeof x === 'string' ? x : String(x))).join(delimiter);
      }
      case 'Fn::Sub': {
        const text = Array.isArray(arg) ? arg[0] : arg;
        const vars = Array.isArray(arg) && arg[1] ? (r(arg[1]) as Record<string, unknown>) : {};
        if (typeof text !== 'string') throw new TemplateError(`Fn::Sub needs a string, got ${JSON.stringify(arg)}`);
        return text.replace(/\$\{([^}!][^}]*)\}|\$\{!([^}]*)\}/g, (_m, name: string | undefined, literal: string | undefined) => {
          if (literal !== undefined) return `\${${literal}}`;
          const n = name!.trim();
          if (n in vars) return String(vars[n]);
          if (n.includes('.') && !PSEUDO.has(n)) {
            const i = n.indexOf('.');
            return String(intrinsic('Fn::GetAtt', [n.slice(0, i), n.slice(i + 1)]));
          }
          return String(refOf(n, ctx));
        });
      }
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) throw new TemplateError(`Fn::Select needs [index, list], got ${JSON.stringify(arg)}`);
        const index = Number(r(arg[0]));
        const items = list(arg[1], 'Fn::Select');
        if (!Number.isInteger(index) || index < 0 || index >= items.length) throw new TemplateError(`Fn::Select index ${index} is out of range`);
        return items[index];
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2) throw new TemplateError(`Fn::Split needs [delimiter, string], got ${JSON.stringify(arg)}`);
        return str(arg[1], 'Fn::Split').split(str(arg[0], 'Fn::Split delimiter'));
      }
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') throw new TemplateError(`Fn::If needs [condition, then, else], got ${JSON.stringify(arg)}`);
        return r(conditions.evaluate(arg[0]) ? arg[1] : arg[2]);
      }
      case 'Fn::Base64':
        return Buffer.from(str(arg, 'Fn::Base64'), 'utf8').toString('base64');
      case 'Fn::GetAZs': {
        const region = str(arg, 'Fn::GetAZs') || ctx.env.region;
        return ['a', 'b', 'c'].map((z) => `${region}${z}`);
      }
      case 'Fn::FindInMap': {
        if (!Array.isArray(arg) || arg.length < 3) throw new TemplateError(`Fn::FindInMap needs [map, key, key], got ${JSON.stringify(arg)}`);
        const [m, k1, k2] = [str(arg[0], 'Fn::FindInMap'), str(arg[1], 'Fn::FindInMap'), str(arg[2], 'Fn::FindInMap')];
        const found = ctx.template.Mappings?.[m]?.[k1]?.[k2];
        if (found === undefined) throw new TemplateError(`Fn::FindInMap: no ${m}.${k1}.${k2} in Mappings`);
        return r(found);
      }
      case 'Fn::ImportValue':
        throw new TemplateError(`Fn::ImportValue (${JSON.stringify(arg)}) is not supported locally: each stack is deployed on its own; pass the value in directly`);
      default:
        throw new TemplateError(`${name} is not supported by the local deploy`);
    }
  };
  return r(value);
}

function refOf(name: string, ctx: ResolveContext): unknown {
  switch (name) {
    case 'AWS::Partition': return ctx.env.partition;
    case 'AWS::Region': return ctx.env.region;
    case 'AWS::AccountId': return ctx.env.accountId;
    case 'AWS::StackName': return ctx.env.stackName;
    case 'AWS::StackId': return ctx.env.stackId;
    case 'AWS::URLSuffix': return 'amazonaws.com';
    case 'AWS::NotificationARNs': return [];
    case 'AWS::NoValue': return NO_VALUE;
    default:
  }
  if (name in (ctx.template.Resources ?? {})) return ctx.ref(name);
  const parameter = ctx.template.Parameters?.[name];
  if (parameter) {
    const given = ctx.parameters?.[name];
    if (given !== undefined) return given;
    if (parameter.Default !== undefined) return parameter.Default;
    throw new TemplateError(`parameter ${name} has no value: give it a Default`);
  }
  throw new TemplateError(`Ref ${name}: no resource, parameter or pseudo parameter has that name`);
}

function subVariables(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) names.push(m[1].trim());
  return names;
}

/** Evaluates the template's Conditions (Fn::Equals, And, Or, Not, Condition), each once. */
class ConditionEvaluator {
  private readonly values = new Map<string, boolean>();

  constructor(
    private readonly template: Template,
    private readonly env: LocalEnvironment,
    private readonly parameters?: Record<string, string>,
  ) {}

  evaluate(name: string, path: string[] = []): boolean {
    const known = this.values.get(name);
    if (known !== undefined) return known;
    const def = this.template.Conditions?.[name];
    if (def === undefined) throw new TemplateError(`condition ${name} is not defined in Conditions`);
    if (path.includes(name)) throw new TemplateError(`condition ${name} refers to itself`);
    const value = this.expr(def, [...path, name]);
    this.values.set(name, value);
    return value;
  }

  private expr(e: unknown, path: string[]): boolean {
    if (typeof e === 'boolean') return e;
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw new TemplateError(`a condition must be a condition function, got ${JSON.stringify(e)}`);
    const [[fn, arg]] = Object.entries(e as Record<string, unknown>);
    const args = Array.isArray(arg) ? arg : [arg];
    switch (fn) {
      case 'Condition': return this.evaluate(String(arg), path);
      case 'Fn::Not': return !this.expr(args[0], path);
      case 'Fn::And': return args.every((a) => this.expr(a, path));
      case 'Fn::Or': return args.some((a) => this.expr(a, path));
      case 'Fn::Equals': {
        const ctx: ResolveContext = {
          env: this.env,
          template: this.template,
          parameters: this.parameters,
          ref: (id) => {
            throw new TemplateError(`condition refers to resource ${id}; conditions can only use parameters`);
          },
          getAtt: (id) => {
            throw new TemplateError(`condition refers to resource ${id}; conditions can only use parameters`);
          },
        };
        const [a, b] = args.map((x) => resolve(x, ctx));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      default:
        throw new TemplateError(`${fn} is not a condition function`);
    }
  }
}

/**
 * Custom resource properties as the provider receives them: CloudFormation sends every number
 * and boolean as a string.
 */
export function asEventProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asEventProperties);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = asEventProperties(v);
    return out;
  }
  return value;
}

/** Deep equality of JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as any)[k], (b as any)[k]));
  }
  return false;
}
