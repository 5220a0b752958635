import { FindingSeverity, FlowJsonFinding, FlowJsonValidationOptions } from './finding';
import { RawFinding, renderPath, renderValue } from './private/context';
import { validateDocument } from './private/document';
import { findSyntaxError, lineColumns, locatePaths } from './private/json-scanner';

/**
 * Checks Flow JSON documents offline against Meta's Flow JSON rules and the restrictions of AWS
 * End User Messaging Social, so that a deployment does not fail on Meta's validation.
 *
 * Every finding is reported, not only the first. A malformed document yields findings, never an
 * exception.
 *
 * @example
 * const findings = FlowJsonValidator.validateText(fs.readFileSync('flow.json', 'utf8'), { publish: true });
 * for (const f of findings) console.log(FlowJsonValidator.formatFinding(f, 'flow.json'));
 */
export class FlowJsonValidator {
  /**
   * Validates a parsed Flow JSON document.
   *
   * @param doc the document, as `JSON.parse` returns it (any value is accepted)
   * @param options what to check
   * @returns every finding, errors and warnings, in document order of the checks
   */
  public static validateObject(doc: any, options: FlowJsonValidationOptions = {}): FlowJsonFinding[] {
    const raw = validateDocument(doc, options.publish === true, serializedSize(doc));
    return raw.map((f) => toFinding(f));
  }

  /**
   * Validates Flow JSON text. A UTF-8 byte order mark is tolerated. A syntax error is reported as
   * one `INVALID_FLOW_JSON` finding with its line and column; otherwise every finding carries the
   * line and column of its path in the text.
   *
   * @param text the Flow JSON text
   * @param options what to check
   */
  public static validateText(text: string, options: FlowJsonValidationOptions = {}): FlowJsonFinding[] {
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      const problem = findSyntaxError(body) ?? { offset: body.length, message: 'not valid JSON' };
      const [{ line, column }] = lineColumns(body, [problem.offset]);
      return [{
        severity: FindingSeverity.ERROR,
        code: 'INVALID_FLOW_JSON',
        path: '',
        value: problem.token !== undefined ? renderValue(problem.token) : undefined,
        message: `not valid JSON at line ${line}, column ${column}: ${problem.message}`,
        fix: 'correct the JSON syntax at that position (a JSON linter or editor shows it)',
        line,
        column,
      }];
    }
    const raw = validateDocument(doc, options.publish === true, Buffer.byteLength(text, 'utf8'));
    if (raw.length === 0) return [];
    const segs = raw.map((f) => f.path.segs());
    const positions = lineColumns(body, locatePaths(body, segs));
    return raw.map((f, k) => toFinding(f, segs[k], positions[k]));
  }

  /**
   * Formats a finding as one line:
   * `source:line:column severity CODE path: message (value) — fix`.
   *
   * Parts that are unknown are left out: the source when none is given, the position when the
   * finding has none (`validateObject` findings).
   *
   * @param finding the finding
   * @param source the file name (or other label) to start the line with
   */
  public static formatFinding(finding: FlowJsonFinding, source?: string): string {
    const where = [source, finding.line, finding.line !== undefined ? finding.column : undefined].filter((x) => x !== undefined && x !== '').join(':');
    const value = finding.value !== undefined ? ` (${finding.value})` : '';
    return `${where ? `${where} ` : ''}${finding.severity} ${finding.code} ${finding.path || '(document)'}: ${finding.message}${value} — ${finding.fix}`;
  }

  private constructor() {}
}

function toFinding(f: RawFinding, segs = f.path.segs(), position?: { line: number; column: number }): FlowJsonFinding {
  return {
    severity: f.severity,
    code: f.code,
    path: renderPath(segs),
    ...(f.hasValue ? { value: renderValue(f.value) } : {}),
    message: f.message,
    fix: f.fix,
    ...(position ? { line: position.line, column: position.column } : {}),
  };
}

/**
 * Size in bytes of the document serialized as compact JSON, computed without recursion (a deep or
 * cyclic value cannot overflow the stack); undefined when the value is not plain JSON.
 */
function serializedSize(doc: unknown): number | undefined {
  let size = 0;
  const stack: Array<unknown | { exit: object }> = [doc];
  const onPath = new Set<object>();
  while (stack.length > 0) {
    const v = stack.pop();
    if (v instanceof Exit) {
      onPath.delete(v.exit);
      continue;
    }
    if (typeof v === 'string') size += Buffer.byteLength(v, 'utf8') + 2 + countEscapes(v);
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) size += String(v).length;
    else if (typeof v === 'object') {
      if (onPath.has(v)) return undefined; // a cycle: not JSON
      onPath.add(v);
      stack.push(new Exit(v));
      if (Array.isArray(v)) {
        size += 2 + Math.max(0, v.length - 1);
        for (const e of v) stack.push(e);
      } else {
        const keys = Object.keys(v);
        size += 2 + Math.max(0, keys.length - 1);
        for (const k of keys) {
          size += Buffer.byteLength(k, 'utf8') + 3 + countEscapes(k);
          stack.push((v as Record<string, unknown>)[k]);
        }
      }
    } else {
      return undefined;
    }
  }
  return size;
}

/** Marks the end of an object's members on the walk stack. */
class Exit {
  constructor(readonly exit: object) {}
}

/** Extra bytes JSON escaping adds to a string (quotes, backslashes, control characters); approximate for \u escapes. */
function countEscapes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  for (let i = s.indexOf('\\'); i >= 0; i = s.indexOf('\\', i + 1)) n++;
  return n;
}
