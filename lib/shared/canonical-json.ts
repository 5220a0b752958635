/**
 * The canonical form of a Flow JSON document and its hash: what decides whether content changed.
 * Shared by the construct (ContentSha256 at synth), the handler (the hash of the content in
 * place) and the CLI (diff, diff --live). Node built-ins only.
 */
import { createHash } from 'crypto';

/**
 * The canonical form of a JSON value: object keys sorted by code unit, no white space, numbers
 * and strings as JSON.stringify writes them. Two documents that differ only in formatting or key
 * order have the same canonical form. Iterative, so deep nesting cannot overflow the stack.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Work items: a value to write, or a literal string to emit.
  const stack: Array<{ v: unknown } | { s: string }> = [{ v: value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('s' in item) {
      out.push(item.s);
      continue;
    }
    const v = item.v;
    if (v === null || typeof v !== 'object') {
      out.push(v === undefined ? 'null' : JSON.stringify(v));
      continue;
    }
    if (Array.isArray(v)) {
      const parts: Array<{ v: unknown } | { s: string }> = [{ s: '[' }];
      v.forEach((el, i) => {
        if (i > 0) parts.push({ s: ',' });
        parts.push({ v: el });
      });
      parts.push({ s: ']' });
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
      continue;
    }
    const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    const parts: Array<{ v: unknown } | { s: string }> = [{ s: '{' }];
    keys.forEach((k, i) => {
      parts.push({ s: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` });
      parts.push({ v: (v as Record<string, unknown>)[k] });
    });
    parts.push({ s: '}' });
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
  }
  return out.join('');
}

/**
 * The canonical form of a JSON text, made from the text itself rather than from parsed values, so
 * that no difference in the uploaded text is lost: number literals are kept as written
 * (`12345678901234567890` and `12345678901234567891` differ, although JavaScript parses both to
 * one number), and members with the same key are all kept (in their order). White space, key
 * order and string escapes (`"\u0041"` is `"A"`) are formatting and do not count. For a text
 * without such numbers or repeated keys it equals {@link canonicalJson} of the parsed value.
 * The text must be valid JSON (a leading BOM is skipped). Iterative: deep nesting is fine.
 */
export function canonicalText(raw: string): string {
  const s = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  // Each open container collects the canonical text of its members.
  interface Frame { readonly array: boolean; readonly members: Array<{ key: string; text: string }>; key?: string }
  const stack: Frame[] = [];
  let result: string | undefined;
  let i = 0;
  const put = (text: string): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      result = text;
      return;
    }
    top.members.push({ key: top.key ?? '', text });
    top.key = undefined;
  };
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c /* , */ || c === 0x3a /* : */) {
      i++;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push({ array: c === 0x5b, members: [] });
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      const frame = stack.pop()!;
      i++;
      if (frame.array) {
        put(`[${frame.members.map((m) => m.text).join(',')}]`);
      } else {
        // Stable: members with the same key keep their order.
        const sorted = frame.members.map((m, n) => ({ ...m, n })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.n - b.n));
        put(`{${sorted.map((m) => `${JSON.stringify(m.key)}:${m.text}`).join(',')}}`);
      }
    } else if (c === 0x22 /* " */) {
      let j = i + 1;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q < 0) throw new Error('unterminated string in JSON text');
        let backslashes = 0;
        for (let k = q - 1; k > i && s.charCodeAt(k) === 0x5c; k--) backslashes++;
        j = q + 1;
        if (backslashes % 2 === 0) break;
      }
      const value = JSON.parse(s.slice(i, j)) as string;
      i = j;
      const top = stack[stack.length - 1];
      if (top && !top.array && top.key === undefined) top.key = value;
      else put(JSON.stringify(value));
    } else {
      // A number or a literal (true, false, null): kept exactly as written.
      let j = i;
      while (j < s.length && !' \n\r\t,:]}'.includes(s[j])) j++;
      put(s.slice(i, j));
      i = j;
    }
  }
  if (result === undefined) throw new Error('empty JSON text');
  return result;
}

/** SHA-256 (hex) of the canonical form of a JSON text ({@link canonicalText}). */
export function canonicalTextSha256(text: string): string {
  return createHash('sha256').update(canonicalText(text), 'utf8').digest('hex');
}
