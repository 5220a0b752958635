/**
 * Synthesizes the app in-process, as `cdk synth` would, and reads what a deploy needs from the
 * cloud assembly: each stack's template, environment, messages and file assets.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, AssetStaging } from 'aws-cdk-lib';
import { LocalEnvironment, referencesOf, resolve, Template } from './template';

/** The app could not be loaded or synthesized. */
export class SynthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthError';
  }
}

/** What an app module exports: a function building the app with an outdir and context. */
export type AppBuilder = (options: { outdir: string; context: Record<string, unknown> }) => App;

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
  readonly template: Template;
  readonly templateFile: string;
  /** Concrete account and Region, when the stack sets them. */
  readonly account?: string;
  readonly region?: string;
  readonly assets: FileAsset[];
}

export interface SynthResult {
  readonly stacks: SynthesizedStack[];
  /** Warnings and infos of the constructs, as `cdk synth` prints them. */
  readonly messages: Array<{ level: 'error' | 'warning' | 'info'; text: string }>;
}

/** Loads the app module (TypeScript is fine under tsx) and returns its builder. */
export function loadAppBuilder(modulePath: string): AppBuilder {
  if (!fs.existsSync(modulePath)) {
    throw new SynthError(`app module ${modulePath} not found; pass --app <file exporting buildApp>`);
  }
  let mod: any;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(modulePath);
  } catch (e) {
    throw new SynthError(`loading the app ${modulePath} failed: ${messageOf(e)}`);
  }
  const builder = mod?.buildApp ?? mod?.default;
  if (typeof builder !== 'function') {
    throw new SynthError(`${modulePath} exports no buildApp function; export buildApp({ outdir, context }) returning the App`);
  }
  return builder as AppBuilder;
}

/**
 * Synthesizes the app into `outdir` (emptied first). Template validation is off unless
 * `validate`, as with `cdk synth --no-validation`.
 */
export function synthesize(builder: AppBuilder, options: { outdir: string; context: Record<string, unknown>; validate: boolean }): SynthResult {
  fs.rmSync(options.outdir, { recursive: true, force: true });
  // Staging remembers what it copied in this process; the emptied outdir needs every asset again.
  AssetStaging.clearAssetHashCache();
  const savedValidation = process.env.CDK_VALIDATION;
  const savedExitCode = process.exitCode;
  if (!options.validate) process.env.CDK_VALIDATION = 'false';
  let assembly: ReturnType<App['synth']>;
  try {
    const app = builder({ outdir: options.outdir, context: options.context });
    if (!app || typeof (app as App).synth !== 'function') {
      throw new SynthError('buildApp() returned no App; return the App it builds');
    }
    assembly = app.synth();
    if (options.validate && process.exitCode && process.exitCode !== savedExitCode) {
      throw new SynthError('the CloudFormation validation of the templates failed (see above)');
    }
  } catch (e) {
    if (e instanceof SynthError) throw e;
    throw new SynthError(`synth failed: ${messageOf(e)}`);
  } finally {
    if (savedValidation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = savedValidation;
    process.exitCode = savedExitCode;
  }

  const messages: SynthResult['messages'] = [];
  if (assembly.nestedAssemblies.length > 0) {
    messages.push({ level: 'warning', text: 'the app has Stages: only its top-level stacks are deployed locally' });
  }
  const stacks: SynthesizedStack[] = [];
  for (const stack of assembly.stacks) {
    for (const m of stack.messages) {
      const level = m.level === 'error' ? 'error' : m.level === 'warning' ? 'warning' : 'info';
      messages.push({ level, text: `${m.id}: ${typeof m.entry.data === 'string' ? m.entry.data : JSON.stringify(m.entry.data)}` });
    }
    const assets: FileAsset[] = [];
    for (const dep of stack.dependencies) {
      const manifest = dep.manifest as { type?: string; properties?: { file?: string } };
      if (manifest.type !== 'cdk:asset-manifest' || !manifest.properties?.file) continue;
      const file = path.join(assembly.directory, manifest.properties.file);
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      for (const [hash, a] of Object.entries<any>(json.files ?? {})) {
        if (a?.source?.path === undefined) continue; // built by a command: not supported locally
        assets.push({
          hash,
          source: path.join(assembly.directory, a.source.path),
          packaging: a.source.packaging === 'zip' ? 'zip' : 'file',
          destinations: Object.values<any>(a.destinations ?? {}).map((d) => ({ bucketName: String(d.bucketName), objectKey: String(d.objectKey) })),
        });
      }
    }
    const concrete = (v: string | undefined) => (v && !v.startsWith('unknown-') ? v : undefined);
    stacks.push({
      stackName: stack.stackName,
      template: stack.template as Template,
      templateFile: path.join(assembly.directory, stack.templateFile),
      account: concrete(stack.environment.account),
      region: concrete(stack.environment.region),
      assets,
    });
  }
  return { stacks, messages };
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
 * the ServiceToken of a custom resource: what the local deploy runs.
 */
export function customResourceFunctionCode(stack: SynthesizedStack, env: LocalEnvironment): Record<string, string> {
  const resources = stack.template.Resources ?? {};
  const served = new Set<string>();
  for (const r of Object.values(resources)) {
    if (!r || typeof r.Type !== 'string' || !(r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource')) continue;
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

function messageOf(e: unknown): string {
  const err = e as Error;
  return err?.message ?? String(e);
}
