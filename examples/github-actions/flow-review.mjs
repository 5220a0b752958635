#!/usr/bin/env node
// Flow review for pull requests: the script the steps of flow-review.yml call. Copy it to
// .github/scripts/flow-review.mjs in the repository of your CDK app. Node.js 20 or later, nothing
// else: no package, no network but the GitHub API.
//
//   node .github/scripts/flow-review.mjs report    check out the base commit beside the head, install
//                                                  and synthesize both, draw the HTML report
//   node .github/scripts/flow-review.mjs comment   write the Markdown review as one pull-request
//                                                  comment (created once, then updated), and fail
//                                                  only when the new version has errors
//
// Environment (GitHub Actions sets the first four):
//   GITHUB_EVENT_PATH      the pull_request event: its base commit and number
//   GITHUB_REPOSITORY      owner/name
//   GITHUB_API_URL         the API to comment through (default https://api.github.com)
//   GITHUB_STEP_SUMMARY    where the job summary is written (optional)
//   GITHUB_TOKEN           a token that may write pull-request comments (comment only)
//   FLOW_REVIEW_DIR        where everything is written (default flow-review)
//   FLOW_REVIEW_INSTALL    how to install a checkout (default: npm ci --no-audit --no-fund)
//   FLOW_REVIEW_SYNTH      how to synthesize a checkout; "-o <dir>" is added (default: npx cdk synth --quiet)
//   FLOW_REVIEW_CLI        the whatsapp-flow command (default: npx --no-install whatsapp-flow)
//   FLOW_REVIEW_REPORT_URL a link to the uploaded HTML report, for the comment (optional)
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The first line of the Markdown `whatsapp-flow diff` writes: how the job finds its own comment. */
const COMMENT_MARKER = '<!-- whatsapp-flow-cdk:diff -->';

const env = process.env;
const out = resolve(env.FLOW_REVIEW_DIR || 'flow-review');
const baseAssembly = join(out, 'cdk.out.base');
const headAssembly = join(out, 'cdk.out.head');
const install = env.FLOW_REVIEW_INSTALL || 'npm ci --no-audit --no-fund';
const synth = env.FLOW_REVIEW_SYNTH || 'npx cdk synth --quiet';
const cli = env.FLOW_REVIEW_CLI || 'npx --no-install whatsapp-flow';
/** Why the report could not be made, for the comment step to say so. */
const failureFile = join(out, 'failure.txt');

class Failure extends Error {}

function event() {
  if (!env.GITHUB_EVENT_PATH) throw new Failure('GITHUB_EVENT_PATH is not set: run this in a pull_request workflow');
  const e = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
  if (!e.pull_request) throw new Failure('the event is not a pull_request event: run this on pull_request');
  return e.pull_request;
}

/** Runs a shell command in a folder, its output passed through; throws on failure. */
function sh(command, cwd, what) {
  console.log(`::group::${what}`);
  const r = spawnSync(command, { cwd, shell: true, stdio: 'inherit', env });
  console.log('::endgroup::');
  if (r.status !== 0) throw new Failure(`${what} failed (${command}: exit ${r.status ?? r.signal})`);
}

function git(args, cwd = process.cwd()) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Runs the whatsapp-flow CLI; returns its exit code and stdout. */
function whatsappFlow(args) {
  const r = spawnSync(`${cli} ${args.map(quote).join(' ')}`, { shell: true, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? 3, stdout: r.stdout ?? '' };
}

function quote(s) {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Checks out the base commit beside the head, installs and synthesizes both, draws the HTML report. */
function report() {
  const pr = event();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const base = join(out, 'base');
  try {
    git(['cat-file', '-e', `${pr.base.sha}^{commit}`]);
  } catch {
    git(['fetch', '--no-tags', '--depth=1', 'origin', pr.base.sha]);
  }
  git(['worktree', 'add', '--detach', base, pr.base.sha]);
  try {
    if (existsSync(join(base, 'cdk.json'))) {
      sh(install, base, `install the base (${pr.base.sha.slice(0, 7)})`);
      sh(`${synth} -o ${quote(baseAssembly)}`, base, 'synthesize the base');
    } else {
      console.log('The base has no cdk.json: every flow of the head is new.');
    }
  } finally {
    git(['worktree', 'remove', '--force', base]);
  }
  try {
    sh(`${synth} -o ${quote(headAssembly)}`, process.cwd(), 'synthesize the head');
  } catch (e) {
    writeFileSync(failureFile, `${e.message}: a flow with errors fails synth unless its entry sets skipValidation; see the job's log`);
    throw e;
  }
  const html = whatsappFlow(['diff', baseAssembly, headAssembly, '--allow-missing-old', '--format', 'html', '--out', join(out, 'report.html')]);
  if (html.code === 3 || !existsSync(join(out, 'report.html'))) throw new Failure(`whatsapp-flow diff --format html failed (exit ${html.code})`);
  console.log(`Wrote ${join(out, 'report.html')}`);
}

/** Writes the review as the pull request's one flow-review comment; fails on exit 1 (errors) only. */
async function comment() {
  const pr = event();
  let diff;
  if (existsSync(failureFile)) {
    // The head does not synthesize: the comment says so instead of showing an outdated review.
    const why = readFileSync(failureFile, 'utf8').trim();
    diff = { code: 1, stdout: `${COMMENT_MARKER}\n## WhatsApp Flows: what this deploy does\n\n❌ **The change could not be reviewed.** ${why}\n` };
  } else {
    const args = ['diff', baseAssembly, headAssembly, '--allow-missing-old', '--format', 'markdown'];
    if (env.FLOW_REVIEW_REPORT_URL) args.push('--report-url', env.FLOW_REVIEW_REPORT_URL);
    diff = whatsappFlow(args);
    if (diff.code === 3 || !diff.stdout.startsWith(COMMENT_MARKER)) throw new Failure(`whatsapp-flow diff failed (exit ${diff.code}); run the report step first`);
  }
  const body = diff.stdout;
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, body);

  const api = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  const repo = env.GITHUB_REPOSITORY;
  if (!repo || !env.GITHUB_TOKEN) throw new Failure('GITHUB_REPOSITORY and GITHUB_TOKEN must be set to comment');
  const request = async (method, path, payload) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: {
        'Accept': 'application/vnd.github+json',
        'Authorization': `Bearer ${env.GITHUB_TOKEN}`,
        'X-GitHub-Api-Version': '2022-11-28',
        'User-Agent': 'whatsapp-flow-review',
        ...(payload ? { 'Content-Type': 'application/json' } : {}),
      },
      body: payload ? JSON.stringify(payload) : undefined,
    });
    if (!res.ok) throw new Failure(`${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    return res.json();
  };
  try {
    let existing;
    for (let page = 1; !existing; page++) {
      const comments = await request('GET', `/repos/${repo}/issues/${pr.number}/comments?per_page=100&page=${page}`);
      existing = comments.find((c) => typeof c.body === 'string' && c.body.startsWith(COMMENT_MARKER));
      if (comments.length < 100) break;
    }
    if (existing) {
      await request('PATCH', `/repos/${repo}/issues/comments/${existing.id}`, { body });
      console.log(`Updated the flow review comment ${existing.id}`);
    } else {
      const created = await request('POST', `/repos/${repo}/issues/${pr.number}/comments`, { body });
      console.log(`Commented the flow review (${created.id})`);
    }
  } catch (e) {
    // A pull request from a fork gets a read-only token: the review is still in the job summary.
    if (!(e instanceof Failure)) throw e;
    console.log(`::warning::could not write the pull-request comment: ${e.message}`);
  }
  // As terraform plan -detailed-exitcode: 0 no change, 2 changes (both fine), 1 errors.
  if (diff.code === 1) {
    console.log(`::error::${existsSync(failureFile) ? 'the change does not synthesize' : 'the new version of a flow has errors'} (see the comment)`);
    process.exitCode = 1;
  }
}

const step = process.argv[2];
try {
  if (step === 'report') report();
  else if (step === 'comment') await comment();
  else throw new Failure(`usage: flow-review.mjs report|comment, got ${JSON.stringify(step ?? '')}`);
} catch (e) {
  if (!(e instanceof Failure)) throw e;
  console.log(`::error::${e.message}`);
  process.exitCode = 1;
}
