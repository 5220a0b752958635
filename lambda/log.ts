/**
 * One JSON line per decision. Never the flow content, the ResponseURL's query or the whole event.
 */
export interface Logger {
  info(fields: Record<string, unknown>): void;
  warn(fields: Record<string, unknown>): void;
  error(fields: Record<string, unknown>): void;
}

const LEVELS: Record<string, number> = { INFO: 1, WARN: 2, ERROR: 3 };

/** LOG_LEVEL (INFO, WARN, ERROR or SILENT) sets the least severe level written; INFO by default. */
export function logger(base: Record<string, unknown>): Logger {
  const threshold = (process.env.LOG_LEVEL ?? 'INFO').toUpperCase();
  const min = threshold === 'SILENT' ? 99 : (LEVELS[threshold] ?? 1);
  const write = (level: string, fields: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    // Lambda's JSON log format keeps one line per call; stdout keeps it readable locally.
    process.stdout.write(`${JSON.stringify({ level, ...base, ...fields })}\n`);
  };
  return {
    info: (f) => write('INFO', f),
    warn: (f) => write('WARN', f),
    error: (f) => write('ERROR', f),
  };
}
