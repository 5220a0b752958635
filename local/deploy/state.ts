/**
 * The local deploy's state folder (`.local/` by default): what is "deployed" between runs.
 *
 *   deployed.json          the stacks as CloudFormation would remember them (see DeployedState)
 *   emulator-state.json    the emulator's flows and S3 objects (local/emulator/store.ts)
 *   functions/<hash>/      the code of each deployed provider function (kept for rollbacks and --destroy)
 *   cdk.out/               the last cloud assembly
 *   handler.log            the provider's JSON log lines, one per line, newest last
 *   deploy.lock            present while a local deploy runs (holds its pid)
 *
 * Only these names are ever written or removed: the folder may hold other files.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Template } from '../cloudformation/template';

export const STATE_FORMAT = 'whatsapp-flow-cdk/local-deploy@1';

/** A resource as the last successful operation left it. */
export interface DeployedResource {
  readonly type: string;
  /** The physical id answered by the provider. */
  readonly physicalId: string;
  /** The resolved properties last sent (what the next Update sends as OldResourceProperties). */
  readonly properties: Record<string, unknown>;
  /** The Data of the last answer (Fn::GetAtt values). */
  readonly data: Record<string, string>;
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
}

/** A deployed stack. */
export interface DeployedStack {
  readonly stackName: string;
  readonly stackId: string;
  /** CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, UPDATE_ROLLBACK_FAILED, DELETE_FAILED. */
  readonly status: string;
  readonly updatedAt: string;
  /** The template of the last successful deploy, as synthesized. */
  readonly template: Template;
  /** The custom resources the engine deploys (Custom::WhatsAppFlow and any other served by a function of the stack), by logical id. */
  readonly resources: Record<string, DeployedResource>;
  /** Code folder (relative to the state folder) of each function serving custom resources, by logical id. */
  readonly functions: Record<string, string>;
}

export interface DeployedState {
  readonly format: string;
  readonly stacks: Record<string, DeployedStack>;
}

/** The state folder cannot be used: corrupt, locked, unwritable. */
export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

export class StateDir {
  constructor(public readonly dir: string) {}

  get deployedFile(): string {
    return path.join(this.dir, 'deployed.json');
  }
  get emulatorFile(): string {
    return path.join(this.dir, 'emulator-state.json');
  }
  get outdir(): string {
    return path.join(this.dir, 'cdk.out');
  }
  get functionsDir(): string {
    return path.join(this.dir, 'functions');
  }
  get logFile(): string {
    return path.join(this.dir, 'handler.log');
  }
  get lockFile(): string {
    return path.join(this.dir, 'deploy.lock');
  }

  /** The deployed stacks; empty when nothing was deployed. Throws StateError when the file is unusable. */
  read(): DeployedState {
    let text: string;
    try {
      text = fs.readFileSync(this.deployedFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { format: STATE_FORMAT, stacks: {} };
      throw new StateError(`cannot read ${this.deployedFile}: ${(e as Error).message}`);
    }
    let state: DeployedState;
    try {
      state = JSON.parse(text);
    } catch (e) {
      throw new StateError(`${this.deployedFile} is corrupt (${(e as Error).message}); delete ${this.dir} to start again from an empty emulator`);
    }
    const problem = checkState(state);
    if (problem) {
      throw new StateError(`${this.deployedFile} is corrupt (${problem}); delete ${this.dir} to start again from an empty emulator`);
    }
    return state;
  }

  /** Writes the state atomically (temporary file, then rename). */
  write(state: DeployedState): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.deployedFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(state, undefined, 2)}\n`);
    fs.renameSync(tmp, this.deployedFile);
  }

  /** Keeps a copy of a function's code; returns its folder relative to the state folder. */
  keepFunctionCode(sourceDir: string, hash: string): string {
    const rel = path.join('functions', hash);
    const dest = path.join(this.dir, rel);
    if (!fs.existsSync(path.join(dest, '.complete'))) {
      fs.rmSync(dest, { recursive: true, force: true });
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.cpSync(sourceDir, dest, { recursive: true });
      fs.writeFileSync(path.join(dest, '.complete'), '');
    }
    return rel;
  }

  /** Removes kept function code that no deployed stack uses any more. */
  pruneFunctionCode(state: DeployedState, alsoKeep: string[] = []): void {
    const used = new Set([...Object.values(state.stacks).flatMap((s) => Object.values(s.functions)), ...alsoKeep].map((p) => path.basename(p)));
    let entries: string[];
    try {
      entries = fs.readdirSync(this.functionsDir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (!used.has(e)) fs.rmSync(path.join(this.functionsDir, e), { recursive: true, force: true });
    }
  }

  /** Removes everything the local deploy keeps here (and nothing else). */
  clear(): void {
    for (const p of [this.deployedFile, this.emulatorFile, this.outdir, this.functionsDir, this.logFile]) {
      fs.rmSync(p, { recursive: true, force: true });
    }
  }

  /** Takes the folder's lock, or throws StateError naming the process that holds it. */
  lock(): () => void {
    fs.mkdirSync(this.dir, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(this.lockFile, String(process.pid), { flag: 'wx' });
        return () => fs.rmSync(this.lockFile, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateError(`cannot write ${this.lockFile}: ${(e as Error).message}`);
        const holder = Number(fs.readFileSync(this.lockFile, 'utf8').trim());
        if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
          throw new StateError(`another local deploy (pid ${holder}) is using ${this.dir}; wait for it to finish`);
        }
        fs.rmSync(this.lockFile, { force: true }); // left by a process that is gone
      }
    }
    throw new StateError(`cannot lock ${this.dir}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function checkState(state: unknown): string | undefined {
  const s = state as DeployedState;
  if (!s || typeof s !== 'object') return 'not a JSON object';
  if (s.format !== STATE_FORMAT) return `format ${JSON.stringify(s.format)}, expected ${JSON.stringify(STATE_FORMAT)}`;
  if (!s.stacks || typeof s.stacks !== 'object') return 'no "stacks" object';
  for (const [name, st] of Object.entries(s.stacks)) {
    if (!st || typeof st !== 'object') return `stack ${name} is not an object`;
    if (typeof st.stackId !== 'string' || !st.template || typeof st.template !== 'object') return `stack ${name} has no stackId or template`;
    if (!st.resources || typeof st.resources !== 'object' || !st.functions || typeof st.functions !== 'object') return `stack ${name} has no resources or functions`;
    for (const [id, r] of Object.entries(st.resources)) {
      if (!r || typeof r.physicalId !== 'string' || typeof r.type !== 'string' || !r.properties || typeof r.properties !== 'object' || !r.data || typeof r.data !== 'object') {
        return `resource ${name}/${id} lacks type, physicalId, properties or data`;
      }
    }
  }
  return undefined;
}
