/**
 * The result of a local deploy as a plain aligned table, or as JSON (`--json`).
 */
import type { Row, StackResult } from '../cloudformation/engine';

const COLUMNS: Array<{ title: string; value: (r: Row) => string; max: number }> = [
  { title: 'LOGICAL ID', value: (r) => r.logicalId, max: 40 },
  { title: 'ACTION', value: (r) => r.action, max: 12 },
  { title: 'FLOW ID', value: (r) => r.flowId, max: 20 },
  { title: 'STATUS', value: (r) => r.status, max: 12 },
  { title: 'VALIDATION ERRORS', value: (r) => shortErrors(r.validationErrors), max: 48 },
  { title: 'PREVIEW URL', value: (r) => r.previewUrl || '-', max: 200 },
];

/** `2: INVALID_PROPERTY_VALUE: At least one screen must…` for the provider's `; `-joined list. */
export function shortErrors(errors: string): string {
  if (!errors) return '-';
  const parts = errors.split('; ').filter(Boolean);
  const first = parts[0];
  return parts.length > 1 ? `${parts.length}: ${first}` : first;
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function table(rows: Row[]): string {
  const cells = rows.map((r) => COLUMNS.map((c) => cut(c.value(r), c.max)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(COLUMNS.map((c) => c.title)), ...cells.map(line)].join('\n');
}

/** What the run did, in words: the summary under the table. */
export function summary(result: StackResult): string {
  const count = (action: string) => result.rows.filter((r) => r.action === action).length;
  const parts = ['created', 'adopted', 'updated', 'replaced', 'deleted', 'deprecated', 'retained', 'rolled back', 'cancelled', 'failed']
    .map((a) => [a, count(a)] as const)
    .filter(([, n]) => n > 0)
    .map(([a, n]) => `${n} ${a}`);
  const unchanged = count('unchanged');
  switch (result.outcome) {
    case 'no changes':
      return `${result.stackName}: no changes, ${unchanged} flow${unchanged === 1 ? '' : 's'} already as declared; nothing was sent`;
    case 'rolled back':
      return `${result.stackName}: deploy failed and was rolled back (${parts.join(', ')}); the previous deploy stays in place`;
    case 'deleted':
      return `${result.stackName}: stack deleted (${parts.join(', ') || 'no flows'})`;
    case 'delete failed':
      return `${result.stackName}: stack deletion failed (${parts.join(', ')}); the flows that could not be deleted stay recorded`;
    default:
      return `${result.stackName}: ${result.outcome} (${[...parts, ...(unchanged ? [`${unchanged} unchanged`] : [])].join(', ') || 'no flows'})`;
  }
}
