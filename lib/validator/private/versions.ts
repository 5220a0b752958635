/** A Flow JSON version as [major, minor]; compared component-wise (1.10 follows 1.9). */
export type Version = readonly [number, number];

const VERSION_SYNTAX = /^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$/;

/** Parses `"<major>.<minor>"`; undefined for anything else. */
export function parseVersion(s: unknown): Version | undefined {
  if (typeof s !== 'string' || s.length > 20) return undefined;
  const m = VERSION_SYNTAX.exec(s);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

export function formatVersion(v: Version): string {
  return `${v[0]}.${v[1]}`;
}

/** Shorthand for a version literal in the catalogue. */
export function v(s: string): Version {
  const parsed = parseVersion(s);
  if (!parsed) throw new Error(`bad version literal ${s}`);
  return parsed;
}

/** Flow JSON versions Meta has published (rules §10 and the corpus). */
export const KNOWN_VERSIONS: readonly string[] = ['2.1', '3.0', '3.1', '4.0', '5.0', '5.1', '6.0', '6.1', '6.2', '6.3', '7.0', '7.1', '7.2', '7.3'];

/** The newest version whose catalogue this validator knows. */
export const LATEST_KNOWN: Version = v('7.3');

/** [AWS] Versions AWS End User Messaging Social documents as supported for publishing (rule D5). */
export const AWS_PUBLISHABLE_VERSIONS: readonly string[] = ['5.1', '6.0', '6.1', '6.2', '6.3', '7.0', '7.1', '7.2', '7.3'];

/** Versions from which the component catalogue deltas are UNCONFIRMED (rules §4, §10: 7.0, 7.2, 7.3). */
const UNCONFIRMED_FROM: Version = v('7.0');

export function isUnconfirmedCatalogue(version: Version): boolean {
  return compareVersions(version, UNCONFIRMED_FROM) >= 0;
}

export const V3_0 = v('3.0');
export const V4_0 = v('4.0');
export const V5_0 = v('5.0');
export const V5_1 = v('5.1');
export const V6_0 = v('6.0');
export const V6_1 = v('6.1');
export const V6_2 = v('6.2');
export const V6_3 = v('6.3');
export const V7_1 = v('7.1');
