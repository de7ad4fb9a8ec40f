/**
 * What every benchmark needs: the repository root, and its `--name value` options parsed by
 * yargs against the options it declares. `--help` prints the usage and exits 0; an unknown
 * option, or one without its value, exits 2 naming it, before anything runs (a mistyped
 * option used to be ignored, and `--help` started the whole benchmark).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

/** The repository root (benchmarks run from dist/bench/). */
export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One declared option: its default (as given on a command line) and what it sets. */
export interface BenchOption {
  readonly default: string;
  readonly describe: string;
}

/**
 * Parses process.argv against `declared`. `repeatable` names options that may be given several
 * times (e.g. --set), returned as arrays.
 */
export function benchOptions<K extends string, R extends string = never>(
  usage: string,
  declared: Record<K, BenchOption>,
  repeatable: Record<R, string> = {} as Record<R, string>,
  args = hideBin(process.argv),
): Record<K, string> & Record<R, string[]> {
  let parser = yargs(args)
    .scriptName(path.basename(process.argv[1] ?? 'bench'))
    .usage(usage)
    .version(false)
    .help()
    .strict()
    .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false })
    .fail((message, error) => {
      console.error(`${path.basename(process.argv[1] ?? 'bench')}: ${message ?? error?.message} (--help lists the options)`);
      process.exit(2);
    });
  for (const [name, o] of Object.entries<BenchOption>(declared))
    parser = parser.option(name, { type: 'string', default: o.default, describe: o.describe, requiresArg: true });
  for (const [name, describe] of Object.entries<string>(repeatable))
    parser = parser.option(name, { type: 'string', array: true, default: [], describe, requiresArg: true });
  const parsed = parser.parseSync() as Record<string, unknown>;
  const out: Record<string, string | string[]> = {};
  for (const name of Object.keys(declared)) {
    const v = parsed[name];
    // A scalar option given twice: the last one wins, as on most command lines.
    out[name] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  }
  for (const name of Object.keys(repeatable)) out[name] = (parsed[name] as unknown[]).map(String);
  return out as Record<K, string> & Record<R, string[]>;
}
