/**
 * Text to HTML: plain text (line breaks kept) and the Markdown subset that WhatsApp Flows draw
 * (`RichText`, and `TextBody`/`TextCaption` with `markdown: true`): `#` and `##` headings,
 * `**bold**`, `*italic*`, `~~strikethrough~~`, `-`/`+` and `1.` lists, `[links](…)`, tables, and
 * images given as base64 data. Dynamic values inside the text are drawn as examples or
 * placeholders, never read as Markdown. Nothing is fetched: an image that is not base64 data is
 * drawn as its alt text.
 */
import { attr, esc, imageUrl } from './html';
import { Piece } from './values';

/** Characters of the Unicode private use area that stand for a dynamic value while Markdown is read. */
const OPEN = '\uE000';
const CLOSE = '\uE001';

/** One piece of dynamic text as HTML. */
export function pieceHtml(p: Piece): string {
  if (p.kind === 'text') return esc(p.text);
  if (p.kind === 'example') return `<span class="ex" title="example value of \${${attr(p.ref)}}">${esc(p.text)}</span>`;
  return `<span class="ph" title="known when the flow runs">${esc(p.ref)}</span>`;
}

/** Pieces as HTML text (line breaks are kept by the stylesheet). */
export function plainHtml(pieces: Piece[]): string {
  return pieces.map(pieceHtml).join('');
}

/** Pieces written in Markdown, as HTML blocks. */
export function markdownHtml(pieces: Piece[]): string {
  const values: Piece[] = [];
  const source = pieces.map((p) => (p.kind === 'text' ? p.text.replace(/[\uE000\uE001]/g, '') : `${OPEN}${values.push(p) - 1}${CLOSE}`)).join('');
  const html = blocks(source.replace(/\r\n?/g, '\n').split('\n'));
  return html.replace(new RegExp(`${OPEN}(\\d+)${CLOSE}`, 'g'), (_, i: string) => pieceHtml(values[Number(i)]));
}

function blocks(lines: string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const heading = /^\s*(#{1,2})\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      out.push(`<div class="md-h${level}">${inline(heading[2])}</div>`);
      i++;
      continue;
    }
    if (isTableRow(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(lines[i + 1])) {
      const rows: string[][] = [cells(line)];
      i += 2;
      while (i < lines.length && isTableRow(lines[i])) rows.push(cells(lines[i++]));
      const [head, ...body] = rows;
      out.push(`<table class="md-table"><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead>` +
        `<tbody>${body.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
      continue;
    }
    const list = /^\s*([-+*]|\d+\.)\s+/.exec(line);
    if (list) {
      const ordered = /\d/.test(list[1]);
      const items: string[] = [];
      while (i < lines.length) {
        const m = /^\s*([-+*]|\d+\.)\s+(.*)$/.exec(lines[i]);
        if (!m || /\d/.test(m[1]) !== ordered) break;
        items.push(`<li>${inline(m[2])}</li>`);
        i++;
      }
      out.push(ordered ? `<ol class="md-list">${items.join('')}</ol>` : `<ul class="md-list">${items.join('')}</ul>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && !/^\s*#{1,2}\s/.test(lines[i]) && !/^\s*([-+*]|\d+\.)\s+/.test(lines[i]) && !isTableRow(lines[i])) {
      para.push(inline(lines[i]));
      i++;
    }
    if (para.length === 0) {
      // A line no rule took (a table row without its separator): as text.
      para.push(inline(lines[i]));
      i++;
    }
    out.push(`<p class="md-p">${para.join('<br>')}</p>`);
  }
  return out.join('');
}

function isTableRow(line: string): boolean {
  return /^\s*\|.*\|\s*$/.test(line);
}

function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
}

/** Inline Markdown: images, links, bold, italic, strikethrough; everything else is text. */
function inline(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    const image = /^!\[([^\]]*)\]\(([^)\s]*)\)/.exec(rest);
    if (image) {
      const url = imageUrl(image[2]);
      out += url ? `<img class="md-img" alt="${attr(image[1])}" src="${attr(url)}">` : `<span class="md-img-missing">[image: ${esc(image[1] || 'no alt text')}]</span>`;
      i += image[0].length;
      continue;
    }
    const link = /^\[([^\]]+)\]\(([^)\s]*)\)/.exec(rest);
    if (link) {
      // Drawn as a link would look, with its target as a tooltip: a review page opens nothing.
      out += `<span class="md-link" title="${attr(link[2])}">${inline(link[1])}</span>`;
      i += link[0].length;
      continue;
    }
    const span = /^(\*\*|~~|\*)(?=\S)([\s\S]*?\S)\1/.exec(rest);
    if (span) {
      const tag = span[1] === '**' ? 'strong' : span[1] === '~~' ? 's' : 'em';
      out += `<${tag}>${inline(span[2])}</${tag}>`;
      i += span[0].length;
      continue;
    }
    out += esc(s[i]);
    i++;
  }
  return out;
}
