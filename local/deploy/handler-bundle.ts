/**
 * The provider's handler bundle (lambda/dist/index.js) for `npm start` and the benchmark: built
 * when it is missing or older than one of the files it was made from, so that a fresh clone needs
 * nothing but `npm ci` and an edited handler is never deployed stale.
 *
 * The build (scripts/bundle.mjs) records the bundle's inputs outside the package; without that
 * record the bundle's age cannot be checked, so it is rebuilt (esbuild takes well under a second).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const HANDLER_BUNDLE = path.join(REPO_ROOT, 'lambda', 'dist', 'index.js');
const HANDLER_INPUTS = path.join(REPO_ROOT, 'node_modules', '.cache', 'whatsapp-flow-cdk', 'handler-inputs.json');
const BUNDLE_SCRIPT = path.join(REPO_ROOT, 'scripts', 'bundle.mjs');

/** Why the bundle must be (re)built, or undefined when it is current. */
export function staleReason(): string | undefined {
  const rel = (p: string) => path.relative(REPO_ROOT, p);
  if (!fs.existsSync(HANDLER_BUNDLE)) return `${rel(HANDLER_BUNDLE)} is missing`;
  let inputs: string[];
  try {
    inputs = (JSON.parse(fs.readFileSync(HANDLER_INPUTS, 'utf8')) as { inputs: string[] }).inputs;
  } catch {
    return `the list of its sources (${rel(HANDLER_INPUTS)}) is missing`;
  }
  const built = fs.statSync(HANDLER_BUNDLE).mtimeMs;
  for (const input of inputs) {
    const file = path.join(REPO_ROOT, input);
    let mtime: number;
    try {
      mtime = fs.statSync(file).mtimeMs;
    } catch {
      return `${input} is gone`;
    }
    if (mtime > built) return `${input} is newer than ${rel(HANDLER_BUNDLE)}`;
  }
  return undefined;
}

/**
 * Builds the bundle when it is stale; `note` hears why. Throws an Error with esbuild's output when
 * the build fails.
 */
export function ensureHandlerBundle(note: (line: string) => void): void {
  const why = staleReason();
  if (why === undefined) return;
  note(`building the provider's handler bundle (${why})`);
  const run = spawnSync(process.execPath, [BUNDLE_SCRIPT, 'handler'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (run.status !== 0) {
    const output = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim() || String(run.error ?? `exit ${run.status}`);
    throw new Error(`the handler bundle could not be built (node scripts/bundle.mjs handler):\n${output}`);
  }
}
