/**
 * Reads the flows of a synthesized cloud assembly (a `cdk.out` folder): every
 * `Custom::WhatsAppFlow` resource of every stack, in nested assemblies (stages) and nested
 * stacks too, with where its content is (inline in the template, or the file of its S3 asset).
 *
 * Only plain JSON is read: no aws-cdk-lib, no cloud-assembly-schema, so the CLI stays small.
 * Every problem with the input is an {@link InputError} naming the file.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { displayPath } from '../../lib/private/messages';
import { Prop, RESOURCE_TYPE } from '../../lib/shared/contract';

/**
 * The metadata entry in which `WhatsAppFlow` records its content's file (relative to where cdk ran,
 * `/` between folders) on its CloudFormation resource: in the cloud assembly, not the template.
 */
export const SOURCE_METADATA = 'whatsapp-flow-cdk:source';

/** A problem with the input: the file it concerns, and what is wrong with it (one line). */
export class InputError extends Error {
  constructor(
    public readonly file: string,
    public readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'InputError';
  }
}

/**
 * A property value as written in the template: a literal, or an intrinsic function (a token
 * at synth) whose value is only known at deploy.
 */
export interface Value {
  /** The value as written (string, list, object…). */
  readonly raw: unknown;
  /** The value when it is a literal string (booleans and numbers as strings); undefined for an intrinsic. */
  readonly literal?: string;
  /** Short rendering for messages: the literal, or the intrinsic as compact JSON. */
  readonly text: string;
}

/** Where a flow's content is. */
export interface ContentRef {
  /** `ContentSha256`: the SHA-256 of the canonical form, what decides whether the content changed. */
  readonly sha256: string;
  /** `ContentBytes`, when given. */
  readonly bytes?: number;
  readonly where: 'inline' | 's3';
  /** The text, when inline. */
  readonly inline?: string;
  /** Absolute path of the asset file, when in S3. */
  readonly file?: string;
  /** The asset file as the user sees it (relative to the current directory when possible). */
  readonly fileLabel?: string;
}

/** One `Custom::WhatsAppFlow` resource. */
export interface FlowDecl {
  /** Pairs a flow of one assembly with the same flow of the other: stack and logical id. */
  readonly key: string;
  /** The stack's key: its environment and name. */
  readonly stackKey: string;
  /** The stack's name (for a nested stack: the parent's name, a slash and the nested stack's logical id). */
  readonly stack: string;
  readonly environment: string;
  readonly logicalId: string;
  /** The template, as the user sees it. */
  readonly templateLabel: string;
  /** The Flow JSON file the content was read from at synth (`flows/signup.json`), when recorded. */
  readonly sourceFile?: string;
  readonly wabaId: Value;
  readonly flowName: Value;
  /** The categories, when a list of literal strings; otherwise undefined (see categoriesValue). */
  readonly categories?: string[];
  readonly categoriesValue: Value;
  /** `Publish`: true, false, or undefined when not a literal. */
  readonly publish?: boolean;
  readonly publishValue: Value;
  /** `RemovalPolicy` as written (`destroy`, `retain`, `retain-except-on-create`), lower case; `destroy` when absent. */
  readonly removalPolicy: string;
  /** The resource's DeletionPolicy attribute (`Delete` when absent). */
  readonly deletionPolicy: string;
  /** The resource's UpdateReplacePolicy attribute (`Delete` when absent). */
  readonly updateReplacePolicy: string;
  readonly adoptExisting: boolean;
  readonly preview: boolean;
  readonly cloneFlowId?: Value;
  readonly content?: ContentRef;
}

/** The flows of one assembly. */
export interface AssemblyFlows {
  readonly dir: string;
  readonly flows: FlowDecl[];
}

/** How deep nested assemblies and nested stacks are followed. */
const MAX_NESTING = 8;

interface AssetFile {
  readonly id: string;
  /** Absolute path of the asset's source. */
  readonly source: string;
  readonly packaging: string;
  readonly objectKeys: string[];
}

interface AssetManifest {
  readonly label: string;
  readonly files: AssetFile[];
}

/** Reads every flow of the assembly in `dir`. */
export async function readAssembly(dir: string, cwd: string): Promise<AssemblyFlows> {
  const root = path.resolve(cwd, dir);
  const label = (p: string) => displayPath(p, cwd);
  let stat;
  try {
    stat = await fs.stat(root);
  } catch {
    throw new InputError(label(root), 'no such directory; pass the cloud assembly folder written by cdk synth (cdk.out)');
  }
  if (!stat.isDirectory()) {
    throw new InputError(label(root), 'not a directory; pass the cloud assembly folder written by cdk synth (cdk.out), not a file in it');
  }
  const flows: FlowDecl[] = [];
  await readManifest(root, label, flows, 0);
  return { dir: root, flows };
}

async function readManifest(dir: string, label: (p: string) => string, flows: FlowDecl[], depth: number): Promise<void> {
  const file = path.join(dir, 'manifest.json');
  const manifest = await readJson(file, label, 'not a cloud assembly (it has no manifest.json); pass the folder written by cdk synth (cdk.out)');
  const artifacts = isObject(manifest) ? manifest.artifacts : undefined;
  if (!isObject(manifest) || (artifacts !== undefined && !isObject(artifacts))) {
    throw new InputError(label(file), 'not a cloud assembly manifest (no "artifacts" object)');
  }
  const all = (artifacts ?? {}) as Record<string, unknown>;
  const nested: string[] = [];
  for (const [id, artifact] of Object.entries(all)) {
    if (!isObject(artifact)) continue;
    const props = isObject(artifact.properties) ? artifact.properties : {};
    if (artifact.type === 'cdk:cloud-assembly' && typeof props.directoryName === 'string') {
      nested.push(props.directoryName);
    } else if (artifact.type === 'aws:cloudformation:stack') {
      if (typeof props.templateFile !== 'string') {
        throw new InputError(label(file), `stack artifact ${JSON.stringify(id)} has no templateFile`);
      }
      const stackName = typeof props.stackName === 'string' ? props.stackName : id;
      const environment = typeof artifact.environment === 'string' ? artifact.environment : 'aws://unknown-account/unknown-region';
      const assets = await readAssetManifest(dir, id, artifact, all, label);
      const sources = await readSources(dir, id, artifact, label);
      await readTemplate(path.resolve(dir, props.templateFile), { stackName, environment, assets, sources, label, flows, depth: 0, dir });
    }
  }
  // The app's own stacks first, then those of its stages.
  for (const directoryName of nested) {
    if (depth >= MAX_NESTING) throw new InputError(label(file), `nested assemblies deeper than ${MAX_NESTING} levels`);
    await readManifest(path.resolve(dir, directoryName), label, flows, depth + 1);
  }
}

interface TemplateContext {
  readonly stackName: string;
  readonly environment: string;
  readonly assets: AssetManifest | undefined;
  /** The source file of each flow of the stack (nested stacks included), by logical id. */
  readonly sources: ReadonlyMap<string, string>;
  readonly label: (p: string) => string;
  readonly flows: FlowDecl[];
  readonly depth: number;
  readonly dir: string;
}

async function readTemplate(file: string, c: TemplateContext): Promise<void> {
  const template = await readJson(file, c.label, 'the stack\'s template is missing');
  if (!isObject(template)) throw new InputError(c.label(file), 'not a CloudFormation template (not a JSON object)');
  const resources = template.Resources;
  if (resources === undefined) return;
  if (!isObject(resources)) throw new InputError(c.label(file), 'not a CloudFormation template ("Resources" is not an object)');
  const stackKey = `${c.environment}|${c.stackName}`;
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isObject(resource)) continue;
    if (resource.Type === RESOURCE_TYPE) {
      c.flows.push(flowDecl(logicalId, resource, file, stackKey, c));
    } else if (resource.Type === 'AWS::CloudFormation::Stack') {
      const nested = nestedTemplate(resource, c);
      if (nested) {
        if (c.depth >= MAX_NESTING) throw new InputError(c.label(file), `nested stacks deeper than ${MAX_NESTING} levels`);
        await readTemplate(nested, { ...c, stackName: `${c.stackName}/${logicalId}`, depth: c.depth + 1 });
      }
    }
  }
}

/** The template file of a nested stack, through its asset; undefined when it is not one of this assembly. */
function nestedTemplate(resource: Record<string, unknown>, c: TemplateContext): string | undefined {
  const metadata = isObject(resource.Metadata) ? resource.Metadata : {};
  if (typeof metadata['aws:asset:path'] === 'string') return path.resolve(c.dir, metadata['aws:asset:path']);
  const props = isObject(resource.Properties) ? resource.Properties : {};
  const keys = strings(props.TemplateURL).filter((s) => s.endsWith('.json'));
  for (const key of keys) {
    const asset = c.assets?.files.find((a) => a.objectKeys.some((k) => key.endsWith(k)));
    if (asset) return asset.source;
  }
  return undefined;
}

function flowDecl(logicalId: string, resource: Record<string, unknown>, file: string, stackKey: string, c: TemplateContext): FlowDecl {
  const p = isObject(resource.Properties) ? resource.Properties : {};
  const where = `${c.label(file)}`;
  const categoriesRaw = p[Prop.CATEGORIES];
  const categories = Array.isArray(categoriesRaw) && categoriesRaw.every((x) => typeof x === 'string') ? (categoriesRaw as string[]) : undefined;
  const publishValue = value(p[Prop.PUBLISH] ?? 'false');
  const publishLiteral = publishValue.literal?.toLowerCase();
  return {
    key: `${stackKey}|${logicalId}`,
    stackKey,
    stack: c.stackName,
    environment: c.environment,
    logicalId,
    templateLabel: where,
    sourceFile: c.sources.get(logicalId),
    wabaId: value(p[Prop.WABA_ID]),
    flowName: value(p[Prop.FLOW_NAME]),
    categories,
    categoriesValue: value(categoriesRaw),
    publish: publishLiteral === 'true' ? true : publishLiteral === 'false' ? false : undefined,
    publishValue,
    removalPolicy: (value(p[Prop.REMOVAL_POLICY] ?? 'destroy').literal ?? 'destroy').toLowerCase(),
    deletionPolicy: typeof resource.DeletionPolicy === 'string' ? resource.DeletionPolicy : 'Delete',
    updateReplacePolicy: typeof resource.UpdateReplacePolicy === 'string' ? resource.UpdateReplacePolicy : 'Delete',
    adoptExisting: value(p[Prop.ADOPT_EXISTING]).literal?.toLowerCase() === 'true',
    preview: value(p[Prop.PREVIEW]).literal?.toLowerCase() === 'true',
    cloneFlowId: p[Prop.CLONE_FLOW_ID] !== undefined ? value(p[Prop.CLONE_FLOW_ID]) : undefined,
    content: contentRef(logicalId, p, where, c),
  };
}

function contentRef(logicalId: string, p: Record<string, unknown>, where: string, c: TemplateContext): ContentRef | undefined {
  const inline = p[Prop.FLOW_JSON];
  const key = p[Prop.CONTENT_S3_KEY];
  if (inline === undefined && key === undefined && p[Prop.CONTENT_S3_BUCKET] === undefined) return undefined;
  const sha = value(p[Prop.CONTENT_SHA256]).literal;
  if (!sha) {
    throw new InputError(where, `flow ${logicalId} has content but no literal ${Prop.CONTENT_SHA256}; synthesize it with whatsapp-flow-cdk`);
  }
  const bytesText = value(p[Prop.CONTENT_BYTES]).literal;
  const bytes = bytesText !== undefined && /^[0-9]+$/.test(bytesText) ? Number(bytesText) : undefined;
  if (inline !== undefined) {
    // Accept an object too (a template edited by hand), as the handler does.
    return { sha256: sha, bytes, where: 'inline', inline: typeof inline === 'string' ? inline : JSON.stringify(inline) };
  }
  if (typeof key !== 'string') {
    throw new InputError(where, `flow ${logicalId}: ${Prop.CONTENT_S3_KEY} is ${key === undefined ? 'missing' : `not a literal (${compact(key)})`}, so its asset cannot be found; synthesize with the default stack synthesizer`);
  }
  if (!c.assets) {
    throw new InputError(where, `flow ${logicalId}: its content is the S3 object ${JSON.stringify(key)} but the stack has no asset manifest (<stack>.assets.json)`);
  }
  const asset = c.assets.files.find((a) => a.objectKeys.includes(key)) ?? c.assets.files.find((a) => key === a.id || key.startsWith(`${a.id}.`));
  if (!asset) {
    throw new InputError(where, `flow ${logicalId}: ${Prop.CONTENT_S3_KEY} ${JSON.stringify(key)} names no file asset of ${c.assets.label}`);
  }
  if (asset.packaging !== 'file') {
    throw new InputError(c.assets.label, `asset ${asset.id} (the content of flow ${logicalId}) is packaged as ${JSON.stringify(asset.packaging)}, not as a file`);
  }
  return { sha256: sha, bytes, where: 's3', file: asset.source, fileLabel: c.label(asset.source) };
}

/**
 * The source files recorded in a stack's metadata (in the manifest, or in the file it names as
 * `additionalMetadataFile`), by the logical id recorded at the same construct path. A logical id
 * that two nested stacks share with different files is left out rather than guessed.
 */
async function readSources(dir: string, id: string, artifact: Record<string, unknown>, label: (p: string) => string): Promise<Map<string, string>> {
  const entries: Array<[string, unknown]> = isObject(artifact.metadata) ? Object.entries(artifact.metadata) : [];
  if (typeof artifact.additionalMetadataFile === 'string') {
    const extra = await readJson(path.resolve(dir, artifact.additionalMetadataFile), label, `the metadata file of stack ${id} is missing`);
    if (isObject(extra)) entries.push(...Object.entries(extra));
  }
  const found = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const [, list] of entries) {
    if (!Array.isArray(list)) continue;
    const data = (type: string) => list.find((m) => isObject(m) && m.type === type && typeof m.data === 'string')?.data as string | undefined;
    const source = data(SOURCE_METADATA);
    const logicalId = data('aws:cdk:logicalId');
    if (source === undefined || logicalId === undefined) continue;
    if (found.has(logicalId) && found.get(logicalId) !== source) ambiguous.add(logicalId);
    found.set(logicalId, source);
  }
  for (const l of ambiguous) found.delete(l);
  return found;
}

async function readAssetManifest(
  dir: string,
  id: string,
  artifact: Record<string, unknown>,
  all: Record<string, unknown>,
  label: (p: string) => string,
): Promise<AssetManifest | undefined> {
  const deps = Array.isArray(artifact.dependencies) ? artifact.dependencies.filter((d): d is string => typeof d === 'string') : [];
  let name: string | undefined;
  for (const dep of deps) {
    const a = all[dep];
    if (isObject(a) && a.type === 'cdk:asset-manifest' && isObject(a.properties) && typeof a.properties.file === 'string') {
      name = a.properties.file;
      break;
    }
  }
  const file = path.resolve(dir, name ?? `${id}.assets.json`);
  if (name === undefined) {
    try {
      await fs.access(file);
    } catch {
      return undefined;
    }
  }
  const manifest = await readJson(file, label, 'the stack\'s asset manifest is missing');
  const files = isObject(manifest) && isObject(manifest.files) ? manifest.files : {};
  const out: AssetFile[] = [];
  for (const [assetId, entry] of Object.entries(files)) {
    if (!isObject(entry) || !isObject(entry.source) || typeof entry.source.path !== 'string') continue;
    const objectKeys = isObject(entry.destinations)
      ? Object.values(entry.destinations).flatMap((d) => (isObject(d) && typeof d.objectKey === 'string' ? [d.objectKey] : []))
      : [];
    out.push({
      id: assetId,
      source: path.resolve(path.dirname(file), entry.source.path),
      packaging: typeof entry.source.packaging === 'string' ? entry.source.packaging : 'file',
      objectKeys,
    });
  }
  return { label: label(file), files: out };
}

/** Reads the content of a flow: the inline text, or its asset file (at most `maxBytes`). */
export async function readContent(ref: ContentRef, maxBytes: number): Promise<string> {
  if (ref.inline !== undefined) return ref.inline;
  const file = ref.file!;
  let size: number;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new InputError(ref.fileLabel ?? file, 'the content asset is not a file');
    size = stat.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(ref.fileLabel ?? file, `cannot read the content asset: ${describe(e)}`);
  }
  if (size > maxBytes) {
    throw new InputError(ref.fileLabel ?? file, `the content asset is ${size} bytes, more than the ${maxBytes} bytes this command reads`);
  }
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new InputError(ref.fileLabel ?? file, `cannot read the content asset: ${describe(e)}`);
  }
}

/** Checks that the asset file of a flow exists, so that a broken reference fails before any output. */
export async function checkContent(ref: ContentRef): Promise<void> {
  if (ref.file === undefined) return;
  try {
    const stat = await fs.stat(ref.file);
    if (stat.isFile()) return;
  } catch (e) {
    throw new InputError(ref.fileLabel ?? ref.file, `the content asset is missing (${describe(e)}); synthesize again`);
  }
  throw new InputError(ref.fileLabel ?? ref.file, 'the content asset is not a file');
}

async function readJson(file: string, label: (p: string) => string, missing: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(label(file), code === 'ENOENT' ? missing : `cannot read it: ${describe(e)}`);
  }
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new InputError(label(file), `not valid JSON (${(e as Error).message})`);
  }
}

function value(raw: unknown): Value {
  if (typeof raw === 'string') return { raw, literal: raw, text: raw };
  if (typeof raw === 'number' || typeof raw === 'boolean') return { raw, literal: String(raw), text: String(raw) };
  return { raw, text: raw === undefined ? '(none)' : compact(raw) };
}

/** Compact JSON of a value, at most 80 characters. */
export function compact(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

/** Every string inside a value (for the object key in a TemplateURL's Fn::Join or Fn::Sub). */
function strings(v: unknown, depth = 0): string[] {
  if (typeof v === 'string') return [v];
  if (depth > 6 || v === null || typeof v !== 'object') return [];
  return (Array.isArray(v) ? v : Object.values(v)).flatMap((x) => strings(x, depth + 1));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}
