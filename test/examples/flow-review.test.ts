/**
 * The pull-request CI recipe (examples/github-actions): the workflow passes a linter for Actions
 * workflows, and the script its steps call runs end to end as the workflow runs it, on a temporary
 * git repository of a small CDK app (the repository's node_modules and built package linked in: no
 * network), against a fake GitHub API on 127.0.0.1 that records the comment created, then updated.
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { COMMENT_MARKER } from '../../cli/diff/formats';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples', 'github-actions');
const WORKFLOWS = ['flow-review.yml', 'flow-drift.yml'];

describe('the GitHub Actions workflows', () => {
  test.each(WORKFLOWS)('%s passes @action-validator/cli, a linter of workflow files against the Actions schema', (file) => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', '@action-validator', 'cli', 'cli.mjs'), path.join(EXAMPLES, file)], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test('the linter refuses a workflow with a mistake, so that a pass means something', () => {
    const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'workflow-')), 'broken.yml');
    fs.writeFileSync(broken, fs.readFileSync(path.join(EXAMPLES, 'flow-review.yml'), 'utf8').replace('runs-on:', 'runs_on:'));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', '@action-validator', 'cli', 'cli.mjs'), broken], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Additional property \'runs_on\' is not allowed');
  });

  test('the review workflow calls the script at the path the README says to copy it to, and fails on its exit code alone', () => {
    const workflow = fs.readFileSync(path.join(EXAMPLES, 'flow-review.yml'), 'utf8');
    expect(workflow).toContain('run: node .github/scripts/flow-review.mjs report');
    expect(workflow).toContain('run: node .github/scripts/flow-review.mjs comment');
    expect(workflow).not.toMatch(/continue-on-error|\|\| true/);
    expect(workflow).toContain('if: ${{ !cancelled() && steps.report.outcome != \'skipped\' }}');
    expect(fs.readFileSync(path.join(EXAMPLES, 'flow-review.mjs'), 'utf8')).toContain(`const COMMENT_MARKER = '${COMMENT_MARKER}';`);
  });
});

/** A fake of the GitHub REST API's issue comments, recording every request. */
class FakeGitHub {
  public readonly requests: Array<{ method: string; url: string; auth?: string; body?: any }> = [];
  public readonly comments: Array<{ id: number; body: string }> = [
    { id: 1, body: 'LGTM, but let the bot have a look' },
  ];
  private readonly server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      this.requests.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== 'Bearer test-token') return send(401, { message: 'Bad credentials' });
      if (req.method === 'GET' && /^\/repos\/acme\/shop\/issues\/7\/comments\?/.test(req.url!)) return send(200, this.comments);
      if (req.method === 'POST' && req.url === '/repos/acme/shop/issues/7/comments') {
        const c = { id: 100 + this.comments.length, body: body.body };
        this.comments.push(c);
        return send(201, c);
      }
      const patch = /^\/repos\/acme\/shop\/issues\/comments\/(\d+)$/.exec(req.url!);
      const found = patch ? this.comments.find((c) => c.id === Number(patch[1])) : undefined;
      if (req.method === 'PATCH' && found) {
        found.body = body.body;
        return send(200, found);
      }
      return send(404, { message: 'Not Found' });
    });
  });

  public async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const APP = `const { App, Stack } = require('aws-cdk-lib');
const { FlowCategory, FlowJson, WhatsAppFlowDirectory } = require('whatsapp-flow-cdk');
const app = new App();
new WhatsAppFlowDirectory(new Stack(app, 'Shop'), 'Flows', { wabaId: 'waba-0123456789abcdef0123456789abcdef', directory: 'flows' });
app.synth();
`;

describe('the flow review script, as the workflow runs it', () => {
  let tmp: string;
  let repo: string;
  let linked: string;
  let github: FakeGitHub;
  let api: string;

  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const write = (file: string, content: unknown) => {
    fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    fs.writeFileSync(path.join(repo, file), typeof content === 'string' ? content : JSON.stringify(content, undefined, 2));
  };
  const signup = JSON.parse(fs.readFileSync(path.join(ROOT, 'flows', 'signup.json'), 'utf8'));

  /** Runs one step of the workflow: `node .github/scripts/flow-review.mjs <step>`, as Actions would. */
  const step = (name: string, event: object) => new Promise<{ code: number; output: string; summary: string }>((resolve) => {
    const eventFile = path.join(tmp, 'event.json');
    const summary = path.join(tmp, `summary-${Date.now()}.md`);
    fs.writeFileSync(eventFile, JSON.stringify(event));
    const child = spawn(process.execPath, ['.github/scripts/flow-review.mjs', name], {
      cwd: repo,
      env: {
        PATH: process.env.PATH,
        HOME: tmp,
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        CDK_DISABLE_VERSION_CHECK: '1',
        CDK_VALIDATION: 'false',
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_PATH: eventFile,
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_API_URL: api,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_TOKEN: 'test-token',
        // What `npm ci` would install, without the network: the repository's own node_modules.
        FLOW_REVIEW_INSTALL: `ln -s ${linked} node_modules`,
        FLOW_REVIEW_REPORT_URL: 'https://github.example/acme/shop/actions/runs/1/artifacts/2',
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code: code ?? -1, output, summary: fs.existsSync(summary) ? fs.readFileSync(summary, 'utf8') : '' }));
  });

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-review-'));
    repo = path.join(tmp, 'shop');
    // The packages an app of this library installs, linked from this repository.
    linked = path.join(tmp, 'node_modules');
    fs.mkdirSync(path.join(linked, '.bin'), { recursive: true });
    for (const name of ['aws-cdk-lib', 'constructs', 'aws-cdk']) fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(linked, name));
    fs.symlinkSync(ROOT, path.join(linked, 'whatsapp-flow-cdk'));
    fs.symlinkSync(path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), path.join(linked, '.bin', 'cdk'));
    fs.symlinkSync(path.join(ROOT, 'dist', 'bin', 'whatsapp-flow.js'), path.join(linked, '.bin', 'whatsapp-flow'));

    fs.mkdirSync(repo);
    git('init', '--quiet', '--initial-branch=main');
    git('config', 'user.email', 'dev@example.com');
    git('config', 'user.name', 'Dev');
    write('package.json', { name: 'shop', private: true, dependencies: { 'whatsapp-flow-cdk': '*', 'aws-cdk-lib': '*', 'constructs': '*' } });
    write('cdk.json', { app: 'node app.js', notices: false, context: { 'cli-telemetry': false } });
    write('app.js', APP);
    write('.gitignore', 'node_modules\ncdk.out\nflow-review\n');
    write('flows/whatsapp-flows.json', { flows: { signup: { file: 'signup.json', flowName: 'Sign up', categories: ['SIGN_UP'], publish: true } } });
    write('flows/signup.json', signup);
    fs.mkdirSync(path.join(repo, '.github', 'workflows'), { recursive: true });
    fs.mkdirSync(path.join(repo, '.github', 'scripts'), { recursive: true });
    fs.copyFileSync(path.join(EXAMPLES, 'flow-review.yml'), path.join(repo, '.github', 'workflows', 'flow-review.yml'));
    fs.copyFileSync(path.join(EXAMPLES, 'flow-review.mjs'), path.join(repo, '.github', 'scripts', 'flow-review.mjs'));
    git('add', '-A');
    git('commit', '--quiet', '-m', 'Sign-up flow');
    // The workflow's `npm ci` in the head checkout.
    fs.symlinkSync(linked, path.join(repo, 'node_modules'));

    github = new FakeGitHub();
    api = await github.start();
  });

  afterAll(async () => {
    await github?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('comments the review on the first push, updates the same comment on the next, and fails the job only on errors', async () => {
    const base = git('rev-parse', 'HEAD');
    git('checkout', '--quiet', '-b', 'feature');
    const edited = structuredClone(signup);
    edited.screens[0].layout.children[0].children.splice(4, 0, { type: 'TextInput', name: 'phone', label: 'Phone', 'input-type': 'phone' });
    write('flows/signup.json', edited);
    git('commit', '--quiet', '-am', 'Ask for a phone number');
    const event = { pull_request: { number: 7, base: { sha: base, ref: 'main' }, head: { sha: git('rev-parse', 'HEAD'), ref: 'feature' } } };

    // Push 1: changes, no errors.
    const report = await step('report', event);
    expect({ code: report.code, output: report.output }).toMatchObject({ code: 0 });
    const html = fs.readFileSync(path.join(repo, 'flow-review', 'report.html'), 'utf8');
    expect(html).toContain('<div class="c c-TextInput mark-added" data-path="screens[0].layout.children[0].children[4]">');
    expect(git('worktree', 'list')).not.toContain('flow-review/base');
    const first = await step('comment', event);
    expect({ code: first.code, output: first.output }).toMatchObject({ code: 0 });
    expect(github.requests.map((r) => `${r.method} ${r.url.replace(/\?.*$/, '')}`)).toEqual(['GET /repos/acme/shop/issues/7/comments', 'POST /repos/acme/shop/issues/7/comments']);
    const created = github.comments[1];
    expect(created.body.startsWith(`${COMMENT_MARKER}\n## WhatsApp Flows: what this deploy does\n`)).toBe(true);
    expect(created.body).toContain('TextInput name=phone: added: "Phone"');
    expect(created.body).toContain('| `Sign up` | `flows/signup.json` | **update** |');
    expect(created.body).toContain('🖼️ [The changed screens, drawn before and after](<https://github.example/acme/shop/actions/runs/1/artifacts/2>)');
    expect(first.summary).toBe(created.body);

    // Push 2: a version AWS cannot publish, for a published flow (synth lets it through with skipValidation).
    write('flows/signup.json', { ...edited, version: '3.1' });
    write('flows/whatsapp-flows.json', { flows: { signup: { file: 'signup.json', flowName: 'Sign up', categories: ['SIGN_UP'], publish: true, skipValidation: 'trying 3.1' } } });
    git('commit', '--quiet', '-am', 'Downgrade the version');
    const again = { pull_request: { ...event.pull_request, head: { sha: git('rev-parse', 'HEAD'), ref: 'feature' } } };
    expect((await step('report', again)).code).toBe(0);
    const second = await step('comment', again);
    expect(second.code).toBe(1);
    expect(second.output).toContain('::error::the new version of a flow has errors (see the comment)');
    expect(github.requests.slice(2).map((r) => `${r.method} ${r.url.replace(/\?.*$/, '')}`)).toEqual(['GET /repos/acme/shop/issues/7/comments', `PATCH /repos/acme/shop/issues/comments/${created.id}`]);
    expect(github.comments).toHaveLength(2);
    expect(github.comments[1].body).toContain('AWS_UNSUPPORTED_VERSION');

    // Push 3: a file that is not JSON fails synth; the comment says the change could not be reviewed.
    write('flows/signup.json', '{ "version": "7.3", ');
    git('commit', '--quiet', '-am', 'Break the file');
    const broken = { pull_request: { ...event.pull_request, head: { sha: git('rev-parse', 'HEAD'), ref: 'feature' } } };
    const failed = await step('report', broken);
    expect(failed.code).toBe(1);
    expect(failed.output).toContain('::error::synthesize the head failed');
    expect((await step('comment', broken)).code).toBe(1);
    expect(github.requests.slice(4).map((r) => r.method)).toEqual(['GET', 'PATCH']);
    expect(github.comments[1].body.startsWith(`${COMMENT_MARKER}\n## WhatsApp Flows: what this deploy does\n\n❌ **The change could not be reviewed.** synthesize the head failed`)).toBe(true);
    expect(github.requests.every((r) => r.auth === 'Bearer test-token')).toBe(true);
  }, 120_000);
});
