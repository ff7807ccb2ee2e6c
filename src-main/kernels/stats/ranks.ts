/**
 * Average ("fractional", mid-) ranks: 1-based ranks where tied values share the mean of the ranks they
 * span, as scipy.stats.rankdata(method='average') and MATLAB tiedrank. Input values must be finite
 * (callers drop NaN pairs first, see paired-samples.ts). O(n log n), stable.
 */

/** Indices 0..n−1 sorted by value ascending (ties keep input order). */
export function argsortAscending(values: ArrayLike<number>): Uint32Array {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // TypedArray.prototype.sort is not guaranteed stable with a comparator on every engine; break ties by index.
  order.sort((a, b) => values[a] - values[b] || a - b);
  return order;
}

/** 1-based average ranks of `values` (ties get the mean rank of their group). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const ranks = new Float64Array(n);
  // The values sorted by the engine's numeric sort (no comparator: several times faster than sorting indices
  // through a comparator, which made the significance letters' Spearman correlations the analysis' largest
  // cost after the fits). A value's tie group starts at the first sorted position not below it; the group of
  // positions i..j−1 holds 1-based ranks i+1..j, whose mean is (i + 1 + j) / 2 — the same numbers as ranking
  // through an argsort. −0 and 0 compare equal here, as they do there.
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Number.isNaN(v)) return averageRanksByOrder(values);
    sorted[i] = v;
  }
  sorted.sort();
  const groupRank = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    groupRank[i] = (i + 1 + j) / 2;
    i = j;
  }
  for (let k = 0; k < n; k++) {
    const v = values[k];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    ranks[k] = groupRank[lo];
  }
  return ranks;
}

/** The same by an argsort; kept for inputs with NaN, whose order the numeric sort defines differently. */
function averageRanksByOrder(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = argsortAscending(values);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && values[order[j]] === values[order[i]]) j++;
    // Positions i..j−1 (0-based) hold ranks i+1..j; their mean is (i + 1 + j) / 2.
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) ranks[order[k]] = rank;
    i = j;
  }
  return ranks;
}
