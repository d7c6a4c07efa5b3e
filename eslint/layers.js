// prodlab/layers: the folders of src/lib form a DAG, lowest first. A file may import from its own
// folder or from a folder of lower rank; anything else is an import that goes the wrong way (and
// two folders importing each other would be a cycle, which a strict order rules out).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The folders of src/lib, lowest first. */
export const LAYERS = [
  'core', 'math', 'runtime', 'store', 'data', 'stats', 'eval', 'ml', 'onnx', 'compress', 'drift',
  'serve', 'vector', 'lm', 'distributed', 'mlops', 'runners', 'engines',
];

/**
 * Upward edges that exist today and wait for a refactor: each is `from->to`. Keep it short; the
 * layers test fails on an entry that no import uses any more.
 */
export const ALLOWED = [];

/** Top folder of `file` under `root`: 'core', 'ml', ..., '.' for root's own files, null outside. */
export function folderOf(root, file) {
  const rel = relative(root, file);
  if (rel.startsWith('..') || rel === '' || resolve(root, rel) !== resolve(file)) return null;
  const parts = rel.split(sep);
  return parts.length > 1 ? parts[0] : '.';
}

/** The file (or folder index) an import specifier names, or null for a package import. */
export function resolveImport(fromFile, spec) {
  if (!spec.startsWith('.')) return null;
  let target = resolve(dirname(fromFile), spec);
  if (existsSync(target) && statSync(target).isDirectory()) target = join(target, 'index.ts');
  return target;
}

/**
 * Why an import from folder `from` to folder `to` breaks the layers, or null when it is fine.
 * Root files ('.', the public API) may import anything; nothing in a folder may import them.
 */
export function violation(from, to, layers = LAYERS, allowed = ALLOWED) {
  if (from === null || to === null || from === to || from === '.') return null;
  if (to === '.') return `src/lib/${from} imports the public API (src/lib/index.ts), which imports every folder: import the module itself`;
  const a = layers.indexOf(from);
  const b = layers.indexOf(to);
  if (a < 0) return `src/lib/${from} has no layer: add it to LAYERS in eslint/layers.js`;
  if (b < 0) return `src/lib/${to} has no layer: add it to LAYERS in eslint/layers.js`;
  if (b > a && !allowed.includes(`${from}->${to}`)) {
    return `${from} (layer ${a}) may not import ${to} (layer ${b}): imports go to the same or a lower layer (${layers.join(' < ')})`;
  }
  return null;
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/**
 * Every relative import between two folders of `root`, read from the source text:
 * a map `from->to` to the list of `file -> target` (paths relative to root).
 */
export function folderEdges(root) {
  root = resolve(root);
  const edges = new Map();
  for (const file of walk(root)) {
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT_RE)) {
      const target = resolveImport(file, m[1] ?? m[2] ?? m[3]);
      if (!target) continue;
      const from = folderOf(root, file);
      const to = folderOf(root, target);
      if (to === null || from === to) continue;
      const key = `${from}->${to}`;
      if (!edges.has(key)) edges.set(key, []);
      edges.get(key).push(`${relative(root, file)} -> ${relative(root, target)}`);
    }
  }
  return edges;
}

/** Strongly connected components (more than one folder each) of a `from->to` edge list. */
export function cycles(edgeKeys) {
  const adj = new Map();
  for (const key of edgeKeys) {
    const [a, b] = key.split('->');
    if (!adj.has(a)) adj.set(a, []);
    if (!adj.has(b)) adj.set(b, []);
    adj.get(a).push(b);
  }
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], onStack = new Set(), out = [];
  const strong = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of adj.get(v)) {
      if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of [...adj.keys()].sort()) if (!idx.has(v)) strong(v);
  return out;
}

/** The ESLint rule. Options: [{ root?: string (default 'src/lib'), layers?: string[], allowed?: string[] }]. */
export const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports between the folders of src/lib go to the same or a lower layer' },
    schema: [{
      type: 'object',
      properties: {
        root: { type: 'string' },
        layers: { type: 'array', items: { type: 'string' } },
        allowed: { type: 'array', items: { type: 'string' } },
      },
      additionalProperties: false,
    }],
    messages: { layer: '{{why}}' },
  },
  create(context) {
    const opts = context.options[0] ?? {};
    const root = resolve(context.cwd ?? process.cwd(), opts.root ?? 'src/lib');
    const layers = opts.layers ?? LAYERS;
    const allowed = opts.allowed ?? ALLOWED;
    const file = context.filename;
    const from = folderOf(root, file);
    if (from === null) return {};
    const check = (node) => {
      if (!node || node.type !== 'Literal' || typeof node.value !== 'string') return;
      const target = resolveImport(file, node.value);
      if (!target) return;
      const why = violation(from, folderOf(root, target), layers, allowed);
      if (why) context.report({ node, messageId: 'layer', data: { why } });
    };
    return {
      ImportDeclaration: (n) => check(n.source),
      ExportNamedDeclaration: (n) => check(n.source),
      ExportAllDeclaration: (n) => check(n.source),
      ImportExpression: (n) => check(n.source),
    };
  },
};

export default { meta: { name: 'prodlab' }, rules: { layers: rule } };
