/**
 * `whatsapp-flow render`: what the pages hold, read from the HTML. How they look in a browser is
 * checked in render-browser.test.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { FlowCategory, FlowJson, WhatsAppFlow } from '../../lib';
import { run } from '../../cli/commands/render';
import { CHROMIUM_ENV } from '../../cli/render/chromium';
import { flowPage } from '../../cli/render/page';
import { corpusFileNames, corpusFile, corpusTest, largeImageFlow, ownDocuments } from '../support/documents';
import { captured, Captured } from '../support/io';

const ROOT = path.resolve(__dirname, '../..');

async function render(args: string[], cwd = ROOT): Promise<Captured> {
  return captured(run, args, cwd);
}

/** The page of a document given as an object. */
function pageOf(doc: unknown): string {
  const drawn = flowPage(JSON.stringify(doc, undefined, 2), { title: 'test' });
  expect(drawn.problem).toBeUndefined();
  return drawn.html;
}

/** The HTML of one screen's section. */
function screenHtml(html: string, id: string): string {
  const m = new RegExp(`<section class="screen[^"]*" id="[^"]*" data-screen="${id}">`).exec(html);
  expect(m).not.toBeNull();
  const start = m!.index;
  return html.slice(start, html.indexOf('</section>', start));
}

/** Text as a person reads it: tags dropped, entities decoded, white space collapsed. */
function textOf(html: string): string {
  // Inline formatting and filled-in values run on in the text; every other element is apart.
  return html.replace(/<(?:(?:strong|em|s|code)(?=[\s>])|span class="(?:ex|ph|req)")[^>]*>([^<]*)<\/(?:strong|em|s|code|span)>/g, '$1').replace(/<[^>]*>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
}

const footer = (label: string, action: object) => ({ type: 'Footer', label, 'on-click-action': action });
const complete = { name: 'complete', payload: {} };

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whatsapp-flow-render-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a flow\'s page', () => {
  let html: string;
  beforeAll(async () => {
    const out = await render(['flows/signup.json', '--out', path.join(tmp, 'signup')]);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    html = fs.readFileSync(path.join(tmp, 'signup', 'signup.html'), 'utf8');
  });

  test('draws every screen as a phone column with its title, its components in order and the Footer pinned at the bottom', () => {
    const signup = screenHtml(html, 'SIGN_UP');
    expect(textOf(signup.slice(signup.indexOf('<h2 class="sheet-title">')))).toMatch(/^Join Northwind Rewards ⋮ Earn points on every order Sign up in under a minute\./);
    const body = signup.slice(signup.indexOf('<div class="sheet-body"'), signup.indexOf('<footer class="sheet-foot"'));
    const foot = signup.slice(signup.indexOf('<footer class="sheet-foot"'));
    expect(textOf(body)).not.toContain('Continue');
    expect(textOf(foot)).toBe('Continue');
    expect(foot).toContain('data-path="screens[0].layout.children[0].children[7]"');
  });

  test('draws inputs as fields with their labels, required marks and helper texts', () => {
    const signup = screenHtml(html, 'SIGN_UP');
    expect(signup).toMatch(/<span class="field-label">First name<span class="req" title="required">\*<\/span><\/span>/);
    expect(signup).toMatch(/<span class="field-label">Birthday \(optional\)<\/span>/);
    expect(signup).toContain('<div class="field-helper">Your receipts and points go here</div>');
    expect(textOf(signup)).toContain('Send me offers and news on WhatsApp');
  });

  test('fills dynamic values from the screen\'s __example__ data', () => {
    const confirm = screenHtml(html, 'CONFIRM');
    expect(textOf(confirm)).toContain('Almost done, Ana We will send your welcome voucher to ana@example.com.');
    expect(confirm).toContain('<span class="ex" title="example value of ${data.first_name}">Ana</span>');
  });

  test('marks the entry screen and the terminal screens, and draws the navigation map with labelled arrows', () => {
    expect(textOf(screenHtml(html, 'SIGN_UP'))).toMatch(/^SIGN_UP entry/);
    expect(textOf(screenHtml(html, 'CONFIRM'))).toMatch(/^CONFIRM terminal/);
    const map = html.slice(html.indexOf('<svg class="map"'), html.indexOf('</svg>'));
    expect(map).toMatch(/<g class="node node-screen node-entry" data-screen="SIGN_UP"><a href="#screen-SIGN_UP">/);
    expect(map).toMatch(/<g class="node node-screen node-terminal" data-screen="CONFIRM">/);
    expect(map).toContain('<path class="edge edge-navigate"');
    expect(textOf(map)).toContain('navigate “Continue”');
    expect(textOf(map)).toContain('complete “Create my account”');
    expect(textOf(map)).toContain('flow completes');
  });

  test('is self-contained: no script, and nothing loaded from anywhere but the page itself', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'">');
    expect(html).not.toMatch(/<script|<link|@import|url\((?!#)/i);
    const refs = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((r) => !r.startsWith('#') && !r.startsWith('data:image/'))).toEqual([]);
  });
});

describe('components', () => {
  test('draws option lists with every option\'s title, from the example data when they are dynamic', () => {
    const html = pageOf({
      version: '7.3',
      screens: [{
        id: 'S', title: 'Pick', terminal: true,
        data: { sizes: { type: 'array', items: { type: 'object' }, __example__: [{ id: 's', title: 'Small' }, { id: 'l', title: 'Large' }] } },
        layout: { type: 'SingleColumnLayout', children: [
          { type: 'RadioButtonsGroup', name: 'room', label: 'Room', required: true, 'data-source': [{ id: 'g', title: 'Garden', description: 'Quiet' }, { id: 's', title: 'Sea view' }] },
          { type: 'CheckboxGroup', name: 'extras', label: 'Extras', 'data-source': [{ id: 'b', title: 'Breakfast' }] },
          { type: 'Dropdown', name: 'size', label: 'Size', 'data-source': '${data.sizes}' },
          { type: 'Dropdown', name: 'colour', label: 'Colour', 'data-source': '${data.colours}' },
          footer('Done', complete),
        ] },
      }],
    });
    const s = textOf(screenHtml(html, 'S'));
    expect(s).toContain('Room* Garden Quiet Sea view Extras Breakfast Size ▾ Small Large example options of data.sizes Colour ▾ options from data.colours');
  });

  test('shows a value without example, a form value and a computed expression as placeholders naming them', () => {
    const html = pageOf({
      version: '7.3',
      screens: [{
        id: 'S', title: '${data.title}', terminal: true, data: { count: { type: 'number' }, title: { type: 'string', __example__: 'Your order' } },
        layout: { type: 'SingleColumnLayout', children: [
          { type: 'TextBody', text: '`\'You have \' ${data.count} \' items\'`' },
          { type: 'TextBody', text: '${form.email}' },
          { type: 'TextBody', text: '`${data.count} * 2`' },
          footer('Done', complete),
        ] },
      }],
    });
    const s = screenHtml(html, 'S');
    expect(textOf(s)).toContain('Your order ⋮ You have data.count items form.email ${data.count} * 2 Done');
    expect(s).toContain('<span class="ph" title="known when the flow runs">data.count</span>');
    expect(s).toContain('<span class="ph" title="known when the flow runs">form.email</span>');
  });

  test('draws If and Switch branches side by side, each labelled with its condition, the one the example data shows marked', () => {
    const html = pageOf({
      version: '7.3',
      screens: [{
        id: 'S', title: 'Branches', terminal: true, data: { vip: { type: 'boolean', __example__: true }, tier: { type: 'string', __example__: 'gold' } },
        layout: { type: 'SingleColumnLayout', children: [
          { type: 'If', condition: '${data.vip}', then: [{ type: 'TextBody', text: 'Welcome back' }], else: [{ type: 'TextBody', text: 'Hello' }] },
          { type: 'Switch', value: '${data.tier}', cases: { gold: [{ type: 'TextBody', text: 'Gold perks' }], silver: [{ type: 'TextBody', text: 'Silver perks' }] } },
          footer('Done', complete),
        ] },
      }],
    });
    const s = screenHtml(html, 'S');
    expect(textOf(s)).toContain('if ${data.vip} · shown Welcome back else Hello ${data.tier} = "gold" · shown Gold perks ${data.tier} = "silver" Silver perks');
    expect(s).toContain('data-path="screens[0].layout.children[0].then[0]"');
    expect(s).toContain('data-path="screens[0].layout.children[0].else[0]"');
    expect(s).toContain('data-path="screens[0].layout.children[1].cases.gold[0]"');
  });

  test('draws rich text and Markdown as formatted text: headings, emphasis, lists, tables', () => {
    const html = pageOf({
      version: '7.3',
      screens: [{
        id: 'S', title: 'Terms', terminal: true,
        layout: { type: 'SingleColumnLayout', children: [
          { type: 'RichText', text: ['# Our terms', 'Read **carefully**, *please*, ~~or not~~.', '', '- one', '- two', '', '| Plan | Price |', '| --- | --- |', '| Basic | 5 |'] },
          { type: 'TextBody', markdown: true, text: 'Visit [our site](https://example.com)' },
          footer('Agree', complete),
        ] },
      }],
    });
    const s = screenHtml(html, 'S');
    expect(s).toContain('<div class="md-h1">Our terms</div><p class="md-p">Read <strong>carefully</strong>, <em>please</em>, <s>or not</s>.</p><ul class="md-list"><li>one</li><li>two</li></ul>');
    expect(s).toContain('<table class="md-table"><thead><tr><th>Plan</th><th>Price</th></tr></thead><tbody><tr><td>Basic</td><td>5</td></tr></tbody></table>');
    expect(s).toContain('<span class="md-link" title="https://example.com">our site</span>');
  });

  test('draws images from their base64 data, scaled, and refuses anything that would be fetched', () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const html = pageOf({
      version: '7.3',
      screens: [{
        id: 'S', title: 'Pictures', terminal: true,
        layout: { type: 'SingleColumnLayout', children: [
          { type: 'Image', src: png, height: 120, 'scale-type': 'cover', 'alt-text': 'Our shop' },
          { type: 'Image', src: 'https://example.com/a.png', height: 50 },
          { type: 'RichText', text: '![tracker](https://example.com/t.png)' },
          footer('Done', complete),
        ] },
      }],
    });
    const s = screenHtml(html, 'S');
    expect(s).toContain(`<img class="img" alt="Our shop" src="data:image/png;base64,${png}" style="height:120px;width:100%;object-fit:cover">`);
    expect(s).toContain('an image that is not base64 data');
    expect(s).toContain('[image: tracker]');
    expect(s).not.toContain('example.com/a.png');
  });

  test('escapes every text of the document: a flow cannot put markup in the page', () => {
    const html = pageOf({
      version: '7.3',
      screens: [{ id: 'S', title: '<script>alert(1)</script>', terminal: true, layout: { type: 'SingleColumnLayout', children: [
        { type: 'TextBody', text: '<img src=x onerror=alert(1)>' }, { type: 'RichText', text: '[x](javascript:alert(1)) **<b>bold</b>**' }, footer('"><i>', complete),
      ] } }],
    });
    expect(html).not.toMatch(/<script>|<img src=x|<b>bold|"><i>/);
    expect(textOf(screenHtml(html, 'S'))).toContain('<script>alert(1)</script> ⋮ <img src=x onerror=alert(1)>');
  });

  test('draws every document of the project, and a 1.3 MB flow of images, without failing', () => {
    for (const d of [...ownDocuments(), { name: 'large', text: largeImageFlow() }]) {
      const drawn = flowPage(d.text, { title: d.name });
      expect({ name: d.name, problem: drawn.problem }).toEqual({ name: d.name, problem: undefined });
      for (const s of drawn.flow!.screens) expect(drawn.html).toContain(`data-screen="${s.id}"`);
    }
  });

  corpusTest('draws every document of the third-party corpus', () => {
    for (const name of corpusFileNames()) {
      const drawn = flowPage(fs.readFileSync(corpusFile(name), 'utf8'), { title: name });
      expect({ name, problem: drawn.problem }).toEqual({ name, problem: undefined });
    }
  });
});

describe('whatsapp-flow render', () => {
  test('renders a directory of flows by its manifest, one page per entry named after it, and an index', async () => {
    const dir = path.join(tmp, 'directory');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(ROOT, 'flows/signup.json'), path.join(dir, 'signup.json'));
    fs.copyFileSync(path.join(ROOT, 'flows/feedback-survey.json'), path.join(dir, 'survey.json'));
    fs.writeFileSync(path.join(dir, 'whatsapp-flows.json'), JSON.stringify({ flows: {
      signup: { file: 'signup.json', flowName: 'Sign up', categories: ['SIGN_UP'], publish: true },
      survey: { file: 'survey.json', flowName: 'Delivery survey', categories: ['SURVEY'] },
    } }));
    const out = await render([dir, '--out', path.join(tmp, 'directory-out')]);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(fs.readdirSync(path.join(tmp, 'directory-out')).sort()).toEqual(['delivery-survey.html', 'index.html', 'sign-up.html']);
    expect(fs.readFileSync(path.join(tmp, 'directory-out', 'index.html'), 'utf8')).toContain('<a href="sign-up.html">Sign up</a>');
  });

  test('renders the flows of a cloud assembly, naming each page after the flow and its source file', async () => {
    const app = new App({ outdir: path.join(tmp, 'cdk.out') });
    const stack = new Stack(app, 'Flows');
    new WhatsAppFlow(stack, 'Signup', {
      wabaId: 'waba-0123456789abcdef0123456789abcdef', flowName: 'northwind-signup', categories: [FlowCategory.SIGN_UP], flowJson: FlowJson.fromFile('flows/signup.json'),
    });
    const appointment = new WhatsAppFlow(stack, 'Appointment', {
      wabaId: 'waba-0123456789abcdef0123456789abcdef', flowName: 'appointment', categories: [FlowCategory.OTHER], flowJson: FlowJson.fromFile('flows/appointment-request.json'),
    });
    new WhatsAppFlow(stack, 'Partner', { wabaId: 'waba-0123456789abcdef0123456789abcdef', flowName: 'partner', categories: [FlowCategory.OTHER], cloneFrom: appointment });
    app.synth();
    const out = await render([path.join(tmp, 'cdk.out'), '--out', path.join(tmp, 'assembly-out')]);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toMatch(/^Flows\/Partner[0-9A-F]{8} "partner": no Flow JSON in the assembly \(its content is not managed, e.g\. a clone\): not drawn$/m);
    expect(fs.readdirSync(path.join(tmp, 'assembly-out')).sort()).toEqual(['appointment.html', 'index.html', 'northwind-signup.html']);
    const html = fs.readFileSync(path.join(tmp, 'assembly-out', 'northwind-signup.html'), 'utf8');
    expect(html).toMatch(/<h1>northwind-signup<\/h1><div class="page-sub">flows\/signup\.json, Flows\/Signup[0-9A-F]{8} · version 7\.3 · 2 screens<\/div>/);
    // Over 4 KiB: read from its S3 asset.
    expect(fs.readFileSync(path.join(tmp, 'assembly-out', 'appointment.html'), 'utf8')).toContain('data-screen="SUMMARY"');
  });

  test('fails with exit 1 on an input that cannot be read or drawn, naming it, and still writes the others', async () => {
    fs.writeFileSync(path.join(tmp, 'broken.json'), '{ "version": "7.3", ');
    const out = await render(['flows/signup.json', path.join(tmp, 'broken.json'), path.join(tmp, 'missing.json'), '--out', path.join(tmp, 'partial')]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`whatsapp-flow render: ${path.join(tmp, 'missing.json')}: no such file or directory\n`);
    expect(out.stderr).toMatch(/whatsapp-flow render: .*broken\.json: not valid JSON \(.*\); not drawn\n/);
    expect(fs.readdirSync(path.join(tmp, 'partial'))).toEqual(['signup.html']);
  });

  test.each<[string, string[], string]>([
    ['no input', ['--out', 'x'], 'no input given'],
    ['no --out', ['flows/signup.json'], '--out is required'],
    ['an unknown option', ['flows/signup.json', '--out', 'x', '--pdf'], 'unknown option "--pdf"'],
  ])('fails with exit 1 and the usage on %s', async (_what, args, message) => {
    const out = await render(args);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`whatsapp-flow render: ${message}`);
    expect(out.stderr).toContain('usage: whatsapp-flow render');
  });

  test('fails with exit 1 on --png when no Chromium is installed, saying so and that none is downloaded', async () => {
    const saved = process.env[CHROMIUM_ENV];
    process.env[CHROMIUM_ENV] = path.join(tmp, 'no-chromium');
    try {
      const out = await render(['flows/signup.json', '--out', path.join(tmp, 'png'), '--png']);
      expect(out).toEqual({ code: 1, stdout: '', stderr: `whatsapp-flow render: --png: ${CHROMIUM_ENV} is ${JSON.stringify(path.join(tmp, 'no-chromium'))}, which is not an executable file\n` });
    } finally {
      if (saved === undefined) delete process.env[CHROMIUM_ENV];
      else process.env[CHROMIUM_ENV] = saved;
    }
  });
});
