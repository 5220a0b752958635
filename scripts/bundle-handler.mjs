// Bundles the provider's handler into one minified file that ships in the package
// (lambda/dist/index.js). Synth never runs this: it only reads the result.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('lambda/dist', { recursive: true, force: true });
await build({
  entryPoints: ['lambda/index.ts'],
  outfile: 'lambda/dist/index.js',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  mainFields: ['module', 'main'],
  legalComments: 'eof',
  logLevel: 'warning',
});
