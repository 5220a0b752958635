import * as fs from 'fs';
import * as path from 'path';
import { Annotations, RemovalPolicy, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FlowCategory, FlowJson } from './flow-json';
import { FlowValidation } from './flow-validation';
import { WhatsAppFlow } from './whatsapp-flow';
import { FlowConfigError } from './private/errors';
import { displayPath, renderValue } from './private/messages';
import { checkWabaId, removalPolicyValue } from './private/prop-checks';
import {
  DEFAULT_MANIFEST_FILE, FlowManifest, ManifestEntry, ManifestWarning, checkFlowManifest, formatManifestProblems,
} from './private/flow-manifest';
import { JsonTextError } from './validator/private/json-scanner';

/** Properties of a {@link WhatsAppFlowDirectory}. */
export interface WhatsAppFlowDirectoryProps {
  /**
   * The linked WhatsApp Business Account that holds every flow of the directory: its AWS id
   * (`waba-0123456789abcdef0123456789abcdef`) or its ARN. Not Meta's numeric WABA id.
   */
  readonly wabaId: string;

  /**
   * The directory holding the manifest and the Flow JSON files, absolute or relative to the
   * directory you run cdk from.
   */
  readonly directory: string;

  /**
   * The manifest's file name, relative to `directory`.
   *
   * @default 'whatsapp-flows.json'
   */
  readonly manifestFile?: string;

  /**
   * What happens to each flow when it leaves the stack (its manifest entry is removed, the stack
   * is deleted, or it is replaced). A property of the deployment rather than of the flows, so it
   * is set here and not in the manifest (for example `RETAIN` in production only).
   *
   * - `DESTROY`: a draft is deleted; a published flow is renamed out of the way and deprecated,
   *   also a flow an entry took over with `adoptExisting`.
   * - `RETAIN`: the flow is left untouched.
   * - `RETAIN_ON_UPDATE_OR_DELETE`: like `RETAIN`, except that a flow whose creation failed is cleaned up.
   *
   * @default - as {@link WhatsAppFlowProps.removalPolicy}: `DESTROY`, except that a flow an entry
   * took over with `adoptExisting` is left in place
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The WhatsApp Flows of a directory: one {@link WhatsAppFlow} per entry of the directory's
 * manifest (`whatsapp-flows.json`), whose content is the entry's Flow JSON file.
 *
 * ```json
 * {
 *   "flows": {
 *     "signup": { "file": "signup.json", "flowName": "Sign up", "categories": ["SIGN_UP"], "publish": true }
 *   }
 * }
 * ```
 *
 * Adding a file and an entry adds a flow; removing an entry removes the flow (a draft is deleted,
 * a published flow deprecated), unless the entry took an existing flow over with `adoptExisting`:
 * such a flow is left in place, as CloudFormation's resource import leaves an imported resource
 * (remove `adoptExisting` once deployed, or set `removalPolicy` to `DESTROY`, to change that). The entry's key is the flow's identity: the construct id of its
 * `WhatsAppFlow` is the key, so its logical id derives from `<this construct's path>/<key>`.
 * Renaming the file or the flow keeps the flow; changing the key replaces it (unless the entry
 * sets `adoptExisting`), so treat keys as permanent.
 *
 * An entry's fields: `flowName` (required, unique), `categories` (required, 1-9 of the service's
 * category names), `file` (the Flow JSON file, relative to the directory, `/` between folders;
 * omitted: the flow's content is not managed), `publish`, `preview`, `adoptExisting` (booleans,
 * default false), `skipValidation` (a reason: the content is not checked at synth) and `comment`
 * (free text). At the top level, `ignore` lists files (or folders, ending with `/`) that are
 * not flows, and `comment` is free text.
 *
 * The manifest is checked when the construct is created: every problem is reported at once,
 * with the manifest's file, line and column, the entry's JSON path and the fix. Every `.json`
 * file of the directory (subdirectories included, hidden ones and `node_modules` excepted) must
 * be used by an entry or listed under `ignore`: a file without an entry would deploy nothing
 * while looking deployed, and an entry removed with its file left behind would deprecate a
 * flow while its content stays in the repository.
 *
 * @example
 * new WhatsAppFlowDirectory(this, 'Flows', {
 *   wabaId: 'waba-0123456789abcdef0123456789abcdef',
 *   directory: 'flows',
 * });
 */
export class WhatsAppFlowDirectory extends Construct {
  /** The manifest's file name when `manifestFile` is not given. */
  public static readonly DEFAULT_MANIFEST_FILE = DEFAULT_MANIFEST_FILE;

  /** The flows, in the order of the manifest. The construct id of each is its manifest key. */
  public readonly flows: WhatsAppFlow[];

  /** The manifest's keys, in the order of the manifest. */
  public readonly keys: string[];

  /** Absolute path of the manifest that was read. */
  public readonly manifestPath: string;

  constructor(scope: Construct, id: string, props: WhatsAppFlowDirectoryProps) {
    super(scope, id);
    if (props === undefined || props === null) {
      throw new FlowConfigError('props are required: wabaId and directory', this);
    }
    checkProps(this, props);

    const directory = path.resolve(props.directory);
    const manifestFile = props.manifestFile ?? WhatsAppFlowDirectory.DEFAULT_MANIFEST_FILE;
    this.manifestPath = path.join(directory, manifestFile);
    const manifest = readManifest(this, directory, this.manifestPath);

    this.flows = [];
    this.keys = [];
    for (const entry of manifest.entries) {
      const flow = new WhatsAppFlow(this, entry.key, {
        wabaId: props.wabaId,
        flowName: entry.flowName,
        categories: entry.categories.map((c) => FlowCategory.of(c)),
        flowJson: entry.flowJson,
        publish: entry.publish,
        preview: entry.preview,
        adoptExisting: entry.adoptExisting,
        removalPolicy: props.removalPolicy,
        validation: entry.skipValidation !== undefined ? FlowValidation.skip(entry.skipValidation) : undefined,
      });
      this.flows.push(flow);
      this.keys.push(entry.key);
    }
    for (const warning of manifest.warnings) {
      Annotations.of(this).addWarningV2(`whatsapp-flow-cdk:${warning.id}`, `${displayPath(this.manifestPath)}: ${warning.message}`);
    }
  }

  /**
   * The flow of a manifest entry.
   *
   * @param key the entry's key in the manifest's `flows`
   */
  public flow(key: string): WhatsAppFlow {
    const i = this.keys.indexOf(key);
    if (i < 0) {
      throw new FlowConfigError(
        `flow(${renderValue(key)}): the manifest ${displayPath(this.manifestPath)} has no such key; use one of ${this.keys.length ? this.keys.map((k) => renderValue(k)).join(', ') : '(none: the manifest lists no flows)'}`,
        this,
      );
    }
    return this.flows[i];
  }
}

// ---------------------------------------------------------------------------- the manifest

/** An entry of the manifest, with its content read. */
interface Entry extends ManifestEntry {
  readonly flowJson?: FlowJson;
}

interface Manifest {
  readonly entries: Entry[];
  readonly warnings: ManifestWarning[];
}

function checkProps(scope: Construct, props: WhatsAppFlowDirectoryProps): void {
  checkWabaId(scope, 'wabaId', props.wabaId);
  if (typeof props.directory !== 'string' || props.directory.length === 0) {
    throw new FlowConfigError(`directory is required and must be a path, got ${renderValue(props.directory)}; for example directory: 'flows'`, scope);
  }
  if (Token.isUnresolved(props.directory)) {
    throw new FlowConfigError('directory must be known at synth, got a token; pass the path of the directory as a string', scope);
  }
  const mf = props.manifestFile;
  if (mf !== undefined && (typeof mf !== 'string' || mf.length === 0 || Token.isUnresolved(mf) || path.isAbsolute(mf) || mf.split(/[\\/]/).includes('..'))) {
    throw new FlowConfigError(`manifestFile must be a file name inside directory, got ${renderValue(mf)}; for example manifestFile: '${WhatsAppFlowDirectory.DEFAULT_MANIFEST_FILE}'`, scope);
  }
  if (props.removalPolicy !== undefined) removalPolicyValue(scope, props.removalPolicy);
}

/** Reads and checks the manifest (lib/private/flow-manifest.ts); throws one error listing every problem. */
function readManifest(scope: Construct, directory: string, manifestPath: string): Manifest {
  const where = displayPath(manifestPath);
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(directory);
  } catch {
    throw new FlowConfigError(`directory ${displayPath(directory)} not found (resolved to ${directory}); check the path, which is relative to the directory you run cdk from`, scope);
  }
  if (!dirStat.isDirectory()) {
    throw new FlowConfigError(`directory ${displayPath(directory)} is not a directory; pass the directory that holds ${path.basename(manifestPath)} and the Flow JSON files`, scope);
  }
  let raw: string;
  try {
    raw = fs.readFileSync(manifestPath, 'utf8');
  } catch {
    throw new FlowConfigError(
      `${where}: manifest not found; create it with { "flows": { "<key>": { "file": "<file>.json", "flowName": "<name>", "categories": ["OTHER"] } } }, ` +
        'or write the directory with `npx whatsapp-flow pull --waba <id> --out <directory>`',
      scope,
    );
  }
  const contents = new Map<string, FlowJson>();
  let manifest: FlowManifest;
  try {
    manifest = checkFlowManifest(directory, manifestPath, raw, {
      checkFile: (key, displayed) => {
        try {
          contents.set(key, FlowJson.fromFile(displayed));
          return undefined;
        } catch (e) {
          if (!(e instanceof FlowConfigError)) throw e;
          return e.message;
        }
      },
    });
  } catch (e) {
    if (e instanceof JsonTextError) throw new FlowConfigError(`${where}:${e.line}:${e.column}: ${e.message}; fix the JSON syntax`, scope);
    throw e;
  }
  if (manifest.problems.length > 0) throw new FlowConfigError(formatManifestProblems(manifestPath, manifest.problems), scope);
  return { entries: manifest.entries.map((e) => ({ ...e, flowJson: contents.get(e.key) })), warnings: manifest.warnings };
}
