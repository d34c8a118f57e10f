// The Snowball English ("Porter2") stemmer, as the search index applies it:
// `stem(word)` returns exactly what the Rust stemmer behind Casebook's
// `en_stem` analyzer returns for one lower-cased token. No dependencies.
//
//   import { stem } from "./stem.js";
//   stem("throttling"); // "throttl"
//
// The algorithm (https://snowballstem.org/algorithms/english/stemmer.html, in
// its current revision) in short: a few whole words are exceptions; words of
// fewer than three characters are left alone; otherwise mark y's that act as
// consonants (Y), find the regions R1 and R2, and strip or rewrite suffixes in
// steps 0–5, each step choosing the longest suffix of its list that the word
// ends with, then turn the Y's back into y's.
//
// Characters are Unicode code points. Only a e i o u y count as vowels: any
// other character (digits, accented letters like é or ï, capital Y) is a
// non-vowel, which is what the Rust stemmer does with them too. Every suffix
// in the lists is plain ASCII, so a word ending in some other letter keeps it.

// Whole words with a fixed stem (or kept as they are, when mapped to themselves).
const EXCEPTIONS = new Map([
  ["skis", "ski"], ["skies", "sky"],
  ["idly", "idl"], ["gently", "gentl"], ["ugly", "ugli"], ["early", "earli"],
  ["only", "onli"], ["singly", "singl"],
  ["sky", "sky"], ["news", "news"], ["howe", "howe"],
  ["atlas", "atlas"], ["cosmos", "cosmos"], ["bias", "bias"], ["andes", "andes"],
]);

// Words starting with one of these have R1 right after it (instead of after
// the first vowel–non-vowel pair): R1 of "generous" is "ous", of "universal" "al".
const R1_PREFIXES = ["arsen", "commun", "emerg", "gener", "inter", "later", "organ", "past", "univers"];

const isVowel = (c) => c === "a" || c === "e" || c === "i" || c === "o" || c === "u" || c === "y";

// Does the character list `w` start with `prefix`?
function startsWith(w, prefix) {
  if (prefix.length > w.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (w[i] !== prefix[i]) return false;
  }
  return true;
}

// Does the character list `w`, cut to its first `end` characters, end with `suffix`?
function endsWith(w, suffix, end = w.length) {
  if (suffix.length > end) return false;
  for (let i = 0; i < suffix.length; i++) {
    if (w[end - suffix.length + i] !== suffix[i]) return false;
  }
  return true;
}

// The longest entry of `list` that `w` ends with, or null.
function longestSuffix(w, list) {
  let best = null;
  for (const s of list) {
    if ((best === null || s.length > best.length) && endsWith(w, s)) best = s;
  }
  return best;
}

// Replace the last `n` characters of `w` by the characters of `by`.
function replaceEnd(w, n, by) {
  w.splice(w.length - n, n, ...by);
}

// Whether w[0..end) ends in a short syllable: a non-vowel other than w, x or Y
// after a vowel after a non-vowel; or a vowel then a non-vowel making up the
// whole of it; or "past".
function endsInShortSyllable(w, end) {
  if (end >= 3) {
    const last = w[end - 1];
    if (!isVowel(last) && last !== "w" && last !== "x" && last !== "Y"
        && isVowel(w[end - 2]) && !isVowel(w[end - 3])) return true;
  }
  if (end === 2 && isVowel(w[0]) && !isVowel(w[1])) return true;
  return endsWith(w, "past", end);
}

// Index just after the first non-vowel that follows a vowel, looking from
// `from`; w.length if there is none.
function regionStart(w, from) {
  let i = from;
  while (i < w.length && !isVowel(w[i])) i++;
  if (i >= w.length) return w.length;
  i++;
  while (i < w.length && isVowel(w[i])) i++;
  if (i >= w.length) return w.length;
  return i + 1;
}

const STEP1A = ["sses", "ied", "ies", "ss", "us", "s"];
const STEP1B = ["eedly", "ingly", "edly", "eed", "ing", "ed"];
// Stems that "ing" must not be stripped from when they are the whole rest of the word.
const ING_KEEP = new Set(["even", "cann", "inn", "earr", "herr", "out"]);
// Stems that "eed"/"eedly" stays on: succeed, proceed, exceed.
const EED_KEEP = new Set(["succ", "proc", "exc"]);
const LI_ENDINGS = "cdeghkmnrt";

// Step 2 (suffix in R1): replacement, or a function deciding it from the word.
const STEP2 = new Map([
  ["tional", "tion"], ["enci", "ence"], ["anci", "ance"], ["abli", "able"],
  ["entli", "ent"], ["izer", "ize"], ["ization", "ize"],
  ["ational", "ate"], ["ation", "ate"], ["ator", "ate"],
  ["alism", "al"], ["aliti", "al"], ["alli", "al"],
  ["fulness", "ful"], ["fulli", "ful"],
  ["ousli", "ous"], ["ousness", "ous"],
  ["iveness", "ive"], ["iviti", "ive"],
  ["biliti", "ble"], ["bli", "ble"],
  ["ogist", "og"], ["lessli", "less"],
  // "ogi" becomes "og" only after an l ("analogi" → "analog").
  ["ogi", (w) => (w[w.length - 4] === "l" ? "og" : null)],
  // "li" goes after one of the letters c d e g h k m n r t ("loudli" → "loud").
  ["li", (w) => (w.length >= 3 && LI_ENDINGS.includes(w[w.length - 3]) ? "" : null)],
]);

// Step 3 (suffix in R1; "ative" in R2).
const STEP3 = new Map([
  ["tional", "tion"], ["ational", "ate"], ["alize", "al"],
  ["icate", "ic"], ["iciti", "ic"], ["ical", "ic"],
  ["ful", ""], ["ness", ""], ["ative", ""],
]);

// Step 4 (suffix in R2) is deleted; "ion" only after s or t.
const STEP4 = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
  "ism", "ate", "iti", "ous", "ive", "ize", "ion"];

export function stem(word) {
  const exception = EXCEPTIONS.get(word);
  if (exception !== undefined) return exception;

  const w = Array.from(word);
  if (w.length < 3) return word;

  // Prelude: drop a leading apostrophe; mark as Y an initial y and every y
  // right after a vowel (they behave as consonants).
  if (w[0] === "'") w.shift();
  let hasY = false;
  for (let i = 0; i < w.length; i++) {
    if (w[i] === "y" && (i === 0 || isVowel(w[i - 1]))) {
      w[i] = "Y";
      hasY = true;
    }
  }

  // Regions. Suffix removal never touches the characters before p1 and p2,
  // so these indexes stay valid while the word shrinks.
  const prefix = R1_PREFIXES.find((p) => startsWith(w, p));
  const p1 = prefix ? prefix.length : regionStart(w, 0);
  const p2 = regionStart(w, p1);
  const inR1 = (suffixLength) => w.length - suffixLength >= p1;
  const inR2 = (suffixLength) => w.length - suffixLength >= p2;

  // Step 0: possessive endings.
  const possessive = longestSuffix(w, ["'s'", "'s", "'"]);
  if (possessive) w.length -= possessive.length;

  // Step 1a: plurals.
  const s1a = longestSuffix(w, STEP1A);
  if (s1a === "sses") {
    replaceEnd(w, 4, "ss");
  } else if (s1a === "ied" || s1a === "ies") {
    // "ties" → "tie" but "cries" → "cri".
    replaceEnd(w, 3, w.length > 4 ? "i" : "ie");
  } else if (s1a === "s") {
    // Drop the s if a vowel comes somewhere before the letter just before it ("gaps", not "gas").
    if (w.slice(0, w.length - 2).some(isVowel)) w.length -= 1;
  }

  // Step 1b: -ed, -ing and their -ly forms.
  step1b(w, p1);

  // Step 1c: a final y after a non-vowel that is not the first letter becomes i.
  const n = w.length;
  if ((w[n - 1] === "y" || w[n - 1] === "Y") && n > 2 && !isVowel(w[n - 2])) w[n - 1] = "i";

  // Step 2.
  const s2 = longestSuffix(w, STEP2.keys());
  if (s2 && inR1(s2.length)) {
    const rule = STEP2.get(s2);
    const by = typeof rule === "function" ? rule(w) : rule;
    if (by !== null) replaceEnd(w, s2.length, by);
  }

  // Step 3.
  const s3 = longestSuffix(w, STEP3.keys());
  if (s3 && inR1(s3.length) && (s3 !== "ative" || inR2(s3.length))) {
    replaceEnd(w, s3.length, STEP3.get(s3));
  }

  // Step 4.
  const s4 = longestSuffix(w, STEP4);
  if (s4 && inR2(s4.length)) {
    const before = w[w.length - s4.length - 1];
    if (s4 !== "ion" || before === "s" || before === "t") w.length -= s4.length;
  }

  // Step 5: a final e in R2, or in R1 and not after a short syllable; a final l in R2 after an l.
  const last = w[w.length - 1];
  if (last === "e") {
    if (inR2(1) || (inR1(1) && !endsInShortSyllable(w, w.length - 1))) w.length -= 1;
  } else if (last === "l") {
    if (inR2(1) && w[w.length - 2] === "l") w.length -= 1;
  }

  let out = w.join("");
  if (hasY) out = out.replaceAll("Y", "y");
  return out;
}

// Step 1b, on the character list `w` in place; `p1` is where R1 starts.
function step1b(w, p1) {
  const suffix = longestSuffix(w, STEP1B);
  if (suffix === null) return;
  const start = w.length - suffix.length;
  const before = w.slice(0, start);

  if (suffix === "eed" || suffix === "eedly") {
    // In R1, "eed(ly)" becomes "ee", except in succeed, proceed, exceed.
    if (start >= p1 && !EED_KEEP.has(before.join(""))) replaceEnd(w, suffix.length, "ee");
    return;
  }
  if (suffix === "ing") {
    const stemWord = before.join("");
    // "dying", "lying", "tying": a non-vowel then "ying" becomes non-vowel + "ie".
    if (before.length === 2 && before[1] === "y" && !isVowel(before[0])) {
      replaceEnd(w, 4, "ie");
      return;
    }
    // "evening", "inning", "outing", ... stay as they are.
    if (ING_KEEP.has(stemWord)) return;
  }

  // The suffix goes only if a vowel precedes it.
  if (!before.some(isVowel)) return;
  w.length = start;

  if (endsWith(w, "at") || endsWith(w, "bl") || endsWith(w, "iz")) {
    // At this step "luxuriated" → "luxuriate", "troubled" → "trouble", "sized" → "size".
    w.push("e");
  } else if (/^(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(w.slice(-2).join(""))) {
    // A double consonant loses one letter ("hopping" → "hop"), except in a
    // three-letter word starting with a, e or o ("added" → "add", "egged" → "egg").
    if (!(w.length === 3 && (w[0] === "a" || w[0] === "e" || w[0] === "o"))) w.length -= 1;
  } else if (w.length === p1 && endsInShortSyllable(w, w.length)) {
    // A short word gets its e back: "hoped" → "hope".
    w.push("e");
  }
}
