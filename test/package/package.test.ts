/**
 * What `npm install whatsapp-flow-cdk` gives a user: the compiled library, the prebuilt handler
 * bundle that synth points at, and a self-contained command-line tool.
 */
import { execFileSync } from 'child_process';
import { builtinModules } from 'module';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');

/** The files `npm pack` puts in the tarball. */
let files: string[];

beforeAll(() => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  files = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
});

test('the package ships the compiled library, the handler bundle and the CLI, and no sources or tests', () => {
  expect(files).toEqual(expect.arrayContaining(['dist/lib/index.js', 'dist/lib/index.d.ts', 'lambda/dist/index.js', 'dist/bin/whatsapp-flow.js', 'package.json', 'README.md']));
  expect(files.filter((f) => f.startsWith('test/') || f.startsWith('local/') || f.startsWith('cli/') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
});

test('the package ships its license, changelog and API reference', () => {
  expect(files).toEqual(expect.arrayContaining(['LICENSE', 'CHANGELOG.md', 'API.md', '.jsii']));
  expect(fs.readFileSync(path.join(root, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);
  const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
  expect(changelog).toMatch(/^## \[Unreleased\]$/m);
  expect(changelog).toMatch(/^## \[0\.1\.0\] - \d{4}-\d{2}-\d{2}$/m);
});

test('every relative link of the shipped Markdown files resolves to a file of the tarball, and every README anchor to a heading', () => {
  const broken: string[] = [];
  for (const doc of files.filter((f) => f.endsWith('.md'))) {
    const text = fs.readFileSync(path.join(root, doc), 'utf8');
    for (const target of markdownLinks(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [file, anchor] = target.split('#');
      if (file === '') {
        if (doc === 'README.md' && !headingSlugs(text).has(anchor)) broken.push(`${doc}: #${anchor} is not a heading of ${doc}`);
        continue;
      }
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(doc), decodeURI(file)));
      if (!files.includes(resolved)) broken.push(`${doc}: ${target} is not in the package (${resolved})`);
    }
  }
  expect(broken).toEqual([]);
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package as Node resolves it, by its folder: what a user's require gets
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

/** The targets of the Markdown links of a document, code blocks and code spans left out. */
function markdownLinks(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const targets: string[] = [];
  for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]);
  for (const m of prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(m[1]);
  for (const m of prose.matchAll(/<a\s[^>]*href="([^"]+)"/g)) targets.push(m[1]);
  return targets;
}

/** GitHub's anchors for the headings of a document. */
function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const m of prose.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
    let slug = base;
    for (let i = 1; slugs.has(slug); i++) slug = `${base}-${i}`;
    slugs.add(slug);
  }
  return slugs;
}

/** Every .js file under a folder. */
function jsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []));
}

test('the construct library requires only Node, aws-cdk-lib, constructs and itself: not the CLI, the local deploy, the emulator or the handler', () => {
  const own = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  expect(own.dependencies ?? {}).toEqual({});
  const builtins = new Set(builtinModules);
  const outside: string[] = [];
  for (const file of jsFiles(path.join(root, 'dist', 'lib'))) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
      const spec = m[1];
      const ok = builtins.has(spec.replace(/^node:/, '')) || /^(aws-cdk-lib|constructs)(\/|$)/.test(spec) || (spec.startsWith('.') && path.resolve(path.dirname(file), spec).startsWith(path.join(root, 'dist', 'lib')));
      if (!ok) outside.push(`${path.relative(root, file)}: ${spec}`);
    }
  }
  expect(outside).toEqual([]);
});

test('the construct library installs no process-wide handlers and never exits the process', () => {
  const found = jsFiles(path.join(root, 'dist', 'lib')).flatMap((file) =>
    [...fs.readFileSync(file, 'utf8').matchAll(/process\.(on|once|addListener|prependListener|exit|setUncaughtExceptionCaptureCallback)\b/g)].map((m) => `${path.relative(root, file)}: process.${m[1]}`),
  );
  expect(found).toEqual([]);
});

test('the bundled CLI, local deploy and emulator included, requires neither aws-cdk-lib nor constructs', () => {
  const bundle = fs.readFileSync(path.join(root, 'dist', 'bin', 'whatsapp-flow.js'), 'utf8');
  expect(bundle.match(/require\("(aws-cdk-lib|constructs)[^"]*"\)/g)).toBeNull();
});
