/** The benchmark's output: one markdown table per measurement, with notes under it. */

export interface Table {
  readonly title: string;
  readonly intro?: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
  readonly notes?: readonly string[];
}

export interface SectionResult {
  readonly id: string;
  readonly title: string;
  readonly tables: Table[];
  /** Findings: costs the product could cut, with the figures measured before. */
  readonly findings: string[];
  readonly durationMs: number;
  /** Set when the section could not run here (missing build, …): it is reported, never fatal. */
  readonly skipped?: string;
}

function cell(v: string | number): string {
  return String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderTable(t: Table): string {
  const lines: string[] = [`### ${t.title}`, ''];
  if (t.intro) lines.push(t.intro, '');
  lines.push(`| ${t.columns.map(cell).join(' | ')} |`);
  lines.push(`|${t.columns.map(() => '---').join('|')}|`);
  for (const r of t.rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
  lines.push('');
  for (const n of t.notes ?? []) lines.push(`- ${n}`);
  if (t.notes?.length) lines.push('');
  return lines.join('\n');
}

export function renderSection(s: SectionResult): string {
  const out: string[] = [`## ${s.title}`, ''];
  if (s.skipped) {
    out.push(`_Skipped: ${s.skipped}_`, '');
    return out.join('\n');
  }
  for (const t of s.tables) out.push(renderTable(t));
  if (s.findings.length) {
    out.push('**Costs found, and what became of them** (figures from this run):', '');
    for (const f of s.findings) out.push(`- ${f}`);
    out.push('');
  }
  out.push(`_Section time: ${(s.durationMs / 1000).toFixed(1)} s._`, '');
  return out.join('\n');
}
