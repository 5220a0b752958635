// Bundles what ships prebuilt in the package, so that users need no build tools:
// - lambda/dist/index.js: the provider's handler, with the AWS SDK clients it needs (the Lambda
//   runtime's built-in SDK predates the flow commands);
// - dist/bin/whatsapp-flow.js: the command-line tool, self-contained (no aws-cdk-lib).
// Synth never runs this: it only reads lambda/dist.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  minify: true,
  mainFields: ['module', 'main'],
  legalComments: 'eof',
  logLevel: 'warning',
};

const only = process.argv[2];

if (!only || only === 'handler') {
  rmSync('lambda/dist', { recursive: true, force: true });
  await build({ ...common, entryPoints: ['lambda/index.ts'], outfile: 'lambda/dist/index.js', target: 'node22' });
}

if (!only || only === 'cli') {
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
