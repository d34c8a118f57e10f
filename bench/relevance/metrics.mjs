// Ranking metrics for the relevance sets: graded nDCG@k and reciprocal rank.
//
// `ranking` is the list of result ids, best first. `relevant` maps an id to its
// grade (2 = the answer, 1 = also useful); ids not in it have grade 0.

/** The gain of a grade: 2^g - 1 (grade 2 -> 3, grade 1 -> 1, grade 0 -> 0). */
export function gain(grade) {
  return 2 ** grade - 1;
}

/** Discounted cumulative gain of a list of grades, cut at `k`: sum of gain / log2(rank + 1). */
export function dcg(grades, k = 10) {
  let sum = 0;
  for (let i = 0; i < Math.min(k, grades.length); i++) {
    sum += gain(grades[i]) / Math.log2(i + 2);
  }
  return sum;
}

/** nDCG@k of `ranking` against the judgments; the ideal ranking is the judged ids sorted by grade. */
export function ndcg(ranking, relevant, k = 10) {
  const ideal = Object.values(relevant)
    .filter((g) => g > 0)
    .sort((a, b) => b - a);
  const best = dcg(ideal, k);
  if (best === 0) return 0;
  const grades = ranking.slice(0, k).map((id) => relevant[id] ?? 0);
  return dcg(grades, k) / best;
}

/** 1 / rank of the first result with grade >= 1 within the top `k`, or 0 when there is none. */
export function reciprocalRank(ranking, relevant, k = 10) {
  for (let i = 0; i < Math.min(k, ranking.length); i++) {
    if ((relevant[ranking[i]] ?? 0) >= 1) return 1 / (i + 1);
  }
  return 0;
}

/** Arithmetic mean; 0 for an empty list. */
export function mean(xs) {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}
