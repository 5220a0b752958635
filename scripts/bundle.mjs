// Bundles what ships prebuilt in the package, so that users need no build tools:
// - lambda/dist/index.js: the provider's handler, with the AWS SDK clients it needs (the Lambda
//   runtime's built-in SDK predates the flow commands);
// - dist/bin/whatsapp-flow.js: the command-line tool, self-contained (no aws-cdk-lib).
// Synth never runs this: it only reads lambda/dist.
//
// The handler's build also records the files it was made from (HANDLER_INPUTS, outside the
// package), so that `npm start` can rebuild it when one of them is newer than the bundle, and its
// esbuild metafile (HANDLER_METAFILE), from which the benchmark reports the bundle's composition.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const HANDLER_INPUTS = join(ROOT, 'node_modules', '.cache', 'whatsapp-flow-cdk', 'handler-inputs.json');
/** The handler build's esbuild metafile, which the benchmark reads for the bundle's composition. */
export const HANDLER_METAFILE = join(ROOT, 'node_modules', '.cache', 'whatsapp-flow-cdk', 'handler-metafile.json');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  minify: true,
  mainFields: ['module', 'main'],
  legalComments: 'eof',
  logLevel: 'warning',
  absWorkingDir: ROOT,
};

export async function bundleHandler() {
  rmSync(join(ROOT, 'lambda/dist'), { recursive: true, force: true });
  const result = await build({ ...common, entryPoints: ['lambda/index.ts'], outfile: 'lambda/dist/index.js', target: 'node22', metafile: true });
  mkdirSync(dirname(HANDLER_INPUTS), { recursive: true });
  writeFileSync(HANDLER_INPUTS, JSON.stringify({ inputs: Object.keys(result.metafile.inputs).sort() }));
  writeFileSync(HANDLER_METAFILE, JSON.stringify(result.metafile));
}

export async function bundleCli() {
  await build({
    ...common,
    entryPoints: ['bin/whatsapp-flow.ts'],
    outfile: 'dist/bin/whatsapp-flow.js',
    target: 'node20',
    mainFields: ['main', 'module'],
    // Some dependencies' ESM builds use import.meta.url, which a CommonJS bundle lacks.
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
    // The CLI reads synthesized templates and Flow JSON; it never needs the CDK itself.
    external: ['aws-cdk-lib', 'constructs'],
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const only = process.argv[2];
  if (!only || only === 'handler') await bundleHandler();
  if (!only || only === 'cli') await bundleCli();
}
