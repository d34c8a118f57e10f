// Casebook's search engine for the browser (and Node): reads the static files
// `casebook build` writes under search/ and reproduces the ranking of
// `casebook search` exactly. No dependencies.
//
//   import { createEngine } from "./search.js";
//   const engine = await createEngine("../search/", fetch);
//   const { results } = await engine.search("failover", { limit: 10 });
//
// How scores stay identical to Tantivy's: the export ships exact BM25 inputs
// (per field the average length, from which the table of k1·(1−b+b·dl/avgdl)
// by fieldnorm id is rebuilt below in f32 exactly, per stem and
// field the weight idf·(1+k1), per posting the term frequency and fieldnorm
// id), floats as IEEE-754 bit patterns. Scores are computed in 32-bit
// arithmetic (Math.fround at every step) and summed in query clause order:
// for each distinct stem in query order, for each field in schema order.

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
  if (manifest.format !== 1) throw new Error(`unsupported search format ${manifest.format}`);
  const norms = manifest.average_fieldnorms.map(normTable);
  const firsts = manifest.chunks;

  // The chunk whose word range holds `word`: the last chunk starting at or before it.
  function chunkIndex(word) {
    let lo = 0, hi = firsts.length - 1, found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (firsts[mid] <= word) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }
  const chunk = (i) => get(`w-${manifest.chunk_set}-${i}.json`);

  // Every corpus word starting with `prefix`, from as many chunks as the range spans.
  async function wordsWithPrefix(prefix) {
    const out = [];
    for (let i = chunkIndex(prefix); i < firsts.length; i++) {
      if (i > chunkIndex(prefix) && !firsts[i].startsWith(prefix)) break;
      const c = await chunk(i);
      for (const [w, entry] of Object.entries(c.words)) {
        if (w.startsWith(prefix)) out.push([w, entry[1], c, entry[0]]);
      }
      const next = firsts[i + 1];
      if (next === undefined || !next.startsWith(prefix)) break;
    }
    // Most frequent first, ties alphabetical (code point order, as Rust sorts strings).
    out.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return out.slice(0, manifest.prefix_expansions);
  }

  // The query's distinct stems in order, each with the chunk holding its postings.
  async function plan(query) {
    const tokens = words(query);
    const last = query.length > 0 ? query[query.length - 1] : "";
    const openPrefix = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]/u.test(last);
    // Fetch every chunk the query needs in one round: each word's, and for an
    // open prefix every further chunk whose first word still has the prefix.
    const needed = new Set(tokens.map(chunkIndex));
    if (openPrefix && tokens.length) {
      const prefix = tokens[tokens.length - 1];
      for (let i = chunkIndex(prefix) + 1; i < firsts.length && firsts[i].startsWith(prefix); i++) needed.add(i);
    }
    await Promise.all([...needed].map(chunk));
    const stems = [];
    const add = (stem, c) => { if (!stems.some((s) => s[0] === stem)) stems.push([stem, c]); };
    for (let i = 0; i < tokens.length; i++) {
      const c = await chunk(chunkIndex(tokens[i]));
      const entry = c.words[tokens[i]];
      if (entry) add(entry[0], c);
      if (i === tokens.length - 1 && openPrefix) {
        for (const [, , pc, stem] of await wordsWithPrefix(tokens[i])) add(stem, pc);
      }
    }
    // Every word of the fetched chunks that stems to a searched stem: what to highlight.
    const wanted = new Set(stems.map((s) => s[0]));
    const matchWords = new Set();
    for (const [, c] of stems) {
      for (const [w, entry] of Object.entries(c.words)) if (wanted.has(entry[0])) matchWords.add(w);
    }
    return { stems, matchWords };
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

  async function search(query, options = {}) {
    const limit = options.limit || 10;
    const [{ stems, matchWords }, keep] = await Promise.all([plan(query), facetFilter(options.filters)]);
    const scores = new Map();
    for (const [stem, c] of stems) {
      const lists = c.stems[stem] || [];
      // Clause order: fields in schema order for this stem.
      const byField = new Map(lists.map((p) => [p[0], p]));
      for (let field = 0; field < manifest.fields.length; field++) {
        const p = byField.get(field);
        if (!p) continue;
        const [, weightBits, deltas, tfs, fnids] = p;
        const weight = fromBits(weightBits);
        const table = norms[field];
        let doc = 0;
        for (let j = 0; j < deltas.length; j++) {
          doc += deltas[j];
          const tf = tfs[j];
          const s = f32(weight * f32(tf / f32(tf + table[fnids[j]])));
          const prev = scores.get(doc);
          scores.set(doc, prev === undefined ? s : f32(prev + s));
        }
      }
    }
    let ranked = [...scores.entries()];
    if (keep) ranked = ranked.filter(([doc]) => keep(doc));
    ranked.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const top = ranked.slice(0, limit);
    // Metadata for the results: the shards they fall in, in one round.
    const shards = [...new Set(top.map(([doc]) => Math.floor(doc / manifest.shard_docs)))];
    const loaded = new Map(await Promise.all(shards.map(async (s) => [s, await get(`d-${manifest.shard_set}-${s}.json`)])));
    const results = top.map(([doc, score]) => {
      const meta = loaded.get(Math.floor(doc / manifest.shard_docs))[doc % manifest.shard_docs];
      return { ...meta, doc, score };
    });
    return { results, total: ranked.length, stems: stems.map((s) => s[0]), matchWords };
  }

  // Split `text` into [piece, isMatch] parts; `matchWords` comes from a search result.
  function highlight(text, matchWords) {
    const parts = [];
    let at = 0;
    for (const m of text.matchAll(WORD)) {
      if (matchWords.has(m[0].toLowerCase())) {
        if (m.index > at) parts.push([text.slice(at, m.index), false]);
        parts.push([m[0], true]);
        at = m.index + m[0].length;
      }
    }
    if (at < text.length) parts.push([text.slice(at), false]);
    return parts;
  }

  async function allFacets() {
    facets = facets || await get(manifest.facets);
    return facets;
  }

  return { search, highlight, stats, manifest, facets: allFacets };
}
