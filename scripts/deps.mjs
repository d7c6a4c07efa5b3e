#!/usr/bin/env node
// The import graph between the folders of src/lib: edges with their counts, and cycles (strongly
// connected components of more than one folder). The same reading as the prodlab/layers lint rule.
// Usage: node scripts/deps.mjs [--files] [--json] [--root src/lib]
//   --files  list the file-level imports behind each folder edge
//   --json   print {edges, cycles, upward} as JSON
import { ALLOWED, LAYERS, cycles, folderEdges, violation } from '../eslint/layers.js';

const args = process.argv.slice(2);
const root = args.includes('--root') ? args[args.indexOf('--root') + 1] : 'src/lib';
const showFiles = args.includes('--files');

const edges = [...folderEdges(root).entries()].sort(([a], [b]) => a.localeCompare(b));
const sccs = cycles(edges.map(([k]) => k));
// Edges that break the layer order, allowed ones included (marked).
const upward = edges
  .map(([k]) => k)
  .filter((k) => { const [a, b] = k.split('->'); return violation(a, b, LAYERS, []) !== null; })
  .map((k) => (ALLOWED.includes(k) ? `${k} (allowed)` : k));

if (args.includes('--json')) {
  const shown = edges.map(([k, v]) => [k, showFiles ? v : v.length]);
  console.log(JSON.stringify({ edges: Object.fromEntries(shown), cycles: sccs, upward }, null, 2));
} else {
  for (const [key, files] of edges) {
    console.log(`${key}  ${files.length}`);
    if (showFiles) for (const f of files) console.log(`    ${f}`);
  }
  console.log(`\n${edges.length} folder edges, ${sccs.length} cycle(s), ${upward.length} upward edge(s)`);
  for (const c of sccs) console.log(`  cycle: {${c.join(', ')}}`);
  for (const u of upward) console.log(`  upward: ${u}`);
}
