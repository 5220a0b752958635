import { Ctx, Path, q } from './context';

/** `data_source`, `dataSource` and `DATA-SOURCE` all normalise to `datasource`. */
function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** The known key a misspelt key most likely meant (same letters, other case or separators). */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  if (key.length > 100) return undefined;
  const n = normalise(key);
  return known.find((k) => normalise(k) === n);
}

/**
 * Reports a property that the catalogue does not know (rules C8, D3). `strict` places (the document,
 * a screen, the layout) are always errors. Component properties are errors only where the catalogue
 * is confirmed; from 7.0, whose deltas the rules mark UNCONFIRMED, they are warnings.
 */
export function unknownKey(ctx: Ctx, path: Path, key: string, owner: string, value: unknown, known: readonly string[], strict = false): void {
  const suggestion = suggestKey(key, known);
  const fix = suggestion ? `did you mean ${q(suggestion)}? rename it` : `remove it; ${owner} accepts ${known.length > 0 ? known.join(', ') : 'no other property'}`;
  if (strict || !ctx.unconfirmedCatalogue) {
    ctx.error('INVALID_PROPERTY_KEY', path, `unknown property ${q(key)} on ${owner}`, fix, value);
  } else {
    ctx.warn('UNCONFIRMED_PROPERTY_KEY', path, `property ${q(key)} on ${owner} is not in the catalogue this validator knows; versions from 7.0 may have added it`, fix, value);
  }
}
