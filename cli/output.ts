/**
 * Where a report goes: the file of `--out` (relative to the working directory, its folders made
 * as needed), or standard output.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { displayPath } from '../lib/private/messages';
import type { Io } from './io';

/** Writes `text` to `out`, or to stdout without one; false, with the reason on stderr after `who`, when the file cannot be written. */
export async function writeReport(io: Io, out: string | undefined, text: string, who: string): Promise<boolean> {
  if (out === undefined) {
    io.stdout(text);
    return true;
  }
  const file = path.resolve(io.cwd, out);
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text, 'utf8');
    return true;
  } catch (e) {
    io.stderr(`${who}: cannot write --out ${displayPath(file, io.cwd)}: ${(e as Error).message}\n`);
    return false;
  }
}
