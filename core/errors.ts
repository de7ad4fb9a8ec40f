/**
 * Errors that reach users. Anything derived from EngramError is an expected failure
 * (bad scenario, bad plugin parameters, missing file) and is printed as its message alone,
 * with exit code 2; anything else is a bug in engram or in a plugin.
 */
export class EngramError extends Error {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Where in which file a problem is: 1-based line and column, when known. */
/** A field of a scenario file as its path of keys and indices: ['populations', 'exc', 'size']. */
export type FieldPath = readonly (string | number)[];

export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export interface Diagnostic {
  location: SourceLocation;
  /** Field path inside the scenario, e.g. "populations.exc.params.tau_m_ms". */
  path: string;
  /** What the field should have been. */
  expected: string;
  /** What was found, already rendered for humans; omitted when there was nothing there. */
  found?: string;
}

export function formatLocation(loc: SourceLocation): string {
  if (loc.line === undefined) return loc.file;
  return `${loc.file}:${loc.line}:${loc.column ?? 1}`;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = formatLocation(d.location);
  const field = d.path === '' ? '(top level)' : d.path;
  const found = d.found === undefined ? '' : `, found ${d.found}`;
  return `${where}: ${field}: expected ${d.expected}${found}`;
}

/** One or more problems in a scenario, all reported together. */
export class ScenarioError extends EngramError {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
  }
}

/** Renders a value found in a scenario for an error message: short and unambiguous. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object')
    return `a mapping with keys ${
      Object.keys(value as object)
        .slice(0, 6)
        .join(', ') || '(none)'
    }`;
  return typeof value;
}

/**
 * A plugin's complaint about one of its parameters that only shows when it acts on it (a data
 * file that is missing or corrupt, say). The builder reports it at that parameter's line.
 */
export class ParamError extends RangeError {
  constructor(
    readonly param: string,
    readonly expected: string,
    message: string,
  ) {
    super(message);
    this.name = 'ParamError';
  }
}

/**
 * A run that stopped before its end: a numerical guard tripped (non-finite state, runaway
 * firing, an event queue out of bounds) or a plugin threw while the network ran. Exit code 3;
 * `engram run` keeps what was recorded up to `t_ms`.
 */
export class RunStopped extends EngramError {
  override readonly exitCode: number = 3;
  constructor(
    message: string,
    readonly t_ms: number,
  ) {
    super(message);
  }
}

/** A run stopped by a signal (SIGINT: exit code 130, SIGTERM: 143) or an aborted AbortSignal. */
export class RunInterrupted extends RunStopped {
  override readonly exitCode: number;
  constructor(reason: string, t_ms: number, more = '') {
    super(`interrupted (${reason}) at t = ${t_ms} ms${more}`, t_ms);
    this.exitCode = reason === 'SIGINT' ? 130 : reason === 'SIGTERM' ? 143 : 3;
  }
}
