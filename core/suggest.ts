/**
 * "Did you mean" for names a user typed: the closest known name by edit distance
 * (Damerau-Levenshtein: a swap of two neighbours counts as one edit), if it is close enough
 * to be a typo (at most a third of the name's letters, at least one); else the one name that
 * starts with it.
 */
export function closest(word: string, candidateList: Iterable<string>): string | undefined {
  const candidates = [...candidateList];
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== undefined || word.length < 3) return best;
  // A name typed without its unit or ending (tau_m for tau_m_ms): the one candidate it starts.
  const starts = [...candidates].filter((c) => c.toLowerCase().startsWith(word.toLowerCase()));
  return starts.length === 1 ? starts[0] : undefined;
}

/** " (did you mean X?)" for a message, or "" when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined || c === word ? '' : ` (did you mean ${c}?)`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++)
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}
