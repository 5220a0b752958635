/**
 * Reads a cloud assembly (a `cdk.out` folder) as a deploy needs it: each stack's template,
 * environment, messages and file assets, in the order `cdk deploy` would deploy them (a stack
 * after the stacks it depends on; the stacks of Stages included). Plain JSON only: no aws-cdk-lib,
 * so the shipped CLI can read the assembly of an app built with any aws-cdk-lib version.
 *
 * Also what a deploy does with the assembly's files before it sends events: publishing the file
 * assets the templates refer to, and finding the code folder of each function that serves
 * custom resources.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LocalEnvironment, referencesOf, resolve, Template } from '../cloudformation/template';

/** The assembly cannot be read: missing, corrupt, or made by a CDK this reader does not know. */
export class AssemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssemblyError';
  }
}

/** A file asset of the assembly and where `cdk deploy` would upload it. */
export interface FileAsset {
  readonly hash: string;
  /** Absolute path of the file or folder in the assembly. */
  readonly source: string;
  readonly packaging: 'file' | 'zip';
  /** Destinations, with `${AWS::…}` placeholders left as the manifest writes them. */
  readonly destinations: ReadonlyArray<{ readonly bucketName: string; readonly objectKey: string }>;
}

export interface SynthesizedStack {
  readonly stackName: string;
  /** The stack's path in the app (`Stage/Stack`), as `cdk` lists it. */
  readonly displayName: string;
  readonly template: Template;
  readonly templateFile: string;
  /** Concrete account and Region, when the stack sets them. */
  readonly account?: string;
  readonly region?: string;
  readonly assets: FileAsset[];
}

/** A message of the constructs (`Annotations`), as `cdk synth` prints them. */
export interface AssemblyMessage {
  readonly level: 'error' | 'warning' | 'info';
  readonly text: string;
}

export interface AssemblyContents {
  readonly directory: string;
  /** Every stack, in deploy order. */
  readonly stacks: SynthesizedStack[];
  readonly messages: AssemblyMessage[];
  /** Context the app looked up and did not have (`cdk synth` would look it up in the account): the keys. */
  readonly missingContext: string[];
}

const STACK = 'aws:cloudformation:stack';
const NESTED_ASSEMBLY = 'cdk:cloud-assembly';
const ASSET_MANIFEST = 'cdk:asset-manifest';
const LEVELS: Record<string, AssemblyMessage['level']> = { 'aws:cdk:error': 'error', 'aws:cdk:warning': 'warning', 'aws:cdk:info': 'info' };

/** Reads the assembly in `directory`. Throws AssemblyError naming the file when it cannot. */
export function readCloudAssembly(directory: string): AssemblyContents {
  const dir = path.resolve(directory);
  const stacks: SynthesizedStack[] = [];
  const messages: AssemblyMessage[] = [];
  const missing = new Set<string>();
  readInto(dir, stacks, messages, missing);
  return { directory: dir, stacks, messages, missingContext: [...missing] };
}

function readInto(dir: string, stacks: SynthesizedStack[], messages: AssemblyMessage[], missing: Set<string>): void {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = readJson(manifestFile) as { artifacts?: Record<string, any>; missing?: Array<{ key?: string }> };
  if (!manifest || typeof manifest !== 'object' || (manifest.artifacts !== undefined && typeof manifest.artifacts !== 'object')) {
    throw new AssemblyError(`${manifestFile} is not a cloud assembly manifest`);
  }
  for (const m of manifest.missing ?? []) if (typeof m?.key === 'string') missing.add(m.key);
  const artifacts = manifest.artifacts ?? {};

  // Stack artifacts in dependency order (as cdk deploy sorts them), manifest order otherwise.
  const stackIds = Object.keys(artifacts).filter((id) => artifacts[id]?.type === STACK);
  const ordered: string[] = [];
  const visit = (id: string, trail: string[]) => {
    if (ordered.includes(id)) return;
    if (trail.includes(id)) throw new AssemblyError(`${manifestFile}: stacks depend on each other in a cycle: ${[...trail, id].join(' -> ')}`);
    for (const dep of artifacts[id].dependencies ?? []) if (stackIds.includes(dep)) visit(dep, [...trail, id]);
    ordered.push(id);
  };
  for (const id of stackIds) visit(id, []);

  for (const id of ordered) {
    const artifact = artifacts[id];
    const templateFile = path.join(dir, String(artifact.properties?.templateFile ?? ''));
    const template = readJson(templateFile) as Template;
    if (!template || typeof template !== 'object') throw new AssemblyError(`${templateFile} is not a CloudFormation template`);
    for (const [constructPath, entries] of Object.entries<any[]>(artifact.metadata ?? {})) {
      for (const entry of entries ?? []) {
        const level = LEVELS[entry?.type];
        if (level) messages.push({ level, text: `${constructPath}: ${typeof entry.data === 'string' ? entry.data : JSON.stringify(entry.data)}` });
      }
    }
    const assets: FileAsset[] = [];
    for (const dep of artifact.dependencies ?? []) {
      const assetArtifact = artifacts[dep];
      if (assetArtifact?.type !== ASSET_MANIFEST || !assetArtifact.properties?.file) continue;
      const assetManifest = readJson(path.join(dir, assetArtifact.properties.file)) as { files?: Record<string, any> };
      for (const [hash, a] of Object.entries<any>(assetManifest?.files ?? {})) {
        if (typeof a?.source?.path !== 'string') continue; // built by a command: not supported locally
        assets.push({
          hash,
          source: path.resolve(dir, a.source.path),
          packaging: a.source.packaging === 'zip' ? 'zip' : 'file',
          destinations: Object.values<any>(a.destinations ?? {}).map((d) => ({ bucketName: String(d.bucketName), objectKey: String(d.objectKey) })),
        });
      }
    }
    const [, account, region] = /^aws:\/\/([^/]*)\/(.*)$/.exec(String(artifact.environment ?? '')) ?? [];
    const concrete = (v: string | undefined) => (v && !v.startsWith('unknown-') ? v : undefined);
    stacks.push({
      stackName: String(artifact.properties?.stackName ?? id),
      displayName: String(artifact.displayName ?? id),
      template,
      templateFile,
      account: concrete(account),
      region: concrete(region),
      assets,
    });
  }

  for (const artifact of Object.values<any>(artifacts)) {
    if (artifact?.type === NESTED_ASSEMBLY && typeof artifact.properties?.directoryName === 'string') {
      readInto(path.join(dir, artifact.properties.directoryName), stacks, messages, missing);
    }
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new AssemblyError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AssemblyError(`${file} is not valid JSON (${(e as Error).message})`);
  }
}

/** Fills the `${AWS::…}` placeholders of an asset destination. */
export function fillPlaceholders(text: string, env: { partition: string; region: string; accountId: string }): string {
  return text
    .replace(/\$\{AWS::Partition\}/g, env.partition)
    .replace(/\$\{AWS::Region\}/g, env.region)
    .replace(/\$\{AWS::AccountId\}/g, env.accountId);
}

/** Where file assets go: the emulator's S3 (FlowEmulator). */
export interface AssetStore {
  object(bucket: string, key: string): Buffer | undefined;
  putObject(bucket: string, key: string, body: Buffer, contentType?: string): void;
}

/**
 * Publishes the file assets the template refers to (not the template itself), as cdk deploy does
 * before it deploys the stack; an object already there with the same bytes is left alone.
 * Returns how many objects were written.
 */
export function publishFileAssets(stack: SynthesizedStack, env: LocalEnvironment, store: AssetStore): number {
  const templateText = JSON.stringify(stack.template);
  let written = 0;
  for (const asset of stack.assets) {
    if (asset.packaging !== 'file' || path.resolve(asset.source) === path.resolve(stack.templateFile)) continue;
    for (const d of asset.destinations) {
      const key = fillPlaceholders(d.objectKey, env);
      if (!templateText.includes(key)) continue;
      const bucket = fillPlaceholders(d.bucketName, env);
      const body = fs.readFileSync(asset.source);
      const existing = store.object(bucket, key);
      if (existing && existing.equals(body)) continue;
      store.putObject(bucket, key, body, asset.source.endsWith('.json') ? 'application/json' : 'application/octet-stream');
      written++;
    }
  }
  return written;
}

/**
 * The code folder (a folder asset of the assembly) of each Lambda function of the stack that is
 * the ServiceToken of a custom resource (of `onlyType`, when given): what the local deploy runs.
 */
export function customResourceFunctionCode(stack: SynthesizedStack, env: LocalEnvironment, onlyType?: string): Record<string, string> {
  const resources = stack.template.Resources ?? {};
  const served = new Set<string>();
  for (const r of Object.values(resources)) {
    if (!r || typeof r.Type !== 'string' || !(r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource')) continue;
    if (onlyType !== undefined && r.Type !== onlyType) continue;
    for (const id of referencesOf(r.Properties?.ServiceToken ?? null, resources)) {
      if (resources[id]?.Type === 'AWS::Lambda::Function') served.add(id);
    }
  }
  const code: Record<string, string> = {};
  for (const id of served) {
    const c = resources[id].Properties?.Code as Record<string, unknown> | undefined;
    let key: unknown;
    try {
      key = resolve(c?.S3Key, { env, template: stack.template, ref: () => '', getAtt: () => '' });
    } catch {
      continue;
    }
    const asset = stack.assets.find((a) => a.packaging === 'zip' && a.destinations.some((d) => fillPlaceholders(d.objectKey, env) === key));
    if (asset && fs.existsSync(asset.source) && fs.statSync(asset.source).isDirectory()) code[id] = asset.source;
  }
  return code;
}
