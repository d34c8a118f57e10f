// Checks the metric functions on small rankings worked out by hand.
// Run: node bench/relevance/metrics-test.mjs (exit 0 when every check passes).

import assert from "node:assert/strict";
import { dcg, gain, mean, ndcg, reciprocalRank } from "./metrics.mjs";

const close = (actual, expected, what) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: got ${actual}, expected ${expected}`);

// Gains: 2^g - 1.
assert.equal(gain(0), 0);
assert.equal(gain(1), 1);
assert.equal(gain(2), 3);

// DCG of grades [2, 1]: 3/log2(2) + 1/log2(3) = 3 + 0.6309297535714575.
close(dcg([2, 1]), 3 + 1 / Math.log2(3), "dcg [2,1]");
// The cut at k drops later ranks.
close(dcg([0, 0, 2], 2), 0, "dcg cut at 2");

const rel = { a: 2, b: 1 };

// Perfect ranking: 1.0, whatever follows the judged ids.
close(ndcg(["a", "b", "x", "y"], rel), 1, "perfect ranking");

// Swapped: DCG = 1/log2(2) + 3/log2(3) = 1 + 1.8927892607 = 2.8927892607;
// ideal = 3 + 1/log2(3) = 3.6309297536; nDCG = 2.8927892607 / 3.6309297536 = 0.7967075810.
close(ndcg(["b", "a"], rel), (1 + 3 / Math.log2(3)) / (3 + 1 / Math.log2(3)), "swapped pair");
assert.ok(Math.abs(ndcg(["b", "a"], rel) - 0.796707581) < 1e-9, "swapped pair, decimal");

// Only the grade-2 answer, at rank 3: 3/log2(4) = 1.5; nDCG = 1.5 / 3.6309297536 = 0.4131173...
close(ndcg(["x", "y", "a"], rel), 1.5 / (3 + 1 / Math.log2(3)), "answer at rank 3");
assert.ok(Math.abs(ndcg(["x", "y", "a"], rel) - 0.413117329) < 1e-9, "answer at rank 3, decimal");

// Nothing relevant, or nothing returned: 0.
close(ndcg(["x", "y"], rel), 0, "no relevant result");
close(ndcg([], rel), 0, "empty ranking");

// A relevant id below rank 10 does not count.
const eleven = ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "a"];
close(ndcg(eleven, rel), 0, "answer at rank 11");

// Reciprocal rank: first result with grade >= 1.
close(reciprocalRank(["a", "b"], rel), 1, "rr at 1");
close(reciprocalRank(["x", "b", "a"], rel), 1 / 2, "rr counts grade 1");
close(reciprocalRank(["x", "y", "z", "a"], rel), 1 / 4, "rr at 4");
close(reciprocalRank(["x", "y"], rel), 0, "rr none");
close(reciprocalRank(eleven, rel), 0, "rr beyond 10");

// Mean.
close(mean([1, 0, 0.5]), 0.5, "mean");
close(mean([]), 0, "mean of nothing");

console.log("metrics-test: all checks passed");
