/**
 * JSON files engram reads (its own outputs: summary.json, checkpoints, sweep manifests,
 * run records) can be truncated or damaged by something else. They are read here, so that
 * every such file is refused by name with the line and column of the damage (exit 2), never
 * with V8's message, which names no file and quotes the text around the error.
 */
import { readFileSync } from 'node:fs';
import { EngramError } from './errors.js';

/** Reads and parses a JSON file, or throws an EngramError naming it, what it should be, and where it breaks. */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new EngramError(
      `${file}: expected ${what}, but it cannot be read (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder' : (code ?? 'error')})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    const error = jsonSyntaxError(text);
    const offset = error?.offset ?? text.length;
    const before = text.slice(0, offset).split('\n');
    const where = `${before.length}:${before[before.length - 1].length + 1}`;
    throw new EngramError(
      `${file}:${where}: expected ${what} (JSON), found ${text.trim() === '' ? 'an empty file' : `a file that breaks off or is damaged here (${error ? `${error.expected.replace(/^JSON: /, '')}, found ${error.found}` : 'not JSON'})`}`,
    );
  }
}

/**
 * The first syntax error of a JSON text (RFC 8259) as its offset and what was expected there,
 * or undefined if the text is JSON. Only called on text JSON.parse refused.
 */
export function jsonSyntaxError(text: string): { offset: number; expected: string; found: string } | undefined {
  let i = 0;
  const n = text.length;
  class Failure {
    constructor(
      readonly offset: number,
      readonly expected: string,
      readonly found: string,
    ) {}
  }
  const here = () => (i >= n ? 'the end of the file' : JSON.stringify(text[i]));
  const fail = (expected: string): never => {
    throw new Failure(i, `JSON: ${expected}`, here());
  };
  const space = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = () => {
    i++; // the opening quote
    while (i < n) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('four hex digits after \\u');
          i += 5;
        } else if (i < n && '"\\/bfnrt'.includes(text[i])) i++;
        else fail('an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      } else if (c < ' ') fail('a closing double quote (strings cannot hold raw control characters or line breaks)');
      else i++;
    }
    fail('a closing double quote');
  };
  const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (depth: number): void => {
    if (depth > 10000) fail('nesting at most 10000 deep');
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          space();
          if (text[i] !== '"') fail('a property name in double quotes');
          string();
          space();
          if (text[i] !== ':') fail("':' after the property name");
          i++;
        }
        value(depth + 1);
        space();
        if (text[i] === ',') {
          i++;
          space();
          if (text[i] === close) fail(`another ${c === '{' ? 'property' : 'value'} after ',' (JSON allows no trailing comma)`);
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail(`',' or '${close}'`);
      }
    }
    if (c === '"') {
      string();
      return;
    }
    numberPattern.lastIndex = i;
    const num = numberPattern.exec(text);
    if (num && num[0] !== '-') {
      i += num[0].length;
      return;
    }
    for (const literal of ['true', 'false', 'null'])
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    fail('a value (an object, list, string, number, true, false or null)');
  };
  try {
    value(0);
    space();
    if (i < n) fail('the end of the file after the value');
  } catch (err) {
    if (err instanceof Failure) return { offset: err.offset, expected: err.expected, found: err.found };
    throw err;
  }
  return undefined;
}
