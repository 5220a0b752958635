/**
 * File names made from flow names, shared by the commands that write files (pull, render): safe on
 * every system, stable for the same name.
 */

/** Longest file name stem (pull's manifest key is the same, and keys are at most 64 characters). */
export const MAX_STEM = 56;
/** Names Windows refuses as file names, whatever the extension. */
const RESERVED_STEMS = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/** Lower-case ASCII letters, digits and dashes; accents dropped; never a name Windows refuses. */
export function slug(name: string): string {
  let s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s.length > MAX_STEM) s = s.slice(0, MAX_STEM).replace(/-+$/, '');
  if (RESERVED_STEMS.test(s)) s = `${s}-flow`;
  return s;
}
