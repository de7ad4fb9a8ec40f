/** The first line of what was thrown, for a diagnostic's `found`. */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
