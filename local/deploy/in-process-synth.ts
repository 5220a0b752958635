/**
 * Synthesizes the app in-process, as `cdk synth` would (for `npm start`, the benchmark and the
 * tests), and reads the cloud assembly with cloud-assembly.ts, as `whatsapp-flow local` reads the
 * assembly of a user's app.
 */
import * as fs from 'fs';
import { App, AssetStaging } from 'aws-cdk-lib';
import { AssemblyError, AssemblyMessage, readCloudAssembly, SynthesizedStack } from './cloud-assembly';

export { customResourceFunctionCode, fillPlaceholders, publishFileAssets } from './cloud-assembly';
export type { AssetStore, FileAsset, SynthesizedStack } from './cloud-assembly';

/** The app could not be loaded or synthesized. */
export class SynthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthError';
  }
}

/** What an app module exports: a function building the app with an outdir and context. */
export type AppBuilder = (options: { outdir: string; context: Record<string, unknown> }) => App;

export interface SynthResult {
  readonly stacks: SynthesizedStack[];
  /** Warnings and infos of the constructs, as `cdk synth` prints them. */
  readonly messages: AssemblyMessage[];
}

/** Loads the app module (TypeScript is fine under tsx) and returns its builder. */
export function loadAppBuilder(modulePath: string): AppBuilder {
  if (!fs.existsSync(modulePath)) {
    throw new SynthError(`app module ${modulePath} not found; pass --app <file exporting buildApp>`);
  }
  let mod: any;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app module is known only at run time (--app)
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

  try {
    const { stacks, messages } = readCloudAssembly(assembly.directory);
    return { stacks, messages };
  } catch (e) {
    if (e instanceof AssemblyError) throw new SynthError(e.message);
    throw e;
  }
}

function messageOf(e: unknown): string {
  const err = e as Error;
  return err?.message ?? String(e);
}
