// Checks that the public API in lib/ compiles with jsii, the compiler behind construct libraries
// for Python, Java, .NET and Go: no string unions, function-typed props, overloads, or other
// shapes those languages cannot take. lib/ is compiled in a scratch package (jsii wants its own
// package.json fields and writes .jsii and .js files next to the sources), never in the repo.
// Usage: node scripts/jsii-check.mjs   (exit code 0 when jsii reports no error)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const own = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'whatsapp-flow-cdk-jsii-'));
try {
  fs.cpSync(path.join(root, 'lib'), path.join(scratch, 'lib'), { recursive: true });
  fs.copyFileSync(path.join(root, 'README.md'), path.join(scratch, 'README.md'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  const manifest = {
    name: own.name,
    version: own.version,
    description: own.description,
    license: own.license,
    author: { name: 'whatsapp-flow-cdk', roles: ['author'] },
    repository: { type: 'git', url: 'https://example.invalid/whatsapp-flow-cdk.git' },
    main: 'lib/index.js',
    types: 'lib/index.d.ts',
    peerDependencies: own.peerDependencies,
    devDependencies: Object.fromEntries(Object.keys(own.peerDependencies).map((name) => [name, own.devDependencies[name]])),
    jsii: { outdir: 'dist', targets: {}, tsc: { rootDir: '.', outDir: '.' } },
  };
  fs.writeFileSync(path.join(scratch, 'package.json'), `${JSON.stringify(manifest, undefined, 2)}\n`);
  const jsii = path.join(root, 'node_modules', 'jsii', 'bin', 'jsii');
  const run = spawnSync(process.execPath, [jsii, '--fail-on-warnings'], {
    cwd: scratch,
    encoding: 'utf8',
    env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0] },
  });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  if (run.status === 0) process.stdout.write('jsii: lib/ compiles (0 errors, 0 warnings)\n');
  process.exitCode = run.status ?? 1;
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
