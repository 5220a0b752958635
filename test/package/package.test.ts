/**
 * What `npm install whatsapp-flow-cdk` gives a user: the compiled library, the prebuilt handler
 * bundle that synth points at, and a self-contained command-line tool.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');

test('the package ships the compiled library, the handler bundle and the CLI, and no sources or tests', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);

  expect(files).toEqual(expect.arrayContaining(['dist/lib/index.js', 'dist/lib/index.d.ts', 'lambda/dist/index.js', 'dist/bin/whatsapp-flow.js', 'package.json', 'README.md']));
  expect(files.filter((f) => f.startsWith('test/') || f.startsWith('emulator/') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
});

test('the package ships the jsii assembly of the library, with targets for Python, Java, .NET and Go', () => {
  const own = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));

  expect(own.files).toContain('.jsii');
  expect(assembly).toMatchObject({ schema: 'jsii/0.10.0', name: own.name, version: own.version, license: own.license });
  expect(Object.keys(assembly.targets).sort()).toEqual(['dotnet', 'go', 'java', 'js', 'python']);
  expect(assembly.types['whatsapp-flow-cdk.WhatsAppFlow']).toMatchObject({ kind: 'class', base: 'aws-cdk-lib.Resource' });
  // Construct Hub lists a package with the awscdk keyword and a jsii assembly.
  expect(own.keywords).toEqual(expect.arrayContaining(['awscdk', 'aws-cdk', 'cdk', 'whatsapp', 'flows']));
  // jsii requires a repository; until the project has a public home its url stays empty, never a placeholder.
  expect(own.repository.url === '' || !/example|invalid|localhost|TODO/i.test(own.repository.url)).toBe(true);
  expect(own.homepage === undefined || !/example|invalid|localhost|TODO/i.test(own.homepage)).toBe(true);
});

test('the package entry point gives the constructs', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require(root);
  for (const name of ['WhatsAppFlow', 'FlowJson', 'FlowCategory', 'FlowStatus', 'FlowValidation', 'FlowJsonValidator']) {
    expect(typeof m[name]).toBe('function');
  }
});

test('the bundled CLI runs without the repository\'s dev dependencies on the module path', () => {
  const out = execFileSync(process.execPath, [path.join(root, 'dist/bin/whatsapp-flow.js'), '--help'], { cwd: '/', encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect(out).toMatch(/usage: whatsapp-flow <command>/);
  expect(out).toMatch(/validate/);
});
