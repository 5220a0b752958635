/**
 * The emulator's stand-in for Meta's server-side Flow JSON validation.
 *
 * Deliberately small and independent of the library's own validator (lib/validator): it only
 * checks what decides whether a static flow can be published through AWS (the versions AWS documents for publishing).
 */

/** Flow JSON versions AWS accepts for publishing (AWS's "Limitations and considerations" page for flows). */
export const SUPPORTED_FLOW_JSON_VERSIONS: readonly string[] = ['5.1', '6.0', '6.1', '6.2', '6.3', '7.0', '7.1', '7.2', '7.3'];

/** One problem found in a Flow JSON document. */
export interface FlowJsonFinding {
  /** Meta-style error code, e.g. INVALID_PROPERTY_VALUE. */
  readonly error: string;
  readonly message: string;
  /** JSON path of the offending value, e.g. `screens[0].layout`. */
  readonly path?: string;
}

/** Result of parsing and checking a document. */
export interface FlowJsonCheck {
  readonly findings: FlowJsonFinding[];
  /** The top-level `version` when it is a string (GetWhatsAppFlow's jsonVersion). */
  readonly version?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses the bytes and lists every finding (an empty list means publishable). */
export function checkFlowJson(bytes: Buffer): FlowJsonCheck {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    return { findings: [{ error: 'INVALID_JSON', message: `Flow JSON is not valid JSON: ${(e as Error).message}` }] };
  }
  if (!isObject(doc)) {
    return { findings: [{ error: 'INVALID_PROPERTY_TYPE', message: 'Flow JSON must be a JSON object', path: '' }] };
  }
  const findings: FlowJsonFinding[] = [];
  const version = typeof doc.version === 'string' ? doc.version : undefined;

  if (doc.version === undefined) {
    findings.push({ error: 'MISSING_REQUIRED_PROPERTY', message: "Missing required property 'version'", path: 'version' });
  } else if (version === undefined || !SUPPORTED_FLOW_JSON_VERSIONS.includes(version)) {
    findings.push({
      error: 'INVALID_PROPERTY_VALUE',
      message: `Property 'version' must be one of ${SUPPORTED_FLOW_JSON_VERSIONS.join(', ')} (a string), got ${JSON.stringify(doc.version)}`,
      path: 'version',
    });
  }

  const screens = doc.screens;
  if (screens === undefined) {
    findings.push({ error: 'MISSING_REQUIRED_PROPERTY', message: "Missing required property 'screens'", path: 'screens' });
  } else if (!Array.isArray(screens) || screens.length === 0) {
    findings.push({ error: 'INVALID_PROPERTY_VALUE', message: "Property 'screens' must be a non-empty array", path: 'screens' });
  } else {
    let terminal = false;
    screens.forEach((screen, i) => {
      const at = `screens[${i}]`;
      if (!isObject(screen)) {
        findings.push({ error: 'INVALID_PROPERTY_TYPE', message: `Screen ${at} must be an object`, path: at });
        return;
      }
      if (screen.terminal === true) terminal = true;
      if (screen.id === undefined) {
        findings.push({ error: 'MISSING_REQUIRED_PROPERTY', message: `Missing required property 'id' in ${at}`, path: `${at}.id` });
      } else if (typeof screen.id !== 'string') {
        findings.push({ error: 'INVALID_PROPERTY_TYPE', message: `Property 'id' of ${at} must be a string`, path: `${at}.id` });
      }
      if (screen.layout === undefined) {
        findings.push({ error: 'MISSING_REQUIRED_PROPERTY', message: `Missing required property 'layout' in ${at}`, path: `${at}.layout` });
      } else if (!isObject(screen.layout)) {
        findings.push({ error: 'INVALID_PROPERTY_TYPE', message: `Property 'layout' of ${at} must be an object`, path: `${at}.layout` });
      }
    });
    if (!terminal) {
      findings.push({ error: 'INVALID_PROPERTY_VALUE', message: "At least one screen must have 'terminal': true", path: 'screens' });
    }
  }

  if (doc.data_api_version !== undefined) {
    findings.push({
      error: 'INVALID_PROPERTY_VALUE',
      message: "Property 'data_api_version' requires a flow endpoint; endpoint flows are not supported",
      path: 'data_api_version',
    });
  }

  for (const path of findDataExchange(doc)) {
    findings.push({
      error: 'INVALID_PROPERTY_VALUE',
      message: `Action 'data_exchange' at ${path} requires a flow endpoint; endpoint flows are not supported`,
      path,
    });
  }
  return { findings, version };
}

/** Paths of every `name: "data_exchange"` member anywhere in the document (iterative walk). */
function findDataExchange(root: Json): string[] {
  const found: string[] = [];
  const stack: Array<{ value: Json; path: string }> = [{ value: root, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]` });
    } else if (isObject(value)) {
      if (value.name === 'data_exchange') found.push(path === '' ? 'name' : `${path}.name`);
      for (const key of Object.keys(value).reverse()) {
        stack.push({ value: value[key], path: path === '' ? key : `${path}.${key}` });
      }
    }
  }
  return found;
}

/** Renders findings as the strings of a `validationErrors` list. */
export function formatFindings(findings: readonly FlowJsonFinding[], format: 'json' | 'text'): string[] {
  return findings.map((f) =>
    format === 'text'
      ? f.message
      : JSON.stringify({
        error: f.error,
        error_type: 'FLOW_JSON_ERROR',
        message: f.message,
        pointers: f.path === undefined ? [] : [{ path: f.path }],
      }),
  );
}
