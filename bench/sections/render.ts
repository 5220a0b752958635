/**
 * The renderer: drawing each document as a page (in this process and through the CLI), the size of
 * the pages, `diff --format html` on the example app, and `render --png` when a Chromium is here.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildApp } from '../../bin/app';
import { findChromium } from '../../cli/render/chromium';
import { flowPage } from '../../cli/render/page';
import { CLI_BUNDLE, corpusFiles, DOCUMENTS_NAME, ROOT } from '../support/context';
import { runTimed } from '../support/proc';
import type { SectionResult, Table } from '../support/report';
import type { SectionContext } from '../support/section';
import { fmtBytes, fmtRatio, median, msSpread, now } from '../support/stats';

/** Times `fn` in rounds after a warm-up, for about `budgetMs` (at least 3 rounds); ms per round. */
function rounds(fn: () => void, budgetMs: number): number[] {
  fn();
  const out: number[] = [];
  const deadline = now() + budgetMs;
  for (let i = 0; i < 200 && (i < 3 || now() < deadline); i++) {
    const t0 = now();
    fn();
    out.push(now() - t0);
  }
  return out;
}

export async function renderSection(ctx: SectionContext): Promise<SectionResult> {
  const started = now();
  const { options, scratch } = ctx;
  const tables: Table[] = [];
  const findings: string[] = [];
  const budget = options.quick ? 300 : 2000;

  // ---- in this process
  const docs = corpusFiles().map((f) => ({ ...f, text: fs.readFileSync(f.file, 'utf8') }));
  const largest = docs[docs.length - 1];
  const rows: string[][] = [];
  for (const set of [
    { label: `${DOCUMENTS_NAME}, all ${docs.length} documents`, texts: docs.map((d) => d.text) },
    { label: `the largest ${DOCUMENTS_NAME} document (${largest.name.slice(0, 40)}…)`, texts: [largest.text] },
  ]) {
    ctx.progress(`render: ${set.label}`);
    const bytes = set.texts.reduce((a, t) => a + Buffer.byteLength(t), 0);
    const times = rounds(() => {
      for (const t of set.texts) flowPage(t, { title: 'bench' });
    }, budget);
    rows.push([set.label, fmtBytes(bytes), `${times.length}`, msSpread(times, 1), `${((bytes / 1024 / 1024) / (median(times) / 1000)).toFixed(0)} MB/s`]);
  }
  tables.push({
    title: 'Drawing pages (`flowPage`: parse, validate, draw every screen and the map)',
    intro: 'In this process after a warm-up; median (min–max) ms per pass over the documents.',
    columns: ['input', 'bytes', 'rounds', 'ms per pass', 'throughput'],
    rows,
  });

  const sizes = docs.map((d) => {
    const html = flowPage(d.text, { title: d.name }).html;
    return { name: d.name, doc: Buffer.byteLength(d.text), html: Buffer.byteLength(html), screens: (html.match(/<section class="screen[ "]/g) ?? []).length };
  });
  const byRatio = [...sizes].sort((a, b) => a.html / a.doc - b.html / b.doc);
  tables.push({
    title: 'Page size per flow',
    intro: 'The HTML of each page against its Flow JSON; the stylesheet (about 9 KB) is in every page, base64 images are drawn from the document\'s own bytes.',
    columns: ['document', 'screens', 'Flow JSON', 'HTML page', 'page ÷ JSON'],
    rows: sizes.map((s) => [s.name.length > 48 ? `${s.name.slice(0, 47)}…` : s.name, `${s.screens}`, fmtBytes(s.doc), fmtBytes(s.html), fmtRatio(s.html / s.doc)]),
    notes: [`Smallest ratio ${fmtRatio(byRatio[0].html / byRatio[0].doc)} (${byRatio[0].name.slice(0, 40)}), largest ${fmtRatio(byRatio[byRatio.length - 1].html / byRatio[byRatio.length - 1].doc)} (${byRatio[byRatio.length - 1].name.slice(0, 40)}).`],
  });

  // ---- the CLI
  if (!fs.existsSync(CLI_BUNDLE)) {
    tables.push({ title: 'CLI', columns: ['skipped'], rows: [[`${path.relative(ROOT, CLI_BUNDLE)} is missing: run \`npm run build\``]] });
  } else {
    const env = { PATH: process.env.PATH ?? '' };
    const dir = scratch.sub('render-docs');
    for (const d of docs) fs.copyFileSync(d.file, path.join(dir, d.name));
    // The example app before and after a change of two flows (a field added and one removed, an option removed and one renamed).
    const flowsNew = scratch.sub('render-flows');
    for (const f of fs.readdirSync(path.join(ROOT, 'flows'))) fs.copyFileSync(path.join(ROOT, 'flows', f), path.join(flowsNew, f));
    const signup = JSON.parse(fs.readFileSync(path.join(flowsNew, 'signup.json'), 'utf8'));
    const form = signup.screens[0].layout.children[0].children;
    form.splice(4, 0, { type: 'TextInput', name: 'phone', label: 'Phone', 'input-type': 'phone' });
    form.splice(3, 1);
    signup.screens[1].layout.children[3]['on-click-action'].payload.last_name = undefined;
    fs.writeFileSync(path.join(flowsNew, 'signup.json'), JSON.stringify(signup, undefined, 2));
    const survey = JSON.parse(fs.readFileSync(path.join(flowsNew, 'feedback-survey.json'), 'utf8'));
    const liked = survey.screens[0].layout.children[0].children[2];
    liked['data-source'] = liked['data-source'].slice(0, -1);
    liked['data-source'][0].title = 'Arrived when promised';
    fs.writeFileSync(path.join(flowsNew, 'feedback-survey.json'), JSON.stringify(survey, undefined, 2));
    const oldDir = scratch.sub('render-old');
    const newDir = scratch.sub('render-new');
    buildApp({ outdir: oldDir }).synth();
    buildApp({ outdir: newDir, context: { flowsDir: flowsNew } }).synth();

    const cli: Array<{ label: string; args: string[]; okCodes: number[]; out?: string }> = [
      { label: `render, all ${docs.length} ${DOCUMENTS_NAME} documents`, args: ['render', dir, '--out', scratch.sub('render-out')], okCodes: [0] },
      { label: `render, the largest ${DOCUMENTS_NAME} document`, args: ['render', path.join(dir, largest.name), '--out', scratch.sub('render-largest')], okCodes: [0] },
      { label: 'diff --format html, the example app (2 of 4 flows changed)', args: ['diff', oldDir, newDir, '--format', 'html', '--out', path.join(scratch.sub('render-diff'), 'report.html')], okCodes: [2], out: path.join(scratch.sub('render-diff'), 'report.html') },
      { label: 'diff --format markdown, the same', args: ['diff', oldDir, newDir, '--format', 'markdown'], okCodes: [2] },
    ];
    // Skipped by quick runs: most of its time is Chromium starting (the browser tests cover it).
    if (findChromium() && !options.quick) cli.push({ label: 'render --png, the example app\'s 3 flow files (Chromium start included)', args: ['render', path.join(ROOT, 'flows'), '--out', scratch.sub('render-png'), '--png'], okCodes: [0] });
    const cliRows: string[][] = [];
    for (const c of cli) {
      const times: number[] = [];
      const codes = new Set<number | null>();
      for (let rep = 0; rep < options.cliReps + 1; rep++) {
        ctx.progress(`render: ${c.label} ${rep + 1}/${options.cliReps + 1}`);
        const r = await runTimed(process.execPath, [CLI_BUNDLE, ...c.args], { timeoutMs: 120_000, env, cwd: ROOT });
        codes.add(r.code);
        if (rep > 0 && c.okCodes.includes(r.code ?? -1)) times.push(r.wallMs);
      }
      const size = c.out && fs.existsSync(c.out) ? fmtBytes(fs.statSync(c.out).size) : '';
      cliRows.push([c.label, msSpread(times), [...codes].join(', '), size]);
      if ([...codes].some((x) => !c.okCodes.includes(x ?? -1))) findings.push(`${c.label}: exit ${[...codes].join(', ')}, expected ${c.okCodes.join(' or ')}.`);
    }
    if (!findChromium()) cliRows.push(['render --png', 'skipped: no Chromium here', '', '']);
    else if (options.quick) cliRows.push(['render --png', 'skipped by --quick', '', '']);
    tables.push({
      title: 'CLI: `node dist/bin/whatsapp-flow.js render` and `diff --format html`',
      intro: `Wall time from spawn to exit, median (min–max) of ${options.cliReps} after a warm-up run.`,
      columns: ['command', 'wall time', 'exit codes', 'output'],
      rows: cliRows,
    });
  }
  return { id: 'render', title: 'The renderer', tables, findings, durationMs: now() - started };
}
