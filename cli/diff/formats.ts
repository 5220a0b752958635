/**
 * The three renderings of a diff report: plain text (terminals and CI logs), Markdown (a
 * pull-request comment) and JSON (other tools).
 */
import { FindingSeverity, FlowJsonFinding, FlowJsonValidator } from '../../lib/validator';
import { Action } from './plan';
import { ContentDiff, DiffEntry } from './content';
import { DiffReport, Findings, FlowReport, formatBytes } from './report';

/**
 * The hidden first line of the Markdown: a CI job finds its own pull-request comment by it, to
 * update it on the next push instead of adding another.
 */
export const COMMENT_MARKER = '<!-- whatsapp-flow-cdk:diff -->';

/** Pictures of a changed screen, as links for Markdown. */
export interface ScreenImages {
  readonly screen: string;
  readonly before?: string;
  readonly after?: string;
}

export interface MarkdownOptions {
  /** A link to the HTML report (the screens before and after). */
  readonly reportUrl?: string;
  /** Pictures of each flow's changed screens, embedded in its section. */
  readonly images?: ReadonlyMap<FlowReport, ScreenImages[]>;
}

/** Screens shown as pictures per flow in Markdown; the rest are in the HTML report. */
const MARKDOWN_IMAGES = 6;

/** GitHub refuses comments over 65536 characters; stay well below. */
export const MARKDOWN_BUDGET = 60_000;
/** Content entries shown per flow in Markdown. */
const MARKDOWN_ENTRIES = 100;
/** Findings shown per flow. */
const MAX_FINDINGS = 50;
/** Longer content summaries are folded into a <details> block. */
const FOLD_LINES = 15;

const SIGN: Record<DiffEntry['kind'], string> = { added: '+', removed: '-', changed: '~', moved: '>', info: '*' };

// ---------------------------------------------------------------------------------------------
// Text

export function renderText(report: DiffReport): string {
  const out: string[] = [];
  const unchanged: FlowReport[] = [];
  for (const f of report.flows) {
    if (f.action === Action.UNCHANGED) {
      unchanged.push(f);
      continue;
    }
    out.push(`${f.stack}/${f.logicalId} ${JSON.stringify(f.flowName)}${f.sourceFile !== undefined ? ` (${f.sourceFile})` : ''}: ${headline(f)}`);
    for (const e of f.plan.effects) out.push(`  - ${e}`);
    for (const w of f.plan.irreversible) out.push(`  ⚠ irreversible: ${w}`);
    for (const n of f.plan.notes) out.push(`  ! ${n}`);
    if (f.content) {
      out.push(`  content: ${contentHeadline(f.content)}`);
      for (const e of f.content.entries) out.push(`    ${'    '.repeat(e.depth)}${entryLine(e)}`);
      if (f.content.omitted > 0) out.push(`    … ${f.content.omitted} more not shown`);
    } else if (f.contentSummary) {
      out.push(`  content: ${f.contentSummary}`);
    }
    if (f.findings) {
      out.push(`  validator (new version${f.findings.publish ? ', checked for publishing' : ''}): ${findingCounts(f.findings)}`);
      for (const x of f.findings.list.slice(0, MAX_FINDINGS)) out.push(`    ${FlowJsonValidator.formatFinding(x, f.sourceFile)}`);
      if (f.findings.list.length > MAX_FINDINGS) out.push(`    … ${f.findings.list.length - MAX_FINDINGS} more (run whatsapp-flow validate on ${f.findings.source})`);
    }
  }
  for (const f of unchanged) out.push(`${f.stack}/${f.logicalId} ${JSON.stringify(f.flowName)}: unchanged${f.plan.notes.length ? ` (${f.plan.notes.join('; ')})` : ''}`);
  if (report.flows.length > 0) out.push('');
  out.push(totals(report));
  return out.join('\n') + '\n';
}

function entryLine(e: DiffEntry): string {
  const where = e.path ? `${e.path} ` : '';
  return `${SIGN[e.kind]} ${where}${e.label}${e.detail ? `: ${e.detail}` : ''}`;
}

function headline(f: FlowReport): string {
  return f.plan.tags.length > 0 && f.action !== Action.CREATE ? `${f.action} (${f.plan.tags.join(', ')})` : f.action === Action.CREATE && f.plan.tags.includes('publish') ? 'create and publish' : f.action;
}

function contentHeadline(c: ContentDiff): string {
  const sizes = `${formatBytes(c.oldBytes)} → ${formatBytes(c.newBytes)}`;
  if (c.unparsed) return `${sizes}; ${c.unparsed}, so no screen-by-screen summary`;
  const k = c.counts;
  const parts = [
    count(k.screensChanged, 'screen', 'changed'),
    count(k.screensAdded, 'screen', 'added'),
    count(k.screensRemoved, 'screen', 'removed'),
    count(k.componentsChanged, 'component', 'changed'),
    count(k.componentsAdded, 'component', 'added'),
    count(k.componentsRemoved, 'component', 'removed'),
  ].filter((p): p is string => p !== undefined);
  return `${sizes}; ${parts.length > 0 ? parts.join(', ') : 'document properties changed'}`;
}

function count(n: number, what: string, how: string): string | undefined {
  return n > 0 ? `${n} ${what}${n === 1 ? '' : 's'} ${how}` : undefined;
}

function findingCounts(f: Findings): string {
  if (f.errors + f.warnings === 0) return 'no findings';
  return `${f.errors} error${f.errors === 1 ? '' : 's'}, ${f.warnings} warning${f.warnings === 1 ? '' : 's'}`;
}

/** `3 of 5 flows change; validator: 1 error, 0 warnings in the new versions`. */
export function totals(report: DiffReport): string {
  const flows = report.flows.length;
  const base = flows === 0 ? 'no flows in either assembly' : `${report.changed} of ${flows} flow${flows === 1 ? '' : 's'} change${report.changed === 1 ? 's' : ''}`;
  const checks = report.errors + report.warnings > 0 ? `; validator: ${report.errors} error${report.errors === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'} in the new versions` : '';
  return base + checks;
}

// ---------------------------------------------------------------------------------------------
// Markdown

export function renderMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const head: string[] = [COMMENT_MARKER, '## WhatsApp Flows: what this deploy does', '', `**${totals(report)}**`, ''];
  if (options.reportUrl) head.push(`🖼️ [The changed screens, drawn before and after](${linkTarget(options.reportUrl)})`, '');
  const changed = report.flows.filter((f) => f.action !== Action.UNCHANGED);
  const unchanged = report.flows.filter((f) => f.action === Action.UNCHANGED);
  if (changed.length > 0) {
    head.push('| Flow | Source | Action | Changes | Validator |', '|---|---|---|---|---|');
    for (const f of changed) {
      const v = f.findings ? (f.findings.errors > 0 ? `❌ ${findingCounts(f.findings)}` : f.findings.warnings > 0 ? `⚠️ ${findingCounts(f.findings)}` : '✅') : '';
      const source = f.sourceFile !== undefined ? code(f.sourceFile, true) : cell(`${f.stack}/${f.logicalId}`);
      const warn = f.plan.irreversible.length > 0 ? ' ⚠️' : '';
      head.push(`| ${code(f.flowName, true)} | ${source} | **${f.action}**${warn} | ${cell(f.plan.tags.join(', '))} | ${v} |`);
    }
    head.push('');
  }
  if (unchanged.length > 0) {
    head.push(
      `<details><summary>${unchanged.length} unchanged flow${unchanged.length === 1 ? '' : 's'}</summary>`,
      '',
      unchanged.map((f) => `${code(f.flowName)} (${cell(`${f.stack}/${f.logicalId}`)})`).join(', '),
      '',
      '</details>',
      '',
    );
  }

  const out = head.join('\n') + '\n';
  const sections: string[] = [];
  let used = out.length;
  let omitted = 0;
  for (const f of changed) {
    const section = markdownSection(f, options.images?.get(f));
    if (used + section.length > MARKDOWN_BUDGET) {
      omitted++;
      continue;
    }
    sections.push(section);
    used += section.length;
  }
  const tail = omitted > 0 ? `\n_${omitted} more flow section${omitted === 1 ? '' : 's'} left out to keep this comment short: run \`npx whatsapp-flow diff\` for the full report._\n` : '';
  return out + sections.join('') + tail;
}

function markdownSection(f: FlowReport, images: ScreenImages[] | undefined): string {
  const where = f.sourceFile !== undefined ? `${code(f.sourceFile)} · _${text(`${f.stack}/${f.logicalId}`)}_` : `_${text(`${f.stack}/${f.logicalId}`)}_`;
  const out: string[] = [`### ${code(f.flowName)}: ${f.action}`, '', where, ''];
  for (const e of f.plan.effects) out.push(`- ${text(e)}`);
  for (const w of f.plan.irreversible) out.push(`- ⚠️ **Irreversible:** ${text(w)}`);
  for (const n of f.plan.notes) out.push(`- ⚠️ ${text(n)}`);
  out.push('');
  if (f.content) {
    out.push(`**Content** ${text(contentHeadline(f.content))}`, '');
    const lines = f.content.entries.slice(0, MARKDOWN_ENTRIES).map((e) => `${'  '.repeat(e.depth)}${entryLine(e)}`);
    const more = f.content.omitted + Math.max(0, f.content.entries.length - MARKDOWN_ENTRIES);
    if (more > 0) lines.push(`… ${more} more not shown`);
    if (lines.length > 0) {
      const fence = fenceFor(lines);
      const block = [`${fence}diff`, ...lines, fence];
      out.push(...(lines.length > FOLD_LINES ? ['<details><summary>Screens and components</summary>', '', ...block, '', '</details>'] : block), '');
    }
  } else if (f.contentSummary) {
    out.push(`**Content** ${text(f.contentSummary)}`, '');
  }
  if (images && images.length > 0) {
    out.push('| Screen | Before | After |', '|---|---|---|');
    const picture = (url: string | undefined, alt: string) => (url ? `<img src="${attribute(url)}" alt="${attribute(alt)}" width="240">` : '—');
    for (const i of images.slice(0, MARKDOWN_IMAGES)) out.push(`| ${code(i.screen, true)} | ${picture(i.before, `${i.screen} before`)} | ${picture(i.after, `${i.screen} after`)} |`);
    if (images.length > MARKDOWN_IMAGES) out.push('', `_${images.length - MARKDOWN_IMAGES} more changed screens: see the HTML report._`);
    out.push('');
  }
  if (f.findings) {
    out.push(`**Validator** on the new version${f.findings.publish ? ' (checked for publishing)' : ''}: ${findingCounts(f.findings)}`, '');
    const items = f.findings.list.slice(0, MAX_FINDINGS).map((x) => findingItem(x, f.sourceFile));
    if (f.findings.list.length > MAX_FINDINGS) items.push(`- … ${f.findings.list.length - MAX_FINDINGS} more: run \`npx whatsapp-flow validate\` on ${code(f.findings.source)}`);
    if (items.length > 0) out.push(...(items.length > FOLD_LINES ? ['<details><summary>Findings</summary>', '', ...items, '', '</details>'] : items), '');
  }
  return out.join('\n') + '\n';
}

function findingItem(f: FlowJsonFinding, file: string | undefined): string {
  const icon = f.severity === FindingSeverity.ERROR ? '❌' : '⚠️';
  const at = f.line === undefined ? '' : file !== undefined ? ` (${code(`${file}:${f.line}:${f.column ?? 1}`)})` : ` (line ${f.line})`;
  const value = f.value !== undefined ? ` ${code(f.value)}` : '';
  return `- ${icon} **${f.code}** ${code(f.path || '(document)')}${at}: ${text(f.message)}${value} — ${text(f.fix)}`;
}

/** Text for Markdown: characters that would format are escaped, HTML is neutralized. */
function text(s: string): string {
  return s.replace(/[\\`*_{}[\]#|~]/g, (c) => `\\${c}`).replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
}

/** A URL as a Markdown link target. */
function linkTarget(url: string): string {
  return `<${url.replace(/[<>\s]/g, encodeURIComponent)}>`;
}

/** Text for a double-quoted HTML attribute in Markdown. */
function attribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text for a table cell. */
function cell(s: string): string {
  return text(s);
}

/** An inline code span that survives backticks and pipes in the value. */
function code(s: string, inTable = false): string {
  const flat = s.replace(/\r?\n/g, ' ');
  // In a table, a pipe ends the cell even inside a code span, unless escaped.
  const one = inTable ? flat.replace(/\|/g, '\\|') : flat;
  const runs = one.match(/`+/g) ?? [];
  const ticks = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = one.startsWith('`') || one.endsWith('`') || runs.length > 0 ? ' ' : '';
  return `${ticks}${pad}${one}${pad}${ticks}`;
}

function fenceFor(lines: string[]): string {
  const longest = Math.max(0, ...lines.flatMap((l) => (l.match(/`+/g) ?? []).map((r) => r.length)));
  return '`'.repeat(Math.max(3, longest + 1));
}

// ---------------------------------------------------------------------------------------------
// JSON

export function renderJson(report: DiffReport): string {
  return JSON.stringify(
    {
      changed: report.changed,
      errors: report.errors,
      warnings: report.warnings,
      flows: report.flows.map((f) => ({
        stack: f.stack,
        logicalId: f.logicalId,
        flowName: f.flowName,
        ...(f.sourceFile !== undefined ? { sourceFile: f.sourceFile } : {}),
        action: f.action,
        tags: f.plan.tags,
        effects: f.plan.effects,
        notes: f.plan.notes,
        irreversible: f.plan.irreversible,
        ...(f.content ? { content: f.content } : {}),
        ...(f.contentSummary ? { contentSummary: f.contentSummary } : {}),
        ...(f.findings ? { findings: f.findings } : {}),
      })),
    },
    undefined,
    2,
  ) + '\n';
}
