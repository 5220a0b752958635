/**
 * Synthesizes a user's CDK app the way the CDK CLI does for `cdk synth`: the `app` command of the
 * project's cdk.json (or the one given), after its `build` command, in the project's folder, with
 * the context of ~/.cdk.json, cdk.context.json, cdk.json and -c (in that order of precedence, the
 * last winning) in CDK_CONTEXT_JSON and the output folder in CDK_OUTDIR. An `app` that is a folder
 * is a cloud assembly already: it is read as it is, nothing runs.
 *
 * The app's own output (its console.log, its warnings) goes to `output`.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The app cannot be run or gave no assembly: what is wrong, and what to do about it. */
export class AppError extends Error {
  constructor(
    message: string,
    public readonly fix: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export interface SynthesizeAppOptions {
  /** The project's folder: where cdk.json is, and where the app runs. */
  readonly projectDir: string;
  /** The app command, or a cloud assembly folder (`--app`). @default - the `app` of cdk.json */
  readonly app?: string;
  /** Context values given on the command line (`-c key=value`). */
  readonly context: Record<string, string>;
  /** Where the app writes its cloud assembly (emptied first). */
  readonly outdir: string;
  /** The app's own output. */
  readonly output: (text: string) => void;
}

export interface SynthesizedApp {
  /** The cloud assembly folder. */
  readonly assemblyDir: string;
  /** The command that ran, or undefined when `app` was an assembly folder. */
  readonly command?: string;
}

/** The context the CDK CLI adds to every synth (path and asset metadata, bundling of every stack). */
const CLI_CONTEXT = {
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
  'aws:cdk:bundling-stacks': ['**'],
};

/** Environment variables over this size go to a file instead (the OS limit is about 128 KiB). */
const MAX_CONTEXT_ENV_BYTES = 64 * 1024;

/**
 * The app to synthesize: `app` when given, else the `app` of the project's cdk.json (or of
 * ~/.cdk.json). Throws AppError when there is none.
 */
export function appOf(projectDir: string, app?: string): string {
  if (app !== undefined) return app;
  const projectFile = path.join(projectDir, 'cdk.json');
  const found = stringSetting(readSettings(projectFile), 'app', projectFile) ?? stringSetting(readSettings(path.join(os.homedir(), '.cdk.json')), 'app', '~/.cdk.json');
  if (found !== undefined) return found;
  throw fs.existsSync(projectFile)
    ? new AppError(`${projectFile} has no "app"`, 'add "app": "<the command that runs your CDK app>" to cdk.json, or pass --app')
    : new AppError(`there is no cdk.json in ${projectDir}`, 'run this in the folder of your CDK app (where cdk.json is), or pass --app "<command>" or --app <cdk.out folder>');
}

export async function synthesizeApp(options: SynthesizeAppOptions): Promise<SynthesizedApp> {
  const projectFile = path.join(options.projectDir, 'cdk.json');
  const project = readSettings(projectFile);
  const user = readSettings(path.join(os.homedir(), '.cdk.json'));
  const app = appOf(options.projectDir, options.app);

  const asFolder = path.resolve(options.projectDir, app);
  if (fs.existsSync(asFolder) && fs.statSync(asFolder).isDirectory()) {
    if (!fs.existsSync(path.join(asFolder, 'manifest.json'))) {
      throw new AppError(`--app ${app} is a folder without a manifest.json, not a cloud assembly`, 'pass the cdk.out folder that `cdk synth` wrote, or the command that runs the app');
    }
    return { assemblyDir: asFolder };
  }

  const build = stringSetting(project, 'build', projectFile);
  if (build !== undefined) {
    const code = await run(build, options.projectDir, process.env, options.output);
    if (code !== 0) throw new AppError(`the build command of cdk.json (${build}) failed with exit code ${code} (its output is above)`, 'fix the build, then run this again');
  }

  const context: Record<string, unknown> = {
    ...objectSetting(user, 'context'),
    ...readContextFile(path.join(options.projectDir, 'cdk.context.json')),
    ...objectSetting(project, 'context'),
    ...options.context,
    ...CLI_CONTEXT,
  };
  fs.rmSync(options.outdir, { recursive: true, force: true });
  fs.mkdirSync(options.outdir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: options.outdir };
  const contextJson = JSON.stringify(context);
  let overflow: string | undefined;
  if (Buffer.byteLength(contextJson) > MAX_CONTEXT_ENV_BYTES) {
    overflow = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'whatsapp-flow-context-')), 'context.json');
    fs.writeFileSync(overflow, contextJson);
    env.CDK_CONTEXT_JSON = '{}';
    env.CONTEXT_OVERFLOW_LOCATION_ENV = overflow;
  } else {
    env.CDK_CONTEXT_JSON = contextJson;
  }

  const command = commandFor(app, options.projectDir);
  let code: number;
  try {
    code = await run(command, options.projectDir, env, options.output);
  } finally {
    if (overflow) fs.rmSync(path.dirname(overflow), { recursive: true, force: true });
  }
  if (code !== 0) {
    throw new AppError(`the app (${command}) failed with exit code ${code} (its output is above)`, 'fix what it reports (npx cdk synth shows the same), then run this again');
  }
  if (!fs.existsSync(path.join(options.outdir, 'manifest.json'))) {
    throw new AppError(
      `the app (${command}) ran but wrote no cloud assembly to CDK_OUTDIR`,
      'make the app create its App with new App() (which writes to CDK_OUTDIR) and call app.synth(), or pass --app <cdk.out folder>',
    );
  }
  return { assemblyDir: options.outdir, command };
}

/**
 * The command line for `app`, as the CDK CLI guesses it: a .js file runs with this Node, another
 * file or command as it is.
 */
function commandFor(app: string, cwd: string): string {
  const quoted = (s: string) => (/^[\w+=:,.@/-]+$/.test(s) ? s : `"${s.replace(/(["\\$`])/g, '\\$1')}"`);
  const file = path.resolve(cwd, app);
  if (app.endsWith('.js') && fs.existsSync(file)) return `${quoted(process.execPath)} ${quoted(app)}`;
  const [first, ...rest] = app.trim().split(/\s+/);
  if (first.endsWith('.js') && fs.existsSync(path.resolve(cwd, first))) return [quoted(process.execPath), quoted(first), ...rest].join(' ');
  return app;
}

/** Runs a command line in a shell; its output goes to `output`; resolves its exit code. */
function run(command: string, cwd: string, env: NodeJS.ProcessEnv, output: (text: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => output(b.toString()));
    child.stderr.on('data', (b: Buffer) => output(b.toString()));
    child.on('error', (e) => reject(new AppError(`cannot run ${command}: ${e.message}`, 'check the command in cdk.json')));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

type Settings = Record<string, unknown> | undefined;

function readSettings(file: string): Settings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (e) {
    throw new AppError(`${file} is not valid JSON (${(e as Error).message})`, `fix the syntax of ${path.basename(file)}`);
  }
  throw new AppError(`${file} is not a JSON object`, `make ${path.basename(file)} an object like { "app": "npx tsx bin/app.ts" }`);
}

function readContextFile(file: string): Record<string, unknown> {
  return objectSetting(readSettings(file), undefined);
}

function stringSetting(settings: Settings, key: string, where: string): string | undefined {
  let value = settings?.[key];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) value = value.join(' ');
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new AppError(`"${key}" in ${where} must be a command (a string), got ${JSON.stringify(value)}`, `set "${key}" to the command line to run`);
  return value;
}

function objectSetting(settings: Settings, key: string | undefined): Record<string, unknown> {
  const value = key === undefined ? settings : settings?.[key];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
