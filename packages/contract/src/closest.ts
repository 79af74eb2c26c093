// The known word nearest a misspelled one, so an error can say "did you mean".

/** Levenshtein distance: the fewest single-character edits from `a` to `b`. */
function distance (a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * The candidate the word begins (at least 3 characters), else the nearest within a third of the word's
 * length in edits, case ignored; undefined when none is near.
 */
export function closest (word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase()
  const begun = lower.length >= 3 ? candidates.find((candidate) => candidate.toLowerCase().startsWith(lower)) : undefined
  if (begun !== undefined) return begun
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}
