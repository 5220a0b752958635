/**
 * The `whatsapp-flow` dispatcher at its edges: the version, unknown commands, and how user
 * mistakes and bugs are printed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../cli/main';
import { captured, Captured } from '../support/io';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist', 'bin', 'whatsapp-flow.js');
const FIXTURES = 'test/fixtures/flows';
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

async function cli(...argv: string[]): Promise<Captured> {
  return captured(main, argv, ROOT);
}

test('prints the version of the package with --version, from the source and from the bundle', async () => {
  expect(await cli('--version')).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  const bundled = spawnSync(process.execPath, [BUNDLE, '--version'], { cwd: '/', encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect({ status: bundled.status, stdout: bundled.stdout }).toEqual({ status: 0, stdout: `${VERSION}\n` });
});

test('fails on an unknown command naming the commands there are, without a stack trace', async () => {
  const out = await cli('deploy');
  expect(out.code).toBe(1);
  expect(out.stderr).toMatch(/^whatsapp-flow: unknown command "deploy"; run one of: validate, pull, diff, render, local/);
  expect(out.stderr).not.toMatch(/\n\s+at /);
  expect(out.stderr).not.toMatch(/undefined/);
});

describe('the whatsapp-flow dispatcher', () => {
  test('lists its commands on --help and exits 0', async () => {
    const out = await cli('--help');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/commands:\n {2}validate {2}/);
  });

  test('fails with exit 1 without a command or on an unknown one', async () => {
    expect((await cli()).code).toBe(1);
    const unknown = await cli('lint');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown command "lint"');
  });

  test('passes the arguments to the subcommand and returns its exit code', async () => {
    const out = await cli('validate', `${FIXTURES}/bad-circular-navigation.json`);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('INVALID_ROUTING_MODEL');
  });

  test('loads no aws-cdk-lib, constructs or AWS SDK on the validate path', () => {
    // Run validate in a real process and list every module it loaded.
    const script = [
      "const { main } = require('./cli/main.ts');",
      `main(['validate', ${JSON.stringify(`${FIXTURES}/good-minimal.json`)}], { stdout: () => {}, stderr: () => {}, cwd: process.cwd() }).then((code) => {`,
      "  const loaded = Object.keys(require.cache).filter((f) => /node_modules\\/(aws-cdk-lib|constructs|@aws-sdk)\\//.test(f));",
      "  process.stdout.write(JSON.stringify({ code, loaded, modules: Object.keys(require.cache).length }));",
      '});',
    ].join('\n');
    const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const out = JSON.parse(result.stdout);

    expect(out.code).toBe(0);
    expect(out.modules).toBeGreaterThan(10);
    expect(out.loaded).toEqual([]);
  });

  test('runs as a real process through its shebang entry and exits with the command\'s code', () => {
    const result = spawnSync('npx', ['tsx', 'bin/whatsapp-flow.ts', 'validate', `${FIXTURES}/good-minimal.json`, `${FIXTURES}/bad-unknown-component.json`], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    expect(result.stdout.trim().split('\n').pop()).toBe('2 files checked: 2 errors, 0 warnings');
    expect(fs.readFileSync(path.join(ROOT, 'bin/whatsapp-flow.ts'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
