import * as fs from 'fs';
import * as path from 'path';
import { FlowConfigError } from './private/errors';
import { renderValue } from './private/messages';
import { canonicalTextSha256 } from './shared/canonical-json';
import { JsonTextError, parseJsonText } from './validator/private/json-scanner';
import { FLOW_CATEGORIES, MAX_FLOW_JSON_BYTES } from './shared/contract';

/**
 * The content of a WhatsApp Flow: a Flow JSON document.
 *
 * The document is read and checked when the factory is called (at synth): it must be
 * well-formed JSON (a UTF-8 BOM is tolerated), an object with a `version` and a non-empty
 * `screens` array, and at most 10 MB. Meta's full rules are applied by the validator when the
 * document is used by a `WhatsAppFlow`.
 *
 * What is uploaded is the document's text as written (so the line numbers in Meta's validation
 * errors match your file); what decides whether the content changed is a SHA-256 of its
 * canonical form, so reformatting a file or reordering its keys is not a change.
 *
 * @see https://developers.facebook.com/docs/whatsapp/flows/reference/flowjson
 */
export class FlowJson {
  /**
   * A Flow JSON document given as an object (for example built in code or `require`d).
   *
   * @param definition the Flow JSON document
   */
  public static fromObject(definition: any): FlowJson {
    let text: string | undefined;
    try {
      text = JSON.stringify(definition, undefined, 2);
    } catch (e) {
      throw new FlowConfigError(`FlowJson.fromObject: the object cannot be serialized to JSON (${(e as Error).message}); pass plain data (no cycles, no BigInt)`);
    }
    if (text === undefined) {
      throw new FlowConfigError(`FlowJson.fromObject: expected a Flow JSON object, got ${definition === undefined ? 'nothing' : `a ${typeof definition}`}; pass an object with "version" and "screens"`);
    }
    return new FlowJson(text, definition, 'FlowJson.fromObject()');
  }

  /**
   * A Flow JSON document given as JSON text.
   *
   * @param text the JSON text
   */
  public static fromString(text: string): FlowJson {
    return FlowJson.parse(text, 'FlowJson.fromString()');
  }

  /**
   * A Flow JSON document read from a file at synth.
   *
   * @param filePath path of the file, absolute or relative to the current directory
   */
  public static fromFile(filePath: string): FlowJson {
    if (typeof filePath !== 'string' || filePath === '') {
      throw new FlowConfigError(`FlowJson.fromFile: expected the path of a Flow JSON file, got ${renderValue(filePath)}; pass a path, relative to the directory you run cdk from`);
    }
    const resolved = path.resolve(filePath);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(resolved);
    } catch {
      throw new FlowConfigError(`${filePath}: Flow JSON file not found (resolved to ${resolved}); check the path, which is relative to the directory you run cdk from`);
    }
    if (!stat.isFile()) {
      throw new FlowConfigError(`${filePath}: not a file; pass the path of a Flow JSON file`);
    }
    if (stat.size > MAX_FLOW_JSON_BYTES + 3) {
      throw new FlowConfigError(`${filePath}: Flow JSON is ${stat.size} bytes, over the service's limit of ${MAX_FLOW_JSON_BYTES} bytes (10 MB); move large images out of the document or split the flow`);
    }
    return FlowJson.parse(fs.readFileSync(resolved, 'utf8'), filePath, resolved);
  }

  private static parse(raw: string, source: string, filePath?: string): FlowJson {
    if (typeof raw !== 'string') {
      throw new FlowConfigError(`${source}: expected JSON text, got ${raw === undefined ? 'nothing' : `a ${typeof raw}`}; use FlowJson.fromObject for objects`);
    }
    let parsed;
    try {
      parsed = parseJsonText(raw);
    } catch (e) {
      if (e instanceof JsonTextError) {
        throw new FlowConfigError(`${source}: ${e.message}; fix the JSON syntax`);
      }
      throw e;
    }
    return new FlowJson(parsed.text, parsed.value, source, filePath);
  }

  /** SHA-256 (hex) of the document in canonical form (sorted keys, no white space). */
  public readonly sha256: string;

  /** The text that is uploaded to the service. */
  public readonly content: string;

  /** Size in bytes of the uploaded text (UTF-8). */
  public readonly sizeBytes: number;

  /** Where the document came from: a file path or the factory used. */
  public readonly source: string;

  /**
   * The parsed document. Parsed again on each read for documents given as text, so that a
   * flow's construct does not keep a second, larger copy of its content for the life of the app.
   */
  public get definition(): any {
    return this.parsed ?? JSON.parse(this.content);
  }

  /** The object given to fromObject (kept: the caller holds it anyway). */
  private readonly parsed?: unknown;

  /**
   * Absolute path of the file the document was read from, if any.
   * @default - not read from a file
   */
  public readonly filePath?: string;

  private constructor(content: string, definition: unknown, source: string, filePath?: string) {
    const where = source;
    if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
      throw new FlowConfigError(`${where}: a Flow JSON document must be a JSON object, got ${Array.isArray(definition) ? 'an array' : renderValue(definition)}; wrap it as { "version": "7.3", "screens": [...] }`);
    }
    const doc = definition as Record<string, unknown>;
    if (!('version' in doc)) {
      throw new FlowConfigError(`${where}: Flow JSON has no "version"; add "version": "7.3" at the top level`);
    }
    if (typeof doc.version !== 'string') {
      throw new FlowConfigError(`${where}: Flow JSON "version" must be a string like "7.3", got ${renderValue(doc.version)}; quote it`);
    }
    if (!Array.isArray(doc.screens) || doc.screens.length === 0) {
      throw new FlowConfigError(`${where}: Flow JSON "screens" must be a non-empty array, got ${renderValue(doc.screens)}; add at least one screen`);
    }
    const sizeBytes = Buffer.byteLength(content, 'utf8');
    if (sizeBytes > MAX_FLOW_JSON_BYTES) {
      throw new FlowConfigError(`${where}: Flow JSON is ${sizeBytes} bytes, over the service's limit of ${MAX_FLOW_JSON_BYTES} bytes (10 MB); move large images out of the document or split the flow`);
    }
    this.content = content;
    this.parsed = source === 'FlowJson.fromObject()' ? definition : undefined;
    this.sizeBytes = sizeBytes;
    this.source = source;
    this.filePath = filePath;
    this.sha256 = canonicalTextSha256(content);
  }
}

/**
 * A category of a WhatsApp Flow (the service's MetaFlowCategory).
 *
 * @see https://docs.aws.amazon.com/social-messaging/latest/APIReference/API_CreateWhatsAppFlow.html
 */
export class FlowCategory {
  /** Sign up. */
  public static readonly SIGN_UP = new FlowCategory('SIGN_UP');
  /** Sign in. */
  public static readonly SIGN_IN = new FlowCategory('SIGN_IN');
  /** Appointment booking. */
  public static readonly APPOINTMENT_BOOKING = new FlowCategory('APPOINTMENT_BOOKING');
  /** Lead generation. */
  public static readonly LEAD_GENERATION = new FlowCategory('LEAD_GENERATION');
  /** Shopping. */
  public static readonly SHOPPING = new FlowCategory('SHOPPING');
  /** Contact us. */
  public static readonly CONTACT_US = new FlowCategory('CONTACT_US');
  /** Customer support. */
  public static readonly CUSTOMER_SUPPORT = new FlowCategory('CUSTOMER_SUPPORT');
  /** Survey. */
  public static readonly SURVEY = new FlowCategory('SURVEY');
  /** Other. */
  public static readonly OTHER = new FlowCategory('OTHER');

  /**
   * A category by its service name, including one added to the service after this release.
   *
   * @param value the category name, upper case (e.g. `SIGN_UP`)
   */
  public static of(value: string): FlowCategory {
    if (typeof value !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(value)) {
      throw new FlowConfigError(`FlowCategory.of: category must be an upper-case name like SIGN_UP, got ${renderValue(value)}; known categories: ${FLOW_CATEGORIES.join(', ')}`);
    }
    return new FlowCategory(value);
  }

  private constructor(
    /** The category's name in the service API. */
    public readonly value: string,
  ) {}
}

/**
 * The status of a WhatsApp Flow (the service's MetaFlowStatus).
 *
 * @see https://docs.aws.amazon.com/social-messaging/latest/userguide/managing-flows-status.html
 */
export class FlowStatus {
  /** Editable; can be sent only as a test. */
  public static readonly DRAFT = new FlowStatus('DRAFT');
  /** Live: usable in template messages; cannot be deleted, only deprecated. */
  public static readonly PUBLISHED = new FlowStatus('PUBLISHED');
  /** Retired for good; cannot be sent, deleted or restored. */
  public static readonly DEPRECATED = new FlowStatus('DEPRECATED');
  /** Blocked by Meta (integrity or endpoint health). */
  public static readonly BLOCKED = new FlowStatus('BLOCKED');
  /** Sending capped by Meta (endpoint health). */
  public static readonly THROTTLED = new FlowStatus('THROTTLED');

  /**
   * A status by its service name, including one added to the service after this release.
   *
   * @param value the status name (e.g. `PUBLISHED`)
   */
  public static of(value: string): FlowStatus {
    return new FlowStatus(value);
  }

  private constructor(
    /** The status's name in the service API. */
    public readonly value: string,
  ) {}
}
