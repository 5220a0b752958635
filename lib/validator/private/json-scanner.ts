/**
 * JSON text as the validator, the construct and the CLI read it: `parseJsonText` (JSON.parse with
 * a BOM tolerated and line:column in the error), and a strict, iterative scanner over the original
 * text for what `JSON.parse` cannot tell: where a syntax error is (line and column, with a
 * readable reason), where the findings' paths are in the text, and which keys repeat. It keeps its own stack, so 10,000 levels of
 * nesting cannot overflow the call stack, and it skips string contents with indexOf.
 */
import { Seg } from './context';

export interface SyntaxProblem {
  readonly offset: number;
  readonly message: string;
  /** The offending character or token, when there is one. */
  readonly token?: string;
}

interface Frame {
  readonly array: boolean;
  /** Next array index, or the key whose value comes next. */
  index: number;
  key: string | undefined;
  /** The trie node of this container's path, when it is on the way to a wanted path. */
  readonly node: TrieNode | undefined;
  /** The keys of this object so far, when repeated keys are looked for. */
  keys?: Set<string>;
}

interface TrieNode {
  children?: Map<Seg, TrieNode>;
  /** Offset of the key (for a property) or of the value (for an element). */
  offset?: number;
}

/** Thrown inside the scanner to stop at the first syntax error. */
class Stop {
  constructor(readonly problem: SyntaxProblem) {}
}

/** A key that appears a second time in one object: its path and the offset of its opening quote. */
export interface RepeatedKey {
  readonly path: Seg[];
  readonly offset: number;
}

class Scanner {
  private i = 0;
  /** The open containers, outermost first. */
  private readonly stack: Frame[] = [];
  constructor(
    private readonly s: string,
    /** Collects the keys that repeat within an object, when given. */
    private readonly repeated?: RepeatedKey[],
  ) {}

  /** Scans the whole text; calls `onKey`/`onElement` as members start. Throws Stop on the first error. */
  public run(root: TrieNode | undefined): void {
    const s = this.s;
    const stack = this.stack;
    this.ws();
    if (this.i >= s.length) this.fail(this.i, 'the text is empty: a Flow JSON document is a JSON object');
    let node: TrieNode | undefined = root;
    if (node) node.offset = this.i;
    // State machine: "value" = expecting a value; after a value, pop/continue containers.
    for (;;) {
      // --- read one value at this.i ---
      this.ws();
      const c = s.charCodeAt(this.i);
      let opened: Frame | undefined;
      if (c === 0x7b /* { */) {
        this.i++;
        opened = { array: false, index: 0, key: undefined, node };
      } else if (c === 0x5b /* [ */) {
        this.i++;
        opened = { array: true, index: 0, key: undefined, node };
      } else if (c === 0x22 /* " */) {
        this.string();
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        this.number();
      } else if (s.startsWith('true', this.i)) {
        this.i += 4;
      } else if (s.startsWith('false', this.i)) {
        this.i += 5;
      } else if (s.startsWith('null', this.i)) {
        this.i += 4;
      } else if (this.i >= s.length) {
        this.fail(this.i, 'unexpected end of input: the text looks truncated');
      } else {
        this.unexpected('expected a value');
      }
      if (opened) {
        this.ws();
        const close = opened.array ? 0x5d : 0x7d;
        if (s.charCodeAt(this.i) === close) {
          this.i++;
        } else {
          stack.push(opened);
          node = this.enterMember(opened, true);
          continue;
        }
      }
      // --- after a value: close containers or move to the next member ---
      for (;;) {
        const top = stack[stack.length - 1];
        if (!top) {
          this.ws();
          if (this.i < s.length) this.unexpected('unexpected content after the end of the JSON document');
          return;
        }
        this.ws();
        const d = s.charCodeAt(this.i);
        if (d === 0x2c /* , */) {
          this.i++;
          top.index++;
          node = this.enterMember(top, false);
          break;
        }
        if (d === (top.array ? 0x5d : 0x7d)) {
          this.i++;
          stack.pop();
          continue;
        }
        if (this.i >= s.length) this.fail(this.i, 'unexpected end of input: the text looks truncated');
        this.unexpected(top.array ? "expected ',' or ']' after an array element" : "expected ',' or '}' after a property value");
      }
    }
  }

  /** Positions at the start of the next member's value and returns its trie node. */
  private enterMember(frame: Frame, first: boolean): TrieNode | undefined {
    const s = this.s;
    this.ws();
    if (frame.array) {
      if (!first && s.charCodeAt(this.i) === 0x5d) this.fail(this.i, "trailing comma before ']'", ']');
      const child = frame.node?.children?.get(frame.index);
      if (child) child.offset = this.i;
      return child;
    }
    if (s.charCodeAt(this.i) !== 0x22) {
      if (this.i >= s.length) this.fail(this.i, 'unexpected end of input: the text looks truncated');
      if (!first && s.charCodeAt(this.i) === 0x7d) this.fail(this.i, "trailing comma before '}'", '}');
      this.unexpected('expected a double-quoted property name');
    }
    const keyStart = this.i;
    const raw = this.string();
    frame.key = raw;
    if (this.repeated) {
      frame.keys ??= new Set();
      if (frame.keys.has(raw)) this.repeated.push({ path: [...this.pathTo(frame), raw], offset: keyStart });
      frame.keys.add(raw);
    }
    this.ws();
    if (s.charCodeAt(this.i) !== 0x3a /* : */) {
      if (this.i >= s.length) this.fail(this.i, 'unexpected end of input: the text looks truncated');
      this.unexpected("expected ':' after a property name");
    }
    this.i++;
    const child = frame.node?.children?.get(raw);
    if (child) child.offset = keyStart;
    return child;
  }

  /** The path of the container `frame` (on the stack): the member each outer container is at. */
  private pathTo(frame: Frame): Seg[] {
    const outer = this.stack.slice(0, this.stack.indexOf(frame));
    return outer.map((f) => (f.array ? f.index : f.key ?? ''));
  }

  /** Reads a string at this.i (on the opening quote) and returns its value. One pass, no backtracking. */
  private string(): string {
    const s = this.s;
    const start = this.i;
    let escaped = false;
    for (let j = start + 1; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === 0x22 /* " */) {
        this.i = j + 1;
        return escaped ? (JSON.parse(s.slice(start, j + 1)) as string) : s.slice(start + 1, j);
      }
      if (c === 0x5c /* \ */) {
        escaped = true;
        const e = s[j + 1];
        if (e === 'u') {
          for (let k = j + 2; k < j + 6; k++) {
            const h = s.charCodeAt(k);
            const hex = (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
            if (!hex) this.fail(j, 'invalid \\u escape in a string', s.slice(j, j + 6));
          }
          j += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          j++;
        } else if (e !== undefined) {
          this.fail(j, `invalid escape sequence '\\${e}' in a string`, `\\${e}`);
        }
      } else if (c < 0x20) {
        this.fail(j, 'control character in a string: write it as an escape (\\n, \\t, …)', JSON.stringify(s[j]));
      }
    }
    this.fail(start, 'unterminated string: the text looks truncated', '"');
  }

  private number(): void {
    const s = this.s;
    const start = this.i;
    let j = start;
    if (s[j] === '-') j++;
    if (s[j] === '0') j++;
    else if (s[j] >= '1' && s[j] <= '9') while (s[j] >= '0' && s[j] <= '9') j++;
    else this.fail(start, 'invalid number', s.slice(start, j + 1));
    if (s[j] === '.') {
      j++;
      if (!(s[j] >= '0' && s[j] <= '9')) this.fail(start, 'invalid number', s.slice(start, j + 1));
      while (s[j] >= '0' && s[j] <= '9') j++;
    }
    if (s[j] === 'e' || s[j] === 'E') {
      j++;
      if (s[j] === '+' || s[j] === '-') j++;
      if (!(s[j] >= '0' && s[j] <= '9')) this.fail(start, 'invalid number', s.slice(start, j + 1));
      while (s[j] >= '0' && s[j] <= '9') j++;
    }
    this.i = j;
  }

  private ws(): void {
    const s = this.s;
    let c = s.charCodeAt(this.i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++this.i);
  }

  private unexpected(message: string): never {
    const s = this.s;
    const cp = s.codePointAt(this.i)!;
    const ch = String.fromCodePoint(cp);
    const word = /^[A-Za-z_][A-Za-z0-9_]{0,20}/.exec(s.slice(this.i, this.i + 24));
    const token = word ? word[0] : ch;
    const shown = cp < 0x20 || cp === 0xfeff ? JSON.stringify(ch) : `'${token}'`;
    this.fail(this.i, `unexpected ${shown}: ${message}`, token);
  }

  private fail(offset: number, message: string, token?: string): never {
    throw new Stop({ offset, message, token });
  }
}

/** Where the first syntax error of a text is; undefined for valid JSON. */
export function findSyntaxError(text: string): SyntaxProblem | undefined {
  try {
    new Scanner(text).run(undefined);
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return e.problem;
    throw e;
  }
}

/**
 * The keys that appear twice in one object of a valid JSON text (JSON.parse silently keeps the
 * last one), each with its path and the offset of the repeated key.
 */
export function repeatedKeys(text: string): RepeatedKey[] {
  const repeated: RepeatedKey[] = [];
  try {
    new Scanner(text, repeated).run(undefined);
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  return repeated;
}

/**
 * Offsets of the given paths in a valid JSON text. A path that does not exist in the text (a missing
 * property) gets the offset of its deepest existing ancestor.
 */
export function locatePaths(text: string, paths: ReadonlyArray<readonly Seg[]>): number[] {
  const root: TrieNode = {};
  const leaves: TrieNode[][] = [];
  for (const path of paths) {
    const chain: TrieNode[] = [root];
    let n = root;
    for (const seg of path) {
      n.children ??= new Map();
      let child = n.children.get(seg);
      if (!child) {
        child = {};
        n.children.set(seg, child);
      }
      n = child;
      chain.push(n);
    }
    leaves.push(chain);
  }
  try {
    new Scanner(text).run(root);
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  return leaves.map((chain) => {
    for (let k = chain.length - 1; k >= 0; k--) {
      if (chain[k].offset !== undefined) return chain[k].offset!;
    }
    return 0;
  });
}

/** Converts offsets to 1-based lines and columns in one pass over the text. */
export function lineColumns(text: string, offsets: readonly number[]): Array<{ line: number; column: number }> {
  const order = offsets.map((_, k) => k).sort((a, b) => offsets[a] - offsets[b]);
  const out: Array<{ line: number; column: number }> = new Array(offsets.length);
  let line = 1;
  let lineStart = 0;
  let pos = 0;
  for (const k of order) {
    const target = Math.min(offsets[k], text.length);
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0 || nl >= target) break;
      line++;
      lineStart = nl + 1;
      pos = nl + 1;
    }
    out[k] = { line, column: target - lineStart + 1 };
  }
  return out;
}

/** The result of parsing a Flow JSON text. */
export interface ParsedJsonText {
  /** The text with a leading UTF-8 BOM removed. */
  readonly text: string;
  readonly value: unknown;
}

/** Thrown by {@link parseJsonText}; carries the 1-based line and column of the problem. */
export class JsonTextError extends Error {
  constructor(
    message: string,
    public readonly line: number,
    public readonly column: number,
  ) {
    super(message);
    this.name = 'JsonTextError';
  }
}

/** Parses JSON text, tolerating a UTF-8 BOM, with line:column in the error. */
export function parseJsonText(raw: string): ParsedJsonText {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  try {
    return { text, value: JSON.parse(text) };
  } catch (e) {
    const message = (e as Error).message;
    const m = /position (\d+)/.exec(message);
    const pos = m ? Number(m[1]) : text.length;
    const [{ line, column }] = lineColumns(text, [pos]);
    const reason = message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of input (truncated file?)');
    throw new JsonTextError(`not valid JSON at line ${line}, column ${column}: ${lowerFirst(reason)}`, line, column);
  }
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0].toLowerCase() + s.slice(1) : s;
}
