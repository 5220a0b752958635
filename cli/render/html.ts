/**
 * The few helpers every drawing module shares: escaping, and reading plain JSON values.
 * Everything the renderer writes goes through `esc` or `attr`: a Flow JSON document is untrusted
 * text, and a page must never run or fetch anything from it.
 */

/** Text for an HTML text node. */
export function esc(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Text for a double-quoted HTML attribute. */
export function attr(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A non-empty string, else undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** At most `max` characters, with an ellipsis when cut. */
export function cut(s: string, max: number): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
}

/** The image type of base64 data, from its first bytes; undefined when it is not an image we draw. */
export function imageMime(base64: string): string | undefined {
  const head = base64.replace(/^\s+/, '').slice(0, 16);
  if (head.startsWith('iVBOR')) return 'image/png';
  if (head.startsWith('/9j/')) return 'image/jpeg';
  if (head.startsWith('R0lGOD')) return 'image/gif';
  if (head.startsWith('UklGR')) return 'image/webp';
  return undefined;
}

/**
 * A `data:` URL for base64 image data, or undefined when it is not base64 image data. A `data:` URL
 * is accepted as written if it is an image; anything else (an http URL) is refused: the pages load
 * nothing from the network.
 */
export function imageUrl(src: string): string | undefined {
  const m = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/=\s]+)$/.exec(src);
  if (m) return `data:${m[1]};base64,${m[2].replace(/\s+/g, '')}`;
  const mime = imageMime(src);
  if (!mime || !/^[A-Za-z0-9+/=\s]+$/.test(src)) return undefined;
  return `data:${mime};base64,${src.replace(/\s+/g, '')}`;
}
