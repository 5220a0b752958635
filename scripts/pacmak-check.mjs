// Generates the Python, Java, .NET and Go packages from the .jsii assembly with
// `jsii-pacmak --code-only` (sources only: no Python, JDK, .NET or Go toolchain is needed, nor
// used), in a scratch folder, and checks each target produced the bindings of the public API.
// Building those packages needs the toolchains (and their registries), which CI does not have.
//   node scripts/pacmak-check.mjs    (run after `npm run build`)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const own = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const targets = own.jsii.targets;

if (!fs.existsSync(path.join(root, '.jsii'))) {
  process.stderr.write('pacmak-check: there is no .jsii assembly; run `npm run build` first\n');
  process.exit(2);
}
const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
// One class every target must bind: the main construct.
const probe = 'WhatsAppFlow';
const expected = {
  python: ['python', 'src', ...targets.python.module.split('.'), '__init__.py'],
  java: ['java', 'src', 'main', 'java', ...targets.java.package.split('.'), `${probe}.java`],
  dotnet: ['dotnet', targets.dotnet.packageId, targets.dotnet.namespace, `${probe}.cs`],
  go: ['go', targets.go.packageName, `${probe}.go`],
};

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'whatsapp-flow-cdk-pacmak-'));
try {
  const pacmak = path.join(root, 'node_modules', 'jsii-pacmak', 'bin', 'jsii-pacmak');
  const args = [pacmak, '--code-only', '--outdir', out, ...Object.keys(expected).flatMap((t) => ['--targets', t])];
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) {
    process.stderr.write(`${run.stdout}${run.stderr}pacmak-check: jsii-pacmak failed (exit ${run.status})\n`);
    process.exit(1);
  }
  let failed = false;
  for (const [target, parts] of Object.entries(expected)) {
    const file = path.join(out, ...parts);
    if (!fs.existsSync(file)) {
      process.stderr.write(`pacmak-check: ${target}: ${path.relative(out, file)} was not generated\n`);
      failed = true;
      continue;
    }
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes(probe)) {
      process.stderr.write(`pacmak-check: ${target}: ${path.relative(out, file)} does not bind ${probe}\n`);
      failed = true;
      continue;
    }
    const count = countFiles(path.join(out, target));
    process.stdout.write(`pacmak-check: ${target}: ${count} files generated (${path.relative(out, file)} binds ${probe})\n`);
  }
  if (failed) process.exit(1);
  process.stdout.write(`pacmak-check: ${Object.keys(assembly.types).length} types of ${assembly.name}@${assembly.version} generate for ${Object.keys(expected).join(', ')}\n`);
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}

function countFiles(dir) {
  let n = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    n += entry.isDirectory() ? countFiles(path.join(dir, entry.name)) : 1;
  }
  return n;
}
