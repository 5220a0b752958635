/**
 * What a platform engineer gets from the tarball: `npm pack`, installed into a new CDK app with
 * `npm install --offline` (from the npm cache: no network), then `npx whatsapp-flow local deploy`,
 * `local status` and `local destroy` on that app. Slow (an install of aws-cdk-lib): run by
 * `npm run test:tarball` (and .ci/run), not by `npm test`. Needs `npm run build` first.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const own = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

let work: string;
let app: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tarball-'));
  app = path.join(work, 'trial-app');
  fs.mkdirSync(path.join(app, 'flows'), { recursive: true });
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function sh(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  // npm_config_* of the npm that runs jest would change what the nested npm does.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...env, CDK_DISABLE_CLI_TELEMETRY: 'true' }, timeout: 300_000 });
}

function ok(r: SpawnSyncReturns<string>): string {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('the tarball installs offline into a new CDK app, whose flows then deploy, show and destroy locally', () => {
  // GIVEN the packed package, and a new app that uses it
  const packed = JSON.parse(ok(sh('npm', ['pack', '--json', '--pack-destination', work], ROOT)))[0];
  const tarball = path.join(work, packed.filename);
  const dependencies = { 'aws-cdk-lib': own.devDependencies['aws-cdk-lib'], constructs: own.devDependencies.constructs, 'whatsapp-flow-cdk': `file:../${packed.filename}` };
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'trial-app', version: '1.0.0', private: true, dependencies }));
  fs.writeFileSync(path.join(app, 'cdk.json'), JSON.stringify({ app: 'node app.js', context: { wabaId: 'waba-22220000000000000000000000000000' } }));
  fs.copyFileSync(path.join(ROOT, 'flows', 'signup.json'), path.join(app, 'flows', 'signup.json'));
  fs.writeFileSync(
    path.join(app, 'app.js'),
    `const { App, Stack } = require('aws-cdk-lib');
const sns = require('aws-cdk-lib/aws-sns');
const { WhatsAppFlow, FlowCategory, FlowJson } = require('whatsapp-flow-cdk');
const app = new App();
const stack = new Stack(app, 'Trial');
new sns.Topic(stack, 'Orders');
new WhatsAppFlow(stack, 'Signup', {
  wabaId: app.node.tryGetContext('wabaId'),
  flowName: 'trial-signup',
  categories: [FlowCategory.SIGN_UP],
  flowJson: FlowJson.fromFile('flows/signup.json'),
  publish: true,
});
`,
  );

  // WHEN it is installed from the npm cache, with its peer dependencies
  writeLockfile(app, tarball);
  ok(sh('npm', ['ci', '--offline', '--no-audit', '--no-fund'], app));

  // THEN the package brings no dependency of its own, and its CLI runs the user's app offline
  const installed = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'whatsapp-flow-cdk', 'package.json'), 'utf8'));
  expect(installed.dependencies ?? {}).toEqual({});
  expect(ok(sh('npx', ['--no', '--', 'whatsapp-flow', '--version'], app)).trim()).toBe(own.version);

  const deploy = sh('npx', ['--no', '--', 'whatsapp-flow', 'local', 'deploy'], app);
  expect({ status: deploy.status, stderr: deploy.stderr }).toEqual({ status: 0, stderr: expect.stringMatching(/Trial: not simulated locally, skipped: Orders[0-9A-F]{8} \(AWS::SNS::Topic\)/) });
  expect(deploy.stdout).toMatch(/Signup[0-9A-F]{8}\s+created\s+\d+\s+PUBLISHED/);

  const status = ok(sh('npx', ['--no', '--', 'whatsapp-flow', 'local', 'status', '--json'], app));
  expect(JSON.parse(status).flows).toEqual([expect.objectContaining({ stack: 'Trial', flowName: 'trial-signup', status: 'PUBLISHED' })]);
  expect(fs.readFileSync(path.join(app, '.whatsapp-flow-local', '.gitignore'), 'utf8')).toMatch(/^\*$/m);

  const destroy = ok(sh('npx', ['--no', '--', 'whatsapp-flow', 'local', 'destroy'], app));
  expect(destroy).toMatch(/Trial: stack deleted \(1 deprecated\)/);
  expect(JSON.parse(ok(sh('npx', ['--no', '--', 'whatsapp-flow', 'local', 'status', '--json'], app))).flows).toEqual([]);
});

/**
 * The app's package-lock.json: the tarball, and aws-cdk-lib and constructs with everything they
 * need, exactly as the repository's lockfile pins them. `npm ci --offline` then installs from the
 * npm cache, which the repository's own `npm ci` filled (an `npm install` of a version range
 * would need the registry's package documents, which the cache does not keep).
 */
function writeLockfile(dir: string, tarball: string): void {
  const repoLock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const all: Record<string, any> = repoLock.packages;
  const packages: Record<string, any> = {};
  const add = (key: string) => {
    if (packages[key]) return;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = all[key];
    // Where the registry serves it: with the integrity, what `npm ci` finds in the cache.
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[key] = { resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`, ...entry };
    // Its bundled dependencies come inside its tarball.
    for (const k of Object.keys(all)) if (k.startsWith(`${key}/node_modules/`) && all[k].inBundle) packages[k] = all[k];
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      if (entry.bundleDependencies?.includes(dep)) continue;
      // Node's resolution: the nearest node_modules folder up from the package.
      const parts = key.split('/node_modules/');
      for (let i = parts.length; i >= 0; i--) {
        const candidate = i === 0 ? `node_modules/${dep}` : `${parts.slice(0, i).join('/node_modules/')}/node_modules/${dep}`;
        if (all[candidate]) {
          add(candidate);
          break;
        }
      }
    }
  };
  add('node_modules/aws-cdk-lib');
  add('node_modules/constructs');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const integrity = `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
  packages['node_modules/whatsapp-flow-cdk'] = {
    version: own.version,
    resolved: manifest.dependencies['whatsapp-flow-cdk'].replace(/^file:/, 'file:'),
    integrity,
    license: own.license,
    bin: own.bin,
    engines: own.engines,
    peerDependencies: own.peerDependencies,
  };
  packages[''] = { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies };
  const lock = { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages: { '': packages[''], ...packages } };
  fs.writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify(lock, undefined, 2)}\n`);
}
