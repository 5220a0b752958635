/**
 * The rendered pages in a real headless Chromium, checked for what a person would see: every
 * screen's title and component texts present and visible, screens side by side without
 * overlapping, PNGs that are pictures and not blank.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../../bin/cli/render';
import { Chromium, Page } from '../../bin/cli/render/chromium';
import { browserDescribe, startBrowser } from '../support/browser';
import { ownDocuments } from '../support/documents';

const ROOT = path.resolve(__dirname, '../..');

/** What the page shows of each screen, measured in the browser. */
interface Seen {
  readonly id: string;
  readonly box: { x: number; y: number; width: number; height: number };
  /** The phone's text as rendered (innerText: only what is laid out). */
  readonly text: string;
  /** Texts of the screen that have no size, leave the phone, or are covered by something else. */
  readonly unseen: string[];
}

/** Measures every screen of the page in the browser, the window as large as the page. */
async function look(page: Page): Promise<Seen[]> {
  const size = await page.evaluate<{ w: number; h: number }>('({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight })');
  await page.resize(Math.max(1280, size.w), size.h);
  return page.evaluate<Seen[]>(`[...document.querySelectorAll('section.screen')].map((section) => {
    const phone = section.querySelector('.phone').getBoundingClientRect();
    const unseen = [];
    for (const e of section.querySelectorAll('.sheet-title, .t-heading, .t-subheading, .t-body, .t-caption, .field-label, .group-label, .opt-title, .footer-button, .link, .branch-label')) {
      const r = e.getBoundingClientRect();
      const what = (e.innerText || e.textContent).trim().slice(0, 40) + ' (' + e.className + ')';
      if (r.width < 1 || r.height < 1) { unseen.push('no size: ' + what); continue; }
      if (r.left < phone.left - 1 || r.right > phone.right + 1) { unseen.push('outside the phone: ' + what); continue; }
      const hit = document.elementFromPoint(r.left + Math.min(r.width / 2, 8), r.top + r.height / 2);
      if (!hit || !(e === hit || e.contains(hit) || hit.contains(e))) unseen.push('covered: ' + what + ' by ' + (hit && hit.className));
      let back = e;
      while (back && ['rgba(0, 0, 0, 0)', 'transparent'].includes(getComputedStyle(back).backgroundColor)) back = back.parentElement;
      const style = getComputedStyle(e);
      if (style.visibility !== 'visible' || Number(style.opacity) === 0 || (back && style.color === getComputedStyle(back).backgroundColor)) unseen.push('invisible: ' + what);
    }
    return { id: section.dataset.screen, box: { x: phone.left, y: phone.top, width: phone.width, height: phone.height },
      text: section.querySelector('.phone').innerText.replace(/\\s+/g, ' '), unseen };
  })`);
}

/** The static texts a person must find on each screen of a document: titles, texts, labels, options, footers. */
function expectedTexts(doc: any): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const isStatic = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '' && !v.includes('${') && !v.includes('`');
  const walk = (list: unknown[], into: string[]) => {
    for (const c of list as any[]) {
      if (!c || typeof c !== 'object') continue;
      if (c.markdown !== true && c.type !== 'RichText') for (const k of ['text', 'label', 'helper-text']) if (isStatic(c[k])) into.push(c[k]);
      if (Array.isArray(c['data-source'])) for (const o of c['data-source']) if (isStatic(o?.title)) into.push(o.title);
      for (const slot of ['children', 'then', 'else']) if (Array.isArray(c[slot])) walk(c[slot], into);
      if (c.cases && typeof c.cases === 'object') for (const v of Object.values(c.cases)) if (Array.isArray(v)) walk(v, into);
    }
  };
  for (const s of doc.screens) {
    const texts: string[] = isStatic(s.title) ? [s.title] : [];
    walk(s.layout?.children ?? [], texts);
    out.set(s.id, texts.map((t) => t.replace(/\s+/g, ' ').trim()));
  }
  return out;
}

function overlaps(a: Seen['box'], b: Seen['box']): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

browserDescribe('rendered pages in a headless Chromium', () => {
  let browser: Chromium;
  let page: Page;
  let tmp: string;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whatsapp-flow-browser-'));
    browser = await startBrowser();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('shows every screen\'s title and component texts, visible and inside its phone, and no two screens overlap', async () => {
    const documents = [
      ...['signup', 'feedback-survey', 'appointment-request'].map((n) => ({ name: `${n}.json`, text: fs.readFileSync(path.join(ROOT, 'flows', `${n}.json`), 'utf8') })),
      ...ownDocuments(),
    ];
    const inputs = documents.map((d) => {
      fs.writeFileSync(path.join(tmp, d.name), d.text);
      return path.join(tmp, d.name);
    });
    let stderr = '';
    const code = await run([...inputs, '--out', path.join(tmp, 'pages')], { stdout: () => undefined, stderr: (s) => (stderr += s), cwd: tmp });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });

    for (const d of documents) {
      await page.goto(`file://${path.join(tmp, 'pages', `${d.name.replace(/\.json$/, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.html`)}`);
      const seen = await look(page);
      const expected = expectedTexts(JSON.parse(d.text.replace(/^\uFEFF/, '')));
      expect({ doc: d.name, screens: seen.map((s) => s.id) }).toEqual({ doc: d.name, screens: [...expected.keys()] });
      for (const s of seen) {
        expect({ doc: d.name, screen: s.id, unseen: s.unseen }).toEqual({ doc: d.name, screen: s.id, unseen: [] });
        const missing = expected.get(s.id)!.filter((t) => !s.text.includes(t));
        expect({ doc: d.name, screen: s.id, missing }).toEqual({ doc: d.name, screen: s.id, missing: [] });
        expect(s.box.width).toBe(360);
      }
      for (let i = 0; i < seen.length; i++) {
        for (let j = i + 1; j < seen.length; j++) expect({ doc: d.name, pair: [seen[i].id, seen[j].id], overlap: overlaps(seen[i].box, seen[j].box) }).toMatchObject({ overlap: false });
      }
    }
  });

  test('writes with --png a picture of each screen and of the map, none of them blank', async () => {
    const out = path.join(tmp, 'png');
    let stdout = '';
    const code = await run(['flows/signup.json', '--out', out, '--png'], { stdout: (s) => (stdout += s), stderr: () => undefined, cwd: ROOT });
    expect(code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['signup.CONFIRM.png', 'signup.SIGN_UP.png', 'signup.html', 'signup.map.png']);
    expect(stdout).toContain('3 PNGs');
    for (const file of ['signup.CONFIRM.png', 'signup.SIGN_UP.png', 'signup.map.png']) {
      const png = fs.readFileSync(path.join(out, file)).toString('base64');
      // Decoded by the browser: its size, and how many colours it has (a blank picture has one).
      const picture = await page.evaluate<{ width: number; height: number; colours: number }>(`new Promise((resolve, reject) => {
        const img = new Image();
        img.onerror = () => reject(new Error('not a PNG'));
        img.onload = () => {
          const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
          const g = c.getContext('2d'); g.drawImage(img, 0, 0);
          const d = g.getImageData(0, 0, c.width, c.height).data; const seen = new Set();
          for (let i = 0; i < d.length && seen.size < 1000; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
          resolve({ width: img.width, height: img.height, colours: seen.size });
        };
        img.src = 'data:image/png;base64,${png}';
      })`);
      expect({ file, blank: picture.colours < 10 }).toEqual({ file, blank: false });
      if (file !== 'signup.map.png') {
        expect(picture.width).toBe(360);
        expect(picture.height).toBeGreaterThan(300);
      }
    }
  });
});
