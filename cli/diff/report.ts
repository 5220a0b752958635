/**
 * Builds the report of `whatsapp-flow diff`: pairs the flows of two assemblies, plans each one,
 * compares changed content screen by screen and validates the new versions.
 */
import { FindingSeverity, FlowJsonFinding, FlowJsonValidator } from '../../lib/validator';
import { MAX_FLOW_JSON_BYTES } from '../../lib/shared/contract';
import { Action, FlowPlan, planFlow } from './plan';
import { AssemblyFlows, checkContent, ContentRef, FlowDecl, readContent } from './assembly-flows';
import { ContentDiff, diffContent } from './content';

/** Content files larger than this are not read. */
const MAX_READ_BYTES = 4 * MAX_FLOW_JSON_BYTES;
/** Content entries kept per flow. */
const MAX_ENTRIES = 200;

export interface Findings {
  /** Checked as for a flow that is to be published. */
  readonly publish: boolean;
  /**
   * Where the new content is, for the reader: its source file when the assembly records it (the
   * findings' lines are that file's), else the template (inline) or the asset file.
   */
  readonly source: string;
  readonly errors: number;
  readonly warnings: number;
  /** In the order of the text. */
  readonly list: FlowJsonFinding[];
}

export interface FlowReport {
  /** The stack's name (with its environment when two stacks share the name). */
  readonly stack: string;
  readonly logicalId: string;
  /** The Flow JSON file of the flow (the new one, else the old one), as recorded at synth. */
  readonly sourceFile?: string;
  /** The flow's name (the new one, else the old one), or the intrinsic that gives it. */
  readonly flowName: string;
  readonly action: Action;
  readonly plan: FlowPlan;
  /** Screen-by-screen summary of a content change (both versions known). */
  readonly content?: ContentDiff;
  /** A short description of new content that has no old version: its size and screens. */
  readonly contentSummary?: string;
  readonly findings?: Findings;
  /** The old and new Flow JSON texts of a content change (only when asked for, to draw them). */
  readonly texts?: { readonly old?: string; readonly new?: string };
}

export interface ReportOptions {
  /** Keep the old and new texts of changed content in the report (for the HTML page and images). */
  readonly keepTexts?: boolean;
}

export interface DiffReport {
  readonly flows: FlowReport[];
  /** Flows whose action is not `unchanged`. */
  readonly changed: number;
  /** Validator errors in the new versions. */
  readonly errors: number;
  readonly warnings: number;
}

/** Compares the flows of two assemblies; `old` undefined means none (every flow is new). */
export async function buildReport(old: AssemblyFlows | undefined, neu: AssemblyFlows, options: ReportOptions = {}): Promise<DiffReport> {
  const oldFlows = old?.flows ?? [];
  // A broken asset reference fails the command before anything is printed.
  for (const f of [...oldFlows, ...neu.flows]) if (f.content) await checkContent(f.content);

  const oldByKey = new Map(oldFlows.map((f) => [f.key, f] as const));
  const newByKey = new Map(neu.flows.map((f) => [f.key, f] as const));
  const removed = oldFlows.filter((f) => !newByKey.has(f.key));
  const created = neu.flows.filter((f) => !oldByKey.has(f.key));
  const context = { removed, created };

  // Stacks in the order of the new assembly, then those that are gone; flows in template order,
  // each removed flow after the flows of its stack.
  const stackOrder = unique([...neu.flows, ...oldFlows].map((f) => f.stackKey));
  const pairs: Array<[FlowDecl | undefined, FlowDecl | undefined]> = [];
  for (const stackKey of stackOrder) {
    for (const n of neu.flows) if (n.stackKey === stackKey) pairs.push([oldByKey.get(n.key), n]);
    for (const o of removed) if (o.stackKey === stackKey) pairs.push([o, undefined]);
  }
  const label = stackLabels([...oldFlows, ...neu.flows]);

  const flows: FlowReport[] = [];
  for (const [o, n] of pairs) {
    const plan = planFlow(o, n, context);
    const decl = (n ?? o)!;
    let content: ContentDiff | undefined;
    let contentSummary: string | undefined;
    let newText: string | undefined;
    if (n?.content && (plan.contentChanged || plan.validate)) newText = await readContent(n.content, MAX_READ_BYTES);
    let oldText: string | undefined;
    if (plan.contentChanged && newText !== undefined) {
      if (o?.content) {
        oldText = await readContent(o.content, MAX_READ_BYTES);
        content = diffContent(oldText, newText, { maxEntries: MAX_ENTRIES });
      } else {
        contentSummary = summarize(newText);
      }
    }
    const findings = plan.validate && newText !== undefined ? validate(newText, plan.publishes, n!.content!, n!) : undefined;
    flows.push({
      stack: label(decl),
      logicalId: decl.logicalId,
      ...(decl.sourceFile !== undefined ? { sourceFile: decl.sourceFile } : {}),
      flowName: decl.flowName.literal ?? decl.flowName.text,
      action: plan.action,
      plan: withFindingNotes(plan, findings),
      content,
      contentSummary,
      findings,
      ...(options.keepTexts && plan.contentChanged && newText !== undefined ? { texts: { old: oldText, new: newText } } : {}),
    });
  }
  const errors = flows.reduce((s, f) => s + (f.findings?.errors ?? 0), 0);
  const warnings = flows.reduce((s, f) => s + (f.findings?.warnings ?? 0), 0);
  return { flows, changed: flows.filter((f) => f.action !== Action.UNCHANGED).length, errors, warnings };
}

function validate(text: string, publish: boolean, ref: ContentRef, flow: FlowDecl): Findings {
  // In the order of the text, so that the report reads top to bottom (the sort is stable).
  const list = FlowJsonValidator.validateText(text, { publish })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  const errors = list.filter((f) => f.severity === FindingSeverity.ERROR).length;
  return {
    publish,
    source: flow.sourceFile ?? (ref.where === 'inline' ? `${flow.templateLabel} (${flow.logicalId}.FlowJson)` : ref.fileLabel ?? ref.file ?? ''),
    errors,
    warnings: list.length - errors,
    list,
  };
}

/** What validator errors mean for this deploy. */
function withFindingNotes(plan: FlowPlan, findings: Findings | undefined): FlowPlan {
  if (!findings || findings.errors === 0) return plan;
  const note = findings.publish
    ? 'the new version has validator errors: publishing it is expected to fail, and with it the deploy (a published flow gets its previous content back)'
    : 'the new version has validator errors: it can stay a draft, but cannot be published until they are fixed (synth fails on them unless validation is skipped)';
  return { ...plan, notes: [...plan.notes, note] };
}

/** "3 screens: WELCOME, DETAILS, DONE; 6.4 KB". */
function summarize(text: string): string {
  const bytes = formatBytes(Buffer.byteLength(text, 'utf8'));
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return `${bytes}, not valid JSON`;
  }
  const screens = doc !== null && typeof doc === 'object' && Array.isArray((doc as { screens?: unknown }).screens) ? (doc as { screens: unknown[] }).screens : [];
  const ids = screens.map((s, i) => (s !== null && typeof s === 'object' && typeof (s as { id?: unknown }).id === 'string' ? (s as { id: string }).id : `#${i}`));
  const shown = ids.length > 10 ? `${ids.slice(0, 10).join(', ')}, …` : ids.join(', ');
  return `${screens.length} screen${screens.length === 1 ? '' : 's'}${shown ? `: ${shown}` : ''}; ${bytes}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Stack names, with the environment only where two stacks share a name. */
function stackLabels(flows: FlowDecl[]): (f: FlowDecl) => string {
  const envs = new Map<string, Set<string>>();
  for (const f of flows) envs.set(f.stack, (envs.get(f.stack) ?? new Set()).add(f.environment));
  return (f) => ((envs.get(f.stack)?.size ?? 0) > 1 ? `${f.stack} (${f.environment})` : f.stack);
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
