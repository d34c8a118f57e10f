// Checks the browser stemmer (themes/default/static/stem.js) against the Rust
// stemmer of the search index, word by word.
//
//   node tests/js/stemmer.mjs [SITE_DIR]
//
// Always checks every line of tests/fixtures/stemmer/words.tsv ("word<TAB>stem",
// lines starting with '#' skipped). With SITE_DIR, a built Casebook site, also
// checks every word of the site's search vocabulary: search/manifest.json names
// the word chunks search/w-{chunk_set}-{i}.json, each mapping word to
// [stem, document_frequency], the stem as the index's analyzer produced it.
// Prints the first 20 mismatches and "N words checked, M mismatches"; exits 1
// on any mismatch.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stem } from "../../themes/default/static/stem.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const site = process.argv[2];

let checked = 0;
const mismatches = [];
function check(word, expected, where) {
  checked++;
  const got = stem(word);
  if (got !== expected) mismatches.push(`${where}: ${word}: expected ${expected}, got ${got}`);
}

const fixture = path.join(root, "tests", "fixtures", "stemmer", "words.tsv");
const lines = fs.readFileSync(fixture, "utf8").split("\n");
lines.forEach((line, i) => {
  if (line === "" || line.startsWith("#")) return;
  const fields = line.split("\t");
  if (fields.length !== 2) {
    console.error(`${fixture}:${i + 1}: expected "word<TAB>stem", found ${JSON.stringify(line)}`);
    process.exit(2);
  }
  check(fields[0], fields[1], `words.tsv:${i + 1}`);
});
const fixtureCount = checked;

if (site) {
  const readJson = (file) => {
    try {
      return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      console.error(`${file}: ${e.message} (is ${site} a site built by \`casebook build\`?)`);
      process.exit(2);
    }
  };
  const manifest = readJson(path.join(site, "search", "manifest.json"));
  if (!Array.isArray(manifest.chunks) || manifest.chunk_set === undefined) {
    console.error(`${path.join(site, "search", "manifest.json")}: no "chunks" list or "chunk_set"`);
    process.exit(2);
  }
  for (let i = 0; i < manifest.chunks.length; i++) {
    const name = `w-${manifest.chunk_set}-${i}.json`;
    const { words } = readJson(path.join(site, "search", name));
    for (const [word, [expected]] of Object.entries(words)) check(word, expected, name);
  }
  console.log(`${fixtureCount} fixture words, ${checked - fixtureCount} site words`);
}

for (const m of mismatches.slice(0, 20)) console.log(m);
console.log(`${checked} words checked, ${mismatches.length} mismatches`);
process.exit(mismatches.length > 0 ? 1 : 0);
