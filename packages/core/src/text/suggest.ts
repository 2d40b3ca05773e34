/**
 * "Did you mean …?" for misspelt keys, commands and names.
 *
 * Returns the candidate closest to `word` by edit distance (a swap of two adjacent letters counts as one slip), or undefined when
 * none is close enough to be a plausible typo. The comparison ignores case and treats
 * `-` and `_` alike, because `allowed_tools` for `allowed-tools` is the commonest slip.
 */
export function suggest(word: string, candidates: Iterable<string>, options: SuggestOptions = {}): string | undefined {
  const needle = normaliseForSuggestion(word);
  if (needle.length === 0) return undefined;
  const limit = options.maxDistance ?? Math.max(1, Math.min(3, Math.floor(needle.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(needle, normaliseForSuggestion(candidate), limit);
    // Ties keep the first candidate, so callers control precedence by order.
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

export interface SuggestOptions {
  /** Largest edit distance still offered; defaults to a third of the word's length, between 1 and 3. */
  maxDistance?: number;
}

function normaliseForSuggestion(text: string): string {
  return text.toLowerCase().replaceAll('_', '-');
}

/**
 * Edit distance with insertions, deletions, substitutions and swaps of two adjacent
 * characters each costing 1 (optimal string alignment): `--jsno` is one slip from
 * `--json`, as a person sees it. Stops early and returns `limit + 1` once every path
 * exceeds `limit`, so scanning long candidate lists stays cheap.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  const left = Array.from(a);
  const right = Array.from(b);
  if (Math.abs(left.length - right.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= right.length; j++) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && left[i - 1] === right[j - 2] && left[i - 2] === right[j - 1]) {
        value = Math.min(value, (beforePrevious[j - 2] ?? 0) + 1);
      }
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return previous[right.length] ?? 0;
}
