/**
 * The `whatsapp-flow` dispatcher at its edges: the version, unknown commands, and how user
 * mistakes and bugs are printed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../bin/whatsapp-flow';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist', 'bin', 'whatsapp-flow.js');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: ROOT });
  return { code, stdout, stderr };
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
