/**
 * Self-contained HTML pages: one stylesheet inline, no script, no font, image or file from
 * anywhere (a Content-Security-Policy says so to the browser too), so that a page can be opened
 * from a CI artifact or an e-mail as it is.
 */
import { FindingSeverity, FlowJsonFinding, FlowJsonValidator } from '../../lib/validator';
import { FlowModel, readFlow } from './flow-model';
import { cut, esc } from './html';
import { drawMap } from './map';
import { drawScreen } from './screen';

/** What a page says about the flow it draws. */
export interface FlowPageInfo {
  /** The page's heading: the flow's name, or the file's. */
  readonly title: string;
  /** Where the flow comes from: its file, its stack and logical id. */
  readonly source?: string;
  /** Check the document as one to be published. */
  readonly publish?: boolean;
}

/** Findings listed on a page; the rest are counted. */
const MAX_FINDINGS = 30;

/** The page of one flow: its map and every screen. `text` is the Flow JSON as written. */
export function flowPage(text: string, info: FlowPageInfo): { html: string; flow?: FlowModel; problem?: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return { html: '', problem: `not valid JSON (${(e as Error).message})` };
  }
  const flow = readFlow(doc);
  if (!flow) return { html: '', problem: 'not a Flow JSON document (no "screens" array)' };
  const findings = FlowJsonValidator.validateText(text, { publish: info.publish === true });
  const sub = [info.source, flow.version !== undefined ? `version ${flow.version}` : 'no version', `${flow.screens.length} screen${flow.screens.length === 1 ? '' : 's'}`]
    .filter(Boolean).map((s) => esc(s!)).join(' · ');
  const body = `<header class="page-head"><h1>${esc(info.title)}</h1><div class="page-sub">${sub}</div></header>` +
    findingsHtml(findings) +
    `<section class="map-wrap"><h2>Navigation</h2>${drawMap(flow)}</section>` +
    `<section class="screens">${flow.screens.map((s) => drawScreen(flow, s)).join('')}</section>`;
  return { html: page(info.title, body), flow };
}

/** The validator's findings, as a short list. */
export function findingsHtml(findings: FlowJsonFinding[], file?: string): string {
  if (findings.length === 0) return '<section class="findings findings-none">The validator finds nothing to report.</section>';
  const errors = findings.filter((f) => f.severity === FindingSeverity.ERROR).length;
  const items = findings.slice(0, MAX_FINDINGS).map((f) => `<li class="finding finding-${f.severity}">${esc(FlowJsonValidator.formatFinding(f, file))}</li>`).join('');
  const more = findings.length > MAX_FINDINGS ? `<li>… ${findings.length - MAX_FINDINGS} more</li>` : '';
  const warnings = findings.length - errors;
  return `<section class="findings"><details${errors > 0 ? ' open' : ''}><summary>Validator: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}</summary><ul>${items}${more}</ul></details></section>`;
}

/** A whole page around a body. */
export function page(title: string, body: string): string {
  return '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'">' +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(cut(title, 120))}</title><style>${STYLE}</style></head>` +
    `<body>${body}<footer class="page-foot">Drawn offline by <code>whatsapp-flow</code> from the Flow JSON alone, in the manner of WhatsApp's flow sheet (an approximation: the phone decides fonts and spacing). ` +
    `<span class="ex">Highlighted</span> values come from the screens' <code>__example__</code> data; <span class="ph">ref</span> marks a value known only when the flow runs.</footer></body></html>\n`;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;padding:24px;background:#f0f2f5;color:#111b21;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0 0 12px}
.page-head{margin-bottom:16px}.page-sub{color:#54656f;font-size:13px}
.page-foot{margin-top:32px;color:#667781;font-size:12px;max-width:900px}
.findings{background:#fff;border:1px solid #d1d7db;border-radius:8px;padding:8px 12px;margin:0 0 16px;font-size:13px}
.findings ul{margin:6px 0 0;padding-left:18px}.finding-error{color:#b3261e}.finding-warning{color:#7a5b00}.findings-none{color:#54656f}
.map-wrap{background:#fff;border:1px solid #d1d7db;border-radius:8px;padding:12px;margin-bottom:24px;overflow-x:auto}
.map{display:block;font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
.map .node rect{fill:#fff;stroke:#8696a0;stroke-width:1.5}
.map .node-terminal .node-inner{fill:none;stroke:#8696a0;stroke-width:1}
.map .node-entry>a>rect:first-child,.map .node-entry>rect:first-child{stroke:#008069;stroke-width:2.5}
.map .node-id{font-weight:700;fill:#111b21}.map .node-title{fill:#54656f}.map .node-tag{fill:#54656f;font-size:10px}
.map .node-complete rect{fill:#d9fdd3;stroke:#25d366}.map .node-endpoint rect{fill:#e7f3ff;stroke:#53bdeb}
.map .node-complete text,.map .node-endpoint text{fill:#111b21}
.map .node-missing rect{fill:#fff;stroke:#b3261e;stroke-dasharray:4 3}
.map .node-added rect:first-child{fill:#e6ffec;stroke:#1a7f37}.map .node-changed rect:first-child{fill:#fff8c5;stroke:#bf8700}.map .node-removed rect:first-child{fill:#ffebe9;stroke:#cf222e}
.map .edge{fill:none;stroke:#54656f;stroke-width:1.5}.map .edge-data_exchange{stroke:#027eb5;stroke-dasharray:6 4}
.map .edge-complete{stroke:#1a7f37}.map .edge-route{stroke:#8696a0;stroke-dasharray:2 3}
.map marker path{fill:#54656f}.map .arrow-data_exchange path{fill:#027eb5}.map .arrow-complete path{fill:#1a7f37}.map .arrow-route path{fill:#8696a0}
.map .edge-label{font-size:11px;fill:#111b21;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}.map .edge-kind{fill:#54656f;font-size:10px}
.map .start text,.map .legend{fill:#54656f;font-size:11px}
.screens{display:flex;flex-wrap:wrap;gap:32px;align-items:flex-start}
.screen{width:360px;flex:0 0 360px}
.screen-meta{display:flex;gap:6px;align-items:center;margin-bottom:6px;font-size:12px;color:#54656f;min-height:20px}
.screen-id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600;color:#111b21}
.badge{border-radius:10px;padding:1px 8px;font-size:11px;background:#e9edef;color:#3b4a54}
.badge-entry{background:#d9fdd3;color:#0b6b3a}.badge-terminal{background:#e7f3ff;color:#035e85}
.badge-added{background:#1a7f37;color:#fff}.badge-removed{background:#cf222e;color:#fff}.badge-changed{background:#bf8700;color:#fff}
.phone{width:360px;min-height:640px;background:#fff;border:1px solid #d1d7db;border-radius:18px;box-shadow:0 1px 3px rgba(11,20,26,.12);display:flex;flex-direction:column;overflow:hidden}
.screen-added .phone{box-shadow:0 0 0 3px #1a7f37}.screen-removed .phone{box-shadow:0 0 0 3px #cf222e}.screen-changed .phone{box-shadow:0 0 0 3px #bf8700}
.sheet-head{display:flex;align-items:center;gap:12px;height:56px;padding:0 16px;border-bottom:1px solid #e9edef;flex:none}
.sheet-close,.sheet-menu{color:#54656f;font-size:18px;width:20px;text-align:center}
.sheet-title{flex:1;margin:0;font-size:17px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.sheet-body{flex:1;padding:16px;display:flex;flex-direction:column;gap:16px}
.sheet-foot{flex:none;padding:12px 16px 16px;border-top:1px solid #e9edef;background:#fff}
.c{position:relative;white-space:normal}

.c-Form>.form{display:flex;flex-direction:column;gap:16px}
.is-hidden{opacity:.45;outline:1px dashed #8696a0;outline-offset:3px}
.is-disabled{opacity:.5}
.c-tag{display:inline-block;font-size:10px;color:#54656f;background:#f0f2f5;border-radius:8px;padding:0 6px;margin-bottom:4px}
.mark-added,.mark-removed,.mark-changed,.mark-moved{outline-offset:3px;border-radius:4px}
.mark-added{outline:2px solid #1a7f37;background:#e6ffec}.mark-removed{outline:2px solid #cf222e;background:#ffebe9}
.mark-changed{outline:2px solid #bf8700;background:#fff8c5}.mark-moved{outline:2px dashed #0969da}
.mark-tag{position:absolute;top:-10px;right:-4px;z-index:1;font-size:10px;line-height:14px;padding:0 6px;border-radius:7px;color:#fff;background:#54656f}
.mark-added>.mark-tag{background:#1a7f37}.mark-removed>.mark-tag{background:#cf222e}.mark-changed>.mark-tag{background:#bf8700}.mark-moved>.mark-tag{background:#0969da}
.t-heading{font-size:22px;font-weight:700;line-height:1.25;white-space:pre-line}
.t-subheading{font-size:17px;font-weight:600;white-space:pre-line}
.t-body{font-size:15px;white-space:pre-line}
.t-caption{font-size:13px;color:#667781;white-space:pre-line}
.fw-bold{font-weight:700}.fw-italic{font-style:italic}.fw-bold_italic{font-weight:700;font-style:italic}.strike{text-decoration:line-through}
.t-rich,.t-body .md-p,.t-caption .md-p{white-space:normal}
.md-h1{font-size:22px;font-weight:700;margin:0 0 6px}.md-h2{font-size:17px;font-weight:600;margin:0 0 6px}
.md-p{margin:0 0 8px}.md-list{margin:0 0 8px;padding-left:22px}
.md-table{border-collapse:collapse;margin:0 0 8px;font-size:14px}.md-table th,.md-table td{border:1px solid #d1d7db;padding:4px 8px;text-align:left}
.md-img{max-width:100%}.md-link,.link,.link-inline{color:#027eb5}.md-img-missing{color:#667781}
.link{font-size:15px;font-weight:500}
.ex{background:#e7f3ff;border-radius:3px;padding:0 2px}
.ph{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;color:#3b4a54;background:#f0f2f5;border:1px dashed #8696a0;border-radius:4px;padding:0 4px}
.field-box{display:flex;align-items:center;gap:8px;min-height:52px;border:1px solid #8696a0;border-radius:8px;padding:6px 12px}
.field-area .field-box{min-height:96px;align-items:flex-start;padding-top:14px}
.field-label{flex:1;color:#54656f}.field-value{flex:1;color:#111b21}.field-icon{color:#54656f}
.req{color:#b3261e;margin-left:2px}
.field-helper{font-size:12px;color:#667781;margin:4px 12px 0}.field-error{font-size:12px;color:#b3261e;margin:4px 12px 0}
.field-meta{font-size:11px;color:#8696a0;margin:4px 12px 0}
.field-pair{display:flex;gap:8px}.field-pair .field{flex:1}
.dd-options{list-style:none;margin:6px 0 0;padding:6px 12px;border:1px solid #e9edef;border-radius:8px;background:#f7f8fa;font-size:13px}
.dd-options .opt{padding:2px 0}
.group-label{font-size:15px;font-weight:600;margin-bottom:2px}.group-desc{font-size:13px;color:#667781;margin-bottom:6px}
.opts{display:flex;flex-direction:column}
.opts>.opt{display:flex;align-items:center;gap:12px;padding:10px 0;border-bottom:1px solid #e9edef}
.opt-text{flex:1;display:flex;flex-direction:column}
.opt-title{font-size:15px}.opt-desc{font-size:13px;color:#667781}.opt-meta{font-size:12px;color:#8696a0}
.opt-img{width:40px;height:40px;object-fit:cover;border-radius:6px}
.opt-more,.opt-from{font-size:12px;color:#667781;padding-top:4px}
.radio,.check{flex:none;width:20px;height:20px;border:2px solid #8696a0}.radio{border-radius:50%}.check{border-radius:4px}
.radio.is-chosen{border:6px solid #008069}.check.is-chosen{background:#008069;border-color:#008069}
.chips{display:flex;flex-wrap:wrap;gap:8px}.chip{border:1px solid #8696a0;border-radius:16px;padding:4px 12px;font-size:14px}.chip.is-chosen{background:#d9fdd3;border-color:#008069}
.optin{display:flex;align-items:flex-start;gap:12px}.optin .check{margin-top:2px}
.picker-button{border:1px dashed #8696a0;border-radius:8px;padding:12px;text-align:center;color:#027eb5;font-weight:500}
.img{display:block;max-width:100%;border-radius:4px}
.img-missing{display:flex;align-items:center;justify-content:center;text-align:center;background:#f0f2f5;border:1px dashed #8696a0;border-radius:6px;color:#667781;font-size:12px;padding:8px}
.carousel-main{display:block;width:100%;border-radius:8px}.carousel-dots{display:flex;gap:4px;justify-content:center;margin:6px 0}
.dot{width:6px;height:6px;border-radius:50%;background:#d1d7db}.dot.is-on{background:#54656f}
.carousel-thumbs{display:flex;gap:6px;overflow:hidden}.carousel-thumb{width:64px;border-radius:4px}
.nav-item .chevron{color:#8696a0;font-size:20px}.nav-end{display:flex;flex-direction:column;align-items:flex-end}
.pills{display:flex;gap:4px;margin-top:2px}.badge-pill,.tag-pill{font-size:11px;border-radius:8px;padding:0 6px;background:#d9fdd3;color:#0b6b3a}.tag-pill{background:#f0f2f5;color:#3b4a54}
.branches{display:flex;gap:8px;align-items:stretch}.branches.switch{flex-wrap:wrap}
.branch{flex:1 1 0;min-width:0;border:1px dashed #8696a0;border-radius:8px;padding:8px;display:flex;flex-direction:column;gap:12px;background:#fbfbfc}
.branches.switch .branch{flex:1 1 140px}
.branch-label{font-size:11px;color:#54656f;font-weight:600;word-break:break-word}.branch-shown{color:#0b6b3a}.branch-empty{font-size:12px;color:#8696a0}
.branch .t-heading{font-size:18px}.branch .field-box{min-height:44px}
.unknown{font-size:12px;color:#b3261e;border:1px dashed #b3261e;border-radius:6px;padding:6px}
.captions{display:flex;justify-content:space-between;font-size:12px;color:#667781;margin-bottom:8px;gap:8px}
.cap-center{margin:0 auto}
.footer-button{background:#1daa61;color:#fff;border-radius:22px;height:44px;display:flex;align-items:center;justify-content:center;font-weight:600;font-size:15px;padding:0 16px;text-align:center}
.is-disabled .footer-button{background:#c4cbcf}
.pair{display:flex;gap:24px;align-items:flex-start;margin-bottom:32px;flex-wrap:wrap}
.side{display:flex;flex-direction:column;gap:6px}.side-label{font-size:12px;font-weight:600;color:#54656f;text-transform:uppercase;letter-spacing:.04em}
.side-empty{width:360px;min-height:120px;border:2px dashed #d1d7db;border-radius:18px;display:flex;align-items:center;justify-content:center;color:#8696a0;font-size:13px}
.flow{background:#fff;border:1px solid #d1d7db;border-radius:10px;padding:16px;margin-bottom:28px}
.flow>h2{font-size:19px}.flow .effects{margin:0 0 12px;padding-left:20px;font-size:14px}
.irreversible{color:#9a3412}.note{color:#7a5b00}
.totals{font-size:15px;margin-bottom:16px}.unchanged{color:#54656f;font-size:13px}
`.replace(/\n/g, '');
