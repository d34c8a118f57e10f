// Casebook's search engine for the browser (and Node): reads the static files
// `casebook build` writes under search/ and reproduces the ranking of
// `casebook search` exactly. No dependencies.
//
//   import { createEngine } from "./search.js";
//   const engine = await createEngine("../search/", fetch);
//   const { results } = await engine.search("failover", { limit: 10 });
//
// How queries are read (the same rules as `casebook search`, src/index/query.rs):
// words are stemmed (stem.js is the index's stemmer), a word that matches
// nothing is corrected to the nearest corpus word, synonyms widen each word,
// adjacent words raise documents where they are adjacent, quoted phrases are
// required. Documents matching more of the query's words rank first, then by
// score, then by document number.
//
// How scores stay identical to Tantivy's: the export ships exact BM25 inputs
// (per field the average length, from which the table of k1·(1−b+b·dl/avgdl)
// by fieldnorm id is rebuilt below in f32 exactly, per stem and
// field the weight idf·(1+k1), per posting the term frequency and fieldnorm
// id), floats as IEEE-754 bit patterns. Scores are computed in 32-bit
// arithmetic (Math.fround at every step) and summed in query clause order:
// for each query word, for each of its terms, for each field in schema order
// (a term's score is multiplied by its boost), then the adjacent pairs.

import { stem } from "./stem.js";

const f32 = Math.fround;
const bits = new DataView(new ArrayBuffer(4));
function fromBits(u) {
  bits.setUint32(0, u >>> 0);
  return bits.getFloat32(0);
}

// Tantivy's fieldnorm table: the field length each fieldnorm id stands for.
const FIELDNORMS = [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,42,44,46,48,50,52,54,56,60,64,68,72,76,80,84,88,96,104,112,120,128,136,144,152,168,184,200,216,232,248,264,280,312,344,376,408,440,472,504,536,600,664,728,792,856,920,984,1048,1176,1304,1432,1560,1688,1816,1944,2072,2328,2584,2840,3096,3352,3608,3864,4120,4632,5144,5656,6168,6680,7192,7704,8216,9240,10264,11288,12312,13336,14360,15384,16408,18456,20504,22552,24600,26648,28696,30744,32792,36888,40984,45080,49176,53272,57368,61464,65560,73752,81944,90136,98328,106520,114712,122904,131096,147480,163864,180248,196632,213016,229400,245784,262168,294936,327704,360472,393240,426008,458776,491544,524312,589848,655384,720920,786456,851992,917528,983064,1048600,1179672,1310744,1441816,1572888,1703960,1835032,1966104,2097176,2359320,2621464,2883608,3145752,3407896,3670040,3932184,4194328,4718616,5242904,5767192,6291480,6815768,7340056,7864344,8388632,9437208,10485784,11534360,12582936,13631512,14680088,15728664,16777240,18874392,20971544,23068696,25165848,27263000,29360152,31457304,33554456,37748760,41943064,46137368,50331672,54525976,58720280,62914584,67108888,75497496,83886104,92274712,100663320,109051928,117440536,125829144,134217752,150994968,167772184,184549400,201326616,218103832,234881048,251658264,268435480,301989912,335544344,369098776,402653208,436207640,469762072,503316504,536870936,603979800,671088664,738197528,805306392,872415256,939524120,1006632984,1073741848,1207959576,1342177304,1476395032,1610612760,1744830488,1879048216,2013265944];
const K1 = f32(1.2);
const B = f32(0.75);

// k1·(1−b+b·dl/avgdl) for every fieldnorm id, in f32 step by step as Tantivy computes it.
function normTable(averageBits) {
  const avg = fromBits(averageBits);
  return FIELDNORMS.map((dl) => f32(K1 * f32(f32(1 - B) + f32(f32(B * f32(dl)) / avg))));
}

// Words as Tantivy's simple tokenizer cuts them: runs of alphanumeric
// characters; tokens of 40 bytes or more dropped; lowercased.
const WORD = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]+/gu;
const encoder = new TextEncoder();
export function words(text) {
  const out = [];
  for (const m of text.matchAll(WORD)) {
    if (encoder.encode(m[0]).length < 40) out.push(m[0].toLowerCase());
  }
  return out;
}

export async function createEngine(base, fetchFn = globalThis.fetch) {
  const stats = { files: 0, bytes: 0 };
  const cache = new Map();
  async function get(name) {
    if (!cache.has(name)) {
      cache.set(name, (async () => {
        const response = await fetchFn(base + name);
        if (!response.ok) throw new Error(`search file ${name}: HTTP ${response.status}`);
        const text = await response.text();
        stats.files += 1;
        stats.bytes += encoder.encode(text).length;
        stats.names = (stats.names || []).concat([name]);
        return JSON.parse(text);
      })());
    }
    return cache.get(name);
  }

  const manifest = await get("manifest.json");
  if (manifest.format !== 2) throw new Error(`unsupported search format ${manifest.format}`);
  const norms = manifest.average_fieldnorms.map(normTable);
  const pairNorms = normTable(manifest.pair_average_fieldnorm);
  const PAIRS = manifest.fields.length;
  const fieldBoosts = manifest.field_boosts.map(fromBits);
  const synonymWeight = fromBits(manifest.synonym_weight);
  const pairBoost = fromBits(manifest.pair_boost);
  const firsts = manifest.chunks;

  // The last entry of a sorted list of first keys at or before `key`.
  function lastAtOrBefore(list, key) {
    let lo = 0, hi = list.length - 1, found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] <= key) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }
  const chunkIndex = (word) => lastAtOrBefore(firsts, word);
  const chunk = (i) => get(`w-${manifest.chunk_set}-${i}.json`);
  const pairChunk = (pair) => manifest.pair_chunks.length
    ? get(`p-${manifest.pair_set}-${lastAtOrBefore(manifest.pair_chunks, pair)}.json`)
    : Promise.resolve({ pairs: {} });

  // Every corpus word starting with `prefix`, from as many chunks as the range spans.
  async function wordsWithPrefix(prefix) {
    const out = [];
    for (let i = chunkIndex(prefix); i < firsts.length; i++) {
      if (i > chunkIndex(prefix) && !firsts[i].startsWith(prefix)) break;
      const c = await chunk(i);
      for (const [w, entry] of Object.entries(c.words)) {
        if (w.startsWith(prefix)) { out.push([w, entry[1], entry[0]]); meet(c, w); }
      }
      const next = firsts[i + 1];
      if (next === undefined || !next.startsWith(prefix)) break;
    }
    // Most frequent first, ties alphabetical (code point order, as Rust sorts strings).
    out.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return out.slice(0, manifest.prefix_expansions);
  }

  // The postings of a corpus stem by field, or null when no corpus word has it.
  // A chunk holds the postings of the stems of its words: a stem met through a
  // word is remembered with them; any other is found under its own name, as
  // a word that is its own stem or as a root.
  const known = new Map();
  function meet(c, word) {
    const entry = c.words[word];
    if (entry && !known.has(entry[0])) known.set(entry[0], c.stems[entry[0]] || []);
    return entry ? entry[0] : null;
  }
  async function stemPostings(s) {
    if (known.has(s)) return known.get(s);
    const c = await chunk(chunkIndex(s));
    const own = c.words[s];
    const found = (own && own[0] === s) || c.roots.includes(s) ? c.stems[s] || [] : null;
    if (found !== null) known.set(s, found);
    return found;
  }
  async function pairPostings(pair) {
    return (await pairChunk(pair)).pairs[pair] || null;
  }

  // The nearest corpus word to a word that matches nothing (src/index/query.rs: Lexicon::correct).
  async function correct(word) {
    const typed = Array.from(word);
    if (typed.length <= 3) return null;
    const limit = typed.length <= 7 ? 1 : 2;
    const i = manifest.typo_initials.indexOf(typed[0]);
    if (i < 0) return null;
    const list = await get(`t-${manifest.typo_set}-${i}.json`);
    let best = null;
    for (const [candidate, df] of list) {
      const chars = Array.from(candidate);
      if (Math.abs(chars.length - typed.length) > limit) continue;
      const d = editDistance(typed, chars);
      if (d === 0 || d > limit) continue;
      if (!best || d < best[0] || (d === best[0] && df > best[1])) best = [d, df, candidate];
    }
    return best && best[2];
  }

  function synonymsOf(term) {
    const out = [];
    for (const group of manifest.synonyms) {
      if (!group.includes(term)) continue;
      for (const m of group) if (m !== term) out.push(m.includes(" ") ? ["pair", m] : ["stem", m]);
    }
    return out;
  }

  // The query planned as src/index/query.rs plans it.
  async function plan(query, correctTypos) {
    const tokens = [];
    query.split('"').forEach((part, i) => {
      const phrase = i % 2 === 1 ? Math.ceil(i / 2) : 0;
      for (const word of words(part)) tokens.push({ word, phrase });
    });
    const last = query.length > 0 ? query[query.length - 1] : "";
    const openPrefix = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]/u.test(last);
    // Fetch in one round every chunk the words and their pairs need (a word
    // the corpus lacks needs its stem's chunk next).
    const needed = new Set(tokens.map((t) => chunkIndex(t.word)));
    if (openPrefix && tokens.length) {
      const prefix = tokens[tokens.length - 1].word;
      needed.add(chunkIndex(prefix));
      for (let i = chunkIndex(prefix) + 1; i < firsts.length && firsts[i].startsWith(prefix); i++) needed.add(i);
    }
    const early = [...needed].map(chunk);
    const common = (word) => manifest.stop_words.includes(word);
    for (let i = 1; i < tokens.length; i++) {
      if (!common(tokens[i - 1].word) && !common(tokens[i].word)) early.push(pairChunk(`${stem(tokens[i - 1].word)} ${stem(tokens[i].word)}`));
    }
    await Promise.all(early);

    const result = { groups: [], pairs: [], corrections: [] };
    const primaries = [];
    const groupOf = [];
    const counts = (word) => !common(word);
    const same = (a, b) => a[0] === b[0] && a[1] === b[1];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      const terms = [];
      const push = (term, weight) => { if (!terms.some(([t]) => same(t, term))) terms.push([term, weight]); };
      const own = stem(token.word);
      let primary = meet(await chunk(chunkIndex(token.word)), token.word);
      if (primary === null && await stemPostings(own) !== null) primary = own;
      if (primary !== null) push(["stem", primary], 1);
      if (i + 1 === tokens.length && openPrefix && token.phrase === 0) {
        for (const [, , s] of await wordsWithPrefix(token.word)) push(["stem", s], 1);
      }
      // Synonyms of the word, even one the corpus does not hold; a word with neither is corrected.
      for (const syn of synonymsOf(primary !== null ? primary : own)) push(syn, synonymWeight);
      if (!terms.length && correctTypos) {
        const fixed = await correct(token.word);
        if (fixed !== null) {
          const found = meet(await chunk(chunkIndex(fixed)), fixed);
          if (found !== null) {
            result.corrections.push([token.word, fixed]);
            primary = found;
            push(["stem", primary], 1);
            for (const syn of synonymsOf(primary)) push(syn, synonymWeight);
          }
        }
      }
      primaries.push(primary);
      if (!terms.length) { groupOf.push(null); continue; }
      const required = token.phrase > 0;
      const existing = result.groups.findIndex((g) => same(g.terms[0][0], terms[0][0]));
      if (existing >= 0) {
        result.groups[existing].required = result.groups[existing].required || required;
        groupOf.push(existing);
      } else {
        result.groups.push({ word: token.word, terms, required, counts: counts(token.word) });
        groupOf.push(result.groups.length - 1);
      }
    }
    for (let i = 1; i < tokens.length; i++) {
      const a = primaries[i - 1], b = primaries[i];
      if (a === null || b === null || !counts(tokens[i - 1].word) || !counts(tokens[i].word)) continue;
      const pair = `${a} ${b}`;
      if (!result.pairs.includes(pair)) result.pairs.push(pair);
    }
    // Two adjacent words that form a synonym ("rate limited") answer with its synonyms too.
    for (let i = 1; i < tokens.length; i++) {
      const syns = synonymsOf(`${stem(tokens[i - 1].word)} ${stem(tokens[i].word)}`);
      if (!syns.length) continue;
      for (const t of [i - 1, i]) {
        if (groupOf[t] === null) {
          result.groups.push({ word: tokens[t].word, terms: [], required: tokens[t].phrase > 0, counts: counts(tokens[t].word) });
          groupOf[t] = result.groups.length - 1;
        }
        const group = result.groups[groupOf[t]];
        for (const syn of syns) if (!group.terms.some(([x]) => same(x, syn))) group.terms.push([syn, synonymWeight]);
      }
    }
    // Every stem searched for (pairs give both halves): what results highlight.
    result.stems = [];
    for (const g of result.groups) for (const [[, text]] of g.terms) for (const s of text.split(" ")) if (!result.stems.includes(s)) result.stems.push(s);
    return result;
  }

  // The scored clauses of a plan, in src/index/mod.rs's order: [group, field, term, boost, postings].
  async function clauses(p) {
    const out = [];
    const seen = new Map();
    // A (field, term) a later word shares is scored once, and answers both words.
    const add = (group, own, field, term, boost, postings) => {
      const key = `${field} ${term}`;
      const existing = seen.get(key);
      if (existing) {
        if (group !== null && !existing.groups.includes(group)) existing.groups.push(group);
        if (own && !existing.own.includes(group)) existing.own.push(group);
        return;
      }
      const clause = { groups: group === null ? [] : [group], own: own ? [group] : [], field, term, boost, postings };
      seen.set(key, clause);
      out.push(clause);
    };
    const lookups = [];
    for (const g of p.groups) for (const [[kind, text]] of g.terms) lookups.push(kind === "stem" ? stemPostings(text) : pairPostings(text));
    for (const pair of p.pairs) lookups.push(pairPostings(pair));
    const found = await Promise.all(lookups);
    let k = 0;
    p.groups.forEach((g, gi) => {
      for (const [[kind, text], weight] of g.terms) {
        const postings = found[k++];
        // The word's own terms (its stem, completions, correction) weigh 1.
        const own = weight === 1;
        if (kind === "stem") {
          const byField = new Map((postings || []).map((x) => [x[0], x]));
          for (let f = 0; f < PAIRS; f++) add(gi, own, f, text, f32(fieldBoosts[f] * weight), byField.get(f) || null);
        } else add(gi, own, PAIRS, text, weight, postings);
      }
    });
    for (const pair of p.pairs) add(null, false, PAIRS, pair, pairBoost, found[k++]);
    return out;
  }

  let facets = null;
  async function facetFilter(filters) {
    const wanted = ["categories", "severities", "services", "years"].map((k) => filters && filters[k] && filters[k].length ? filters[k] : null);
    if (wanted.every((w) => w === null)) return null;
    facets = facets || await get(manifest.facets);
    const lists = [facets.categories, facets.severities, facets.services, facets.years];
    const allowed = wanted.map((w, k) => w && new Set(w.map((v) => lists[k].indexOf(v)).filter((i) => i >= 0)));
    return (doc) => allowed.every((set, k) => !set || facets.docs[doc][k].some((i) => set.has(i)));
  }

  // Each document of a postings list with its BM25 score (before the boost).
  function* scored(postings, table) {
    const [, weightBits, deltas, tfs, fnids] = postings;
    const weight = fromBits(weightBits);
    let doc = 0;
    for (let j = 0; j < deltas.length; j++) {
      doc += deltas[j];
      const tf = tfs[j];
      yield [doc, f32(weight * f32(tf / f32(tf + table[fnids[j]])))];
    }
  }

  async function search(query, options = {}) {
    const limit = options.limit || 10;
    const [p, keep] = await Promise.all([plan(query, options.correct !== false), facetFilter(options.filters)]);
    const list = await clauses(p);
    const scores = new Map();
    const matched = new Map();
    const exact = new Map();
    const required = new Map();
    const requiredGroups = p.groups.filter((g) => g.required).length;
    for (const c of list) {
      if (!c.postings) continue;
      for (const [doc, s] of scored(c.postings, c.field === PAIRS ? pairNorms : norms[c.field])) {
        const boosted = f32(s * c.boost);
        const prev = scores.get(doc);
        scores.set(doc, prev === undefined ? boosted : f32(prev + boosted));
        if (c.groups.length) {
          const groups = matched.get(doc) || new Set();
          for (const g of c.groups) groups.add(g);
          matched.set(doc, groups);
        }
        if (c.own.length) {
          const groups = exact.get(doc) || new Set();
          for (const g of c.own) groups.add(g);
          exact.set(doc, groups);
        }
      }
    }
    // Words matched, common words not counted.
    const counted = (doc, sets = matched) => [...(sets.get(doc) || [])].filter((g) => p.groups[g].counts).length;
    for (const [doc, groups] of matched) {
      required.set(doc, [...groups].filter((g) => p.groups[g].required).length);
    }
    let ranked = [...scores.entries()]
      .filter(([doc]) => (required.get(doc) || 0) === requiredGroups)
      .map(([doc, score]) => [doc, score, counted(doc), counted(doc, exact)]);
    if (keep) ranked = ranked.filter(([doc]) => keep(doc));
    // Words matched, then words matched in their own terms, then score, then document order.
    ranked.sort((a, b) => b[2] - a[2] || b[3] - a[3] || b[1] - a[1] || a[0] - b[0]);
    const top = ranked.slice(0, limit);
    // Metadata for the results: the shards they fall in, in one round.
    const shards = [...new Set(top.map(([doc]) => Math.floor(doc / manifest.shard_docs)))];
    const loaded = new Map(await Promise.all(shards.map(async (s) => [s, await get(`d-${manifest.shard_set}-${s}.json`)])));
    const stems = new Set(p.stems);
    const results = top.map(([doc, score, hits]) => {
      const meta = loaded.get(Math.floor(doc / manifest.shard_docs))[doc % manifest.shard_docs];
      const best = bestPassage(meta.passages, stems);
      const passage = best && { anchor: best[0], symptom: best[1], text: best[2] };
      return { ...meta, doc, score, matched: hits, passage };
    });
    return { results, total: ranked.length, words: p.groups.filter((g) => g.counts).length, corrections: p.corrections, stems: p.stems, matchWords: stems };
  }

  return { search, highlight, stats, manifest, facets: allFacets };

  async function allFacets() {
    facets = facets || await get(manifest.facets);
    return facets;
  }
}

// The optimal string alignment distance (src/index/query.rs: edit_distance).
export function editDistance(a, b) {
  const w = b.length + 1;
  const d = new Array((a.length + 1) * w).fill(0);
  for (let i = 0; i <= a.length; i++) d[i * w] = i;
  for (let j = 0; j < w; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * w + j - 2] + 1);
      d[i * w + j] = v;
    }
  }
  return d[a.length * w + b.length];
}

// Whether a word of a text is searched for: its stem is one of `stems`.
const isHit = (word, stems) => stems.has(stem(word.toLowerCase()));

// The passage with the most distinct searched stems (symptom and text
// together), the earliest of equals; null when none holds any.
export function bestPassage(passages, stems) {
  let best = null, bestCount = 0;
  for (const p of passages || []) {
    const found = new Set();
    for (const w of words(`${p[1]} ${p[2]}`)) { const s = stem(w); if (stems.has(s)) found.add(s); }
    if (found.size > bestCount) { best = p; bestCount = found.size; }
  }
  return best;
}

// Split `text` into [piece, isMatch] parts; `stems` is a search's `matchWords`.
export function highlight(text, stems) {
  const parts = [];
  let at = 0;
  for (const m of text.matchAll(WORD)) {
    if (isHit(m[0], stems)) {
      if (m.index > at) parts.push([text.slice(at, m.index), false]);
      parts.push([m[0], true]);
      at = m.index + m[0].length;
    }
  }
  if (at < text.length) parts.push([text.slice(at), false]);
  return parts;
}
