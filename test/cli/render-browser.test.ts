/**
 * The rendered pages in a real headless Chromium, checked for what a person would see: every
 * screen's title and component texts present and visible, screens side by side without
 * overlapping, PNGs that are pictures and not blank.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { FlowCategory, FlowJson, WhatsAppFlow } from '../../lib';
import { run as diff } from '../../cli/commands/diff';
import { run } from '../../cli/commands/render';
import { Chromium, Page } from '../../cli/render/chromium';
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

/** A cloud assembly with the example's sign-up flow, its Flow JSON edited by `edit`. */
function synth(dir: string, edit: (doc: any) => void = () => undefined): string {
  const doc = JSON.parse(fs.readFileSync(path.join(ROOT, 'flows', 'signup.json'), 'utf8'));
  edit(doc);
  const app = new App({ outdir: dir });
  new WhatsAppFlow(new Stack(app, 'Flows'), 'Signup', {
    wabaId: 'waba-0123456789abcdef0123456789abcdef', flowName: 'signup', categories: [FlowCategory.SIGN_UP], publish: true, flowJson: FlowJson.fromObject(doc),
  });
  app.synth();
  return dir;
}

/** Decodes a PNG in the page: its size and how many colours it has (a blank picture has one). */
function picture(page: Page, png: Buffer): Promise<{ width: number; height: number; colours: number }> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const img = new Image();
    img.onerror = () => reject(new Error('not a PNG'));
    img.onload = () => {
      const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
      const g = c.getContext('2d'); g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data; const seen = new Set();
      for (let i = 0; i < d.length && seen.size < 1000; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      resolve({ width: img.width, height: img.height, colours: seen.size });
    };
    img.src = 'data:image/png;base64,${png.toString('base64')}';
  })`);
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
      const seen = await picture(page, fs.readFileSync(path.join(out, file)));
      expect({ file, blank: seen.colours < 10 }).toEqual({ file, blank: false });
      if (file !== 'signup.map.png') {
        expect(seen.width).toBe(360);
        expect(seen.height).toBeGreaterThan(300);
      }
    }
  });

  describe('the HTML of a diff', () => {
    let oldDir: string;
    let newDir: string;
    beforeAll(() => {
      oldDir = synth(path.join(tmp, 'old'));
      newDir = synth(path.join(tmp, 'new'), (doc) => {
        const form = doc.screens[0].layout.children[0].children;
        form[1].text = 'Join in a minute.';
        form.splice(4, 0, { type: 'TextInput', name: 'phone', label: 'Phone number', 'input-type': 'phone' });
      });
    });

    test('draws a changed screen before and after side by side, the columns differing exactly where the change is', async () => {
      const file = path.join(tmp, 'diff.html');
      const code = await diff([oldDir, newDir, '--format', 'html', '--out', file], { stdout: () => undefined, stderr: () => undefined, cwd: tmp });
      expect(code).toBe(2);
      await page.goto(`file://${file}`);
      await look(page);
      const columns = await page.evaluate<Array<{ box: Seen['box']; marked: Array<{ mark: string; path: string; text: string; width: number }>; texts: Array<{ path: string; text: string }> }>>(
        `[...document.querySelector('.pair[data-screen="SIGN_UP"]').querySelectorAll('.side')].map((side) => {
          const r = side.querySelector('.phone').getBoundingClientRect();
          return {
            box: { x: r.left, y: r.top, width: r.width, height: r.height },
            marked: [...side.querySelectorAll('.mark-added, .mark-changed, .mark-removed, .mark-moved')].map((e) => ({ mark: e.className.match(/mark-(\\w+)/)[1], path: e.dataset.path,
              text: e.innerText.replace(/^(added|changed|removed|moved)\\s*/, '').replace(/\\s+/g, ' ').trim(), width: e.getBoundingClientRect().width })),
            texts: [...side.querySelectorAll('.c:not(.c-Form)')].map((e) => ({ path: e.dataset.path, text: e.innerText.replace(/\\s+/g, ' ').trim() })),
          };
        })`);
      const [before, after] = columns;
      expect(overlaps(before.box, after.box)).toBe(false);
      expect(Math.abs(before.box.y - after.box.y)).toBeLessThan(1);
      expect(after.box.x).toBeGreaterThan(before.box.x);
      expect(after.marked.map((m) => [m.mark, m.text])).toEqual([['changed', 'Join in a minute.'], ['added', 'Phone number phone']]);
      expect(before.marked.map((m) => [m.mark, m.text])).toEqual([['changed', 'Sign up in under a minute. We only ask for what we need to send you your rewards.']]);
      for (const m of [...before.marked, ...after.marked]) expect(m.width).toBeGreaterThan(300);
      // What is not marked reads the same on both sides.
      const unmarked = (c: typeof before) => c.texts.filter((t) => !c.marked.some((m) => m.path === t.path)).map((t) => t.text);
      expect(unmarked(after)).toEqual(unmarked(before));
    });

    test('embeds with --images a picture of each changed screen before and after in the Markdown', async () => {
      let stdout = '';
      const code = await diff([oldDir, newDir, '--format', 'markdown', '--images', 'pictures'], { stdout: (s) => (stdout += s), stderr: () => undefined, cwd: tmp });
      expect(code).toBe(2);
      expect(fs.readdirSync(path.join(tmp, 'pictures')).sort()).toEqual(['signup.SIGN_UP.after.png', 'signup.SIGN_UP.before.png']);
      expect(stdout).toContain('| `SIGN_UP` | <img src="pictures/signup.SIGN_UP.before.png" alt="SIGN_UP before" width="240"> | <img src="pictures/signup.SIGN_UP.after.png" alt="SIGN_UP after" width="240"> |');
      const before = await picture(page, fs.readFileSync(path.join(tmp, 'pictures', 'signup.SIGN_UP.before.png')));
      const after = await picture(page, fs.readFileSync(path.join(tmp, 'pictures', 'signup.SIGN_UP.after.png')));
      expect(before).toMatchObject({ width: 360 });
      expect(after.colours).toBeGreaterThan(10);
      // The added field makes the screen taller.
      expect(after.height).toBeGreaterThan(before.height);
    });
  });
});
