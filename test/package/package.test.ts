/**
 * What `npm install whatsapp-flow-cdk` gives a user: the compiled library, the prebuilt handler
 * bundle that synth points at, and a self-contained command-line tool.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');

test('the package ships the compiled library, the handler bundle and the CLI, and no sources or tests', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);

  expect(files).toEqual(expect.arrayContaining(['dist/lib/index.js', 'dist/lib/index.d.ts', 'lambda/dist/index.js', 'dist/bin/whatsapp-flow.js', 'package.json', 'README.md']));
  expect(files.filter((f) => f.startsWith('test/') || f.startsWith('emulator/') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
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

test('the bundled CLI draws pages and compares with live flows without the repository\'s dev dependencies', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bundle-'));
  try {
    const cli = (...args: string[]) => execFileSync(process.execPath, [path.join(root, 'dist/bin/whatsapp-flow.js'), ...args], { cwd: tmp, encoding: 'utf8', env: { PATH: process.env.PATH } });
    cli('render', path.join(root, 'flows', 'signup.json'), '--out', 'pages');
    expect(fs.readFileSync(path.join(tmp, 'pages', 'signup.html'), 'utf8')).toContain('data-screen="SIGN_UP"');
    expect(cli('diff', '--live', '--help')).toMatch(/^usage: whatsapp-flow diff --live <assembly>/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('the bundled CLI stays small: no aws-cdk-lib, no browser driver', () => {
  const bundle = fs.readFileSync(path.join(root, 'dist/bin/whatsapp-flow.js'), 'utf8');
  expect(bundle.length).toBeLessThan(1024 * 1024);
  expect(bundle).not.toMatch(/require\(["'](aws-cdk-lib|constructs|playwright[^"']*|puppeteer[^"']*)["']\)/);
});
