/**
 * Exercise audit: counts the exercises of every lab in labs/index.ts, lists those whose id no test
 * file under test/ names (quoted), and those that ask for a written answer.
 * Usage: node scripts/exercise-audit.mjs   (test/labs/exercises-coverage.test.ts enforces the first list)
 */
import { runnerImport } from 'vite';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
const root = new URL('..', import.meta.url).pathname;
const { module: reg } = await runnerImport('/labs/index.ts', { root, configFile: false, logLevel: 'error' });
function walk(d) { return readdirSync(d).flatMap((f) => { const p = join(d, f); return statSync(p).isDirectory() ? walk(p) : [p]; }); }
const tests = walk(root + 'test').filter((f) => f.endsWith('.ts')).map((f) => readFileSync(f, 'utf8')).join('\n');
let total = 0; const untested = []; const written = [];
for (const l of reg.LABS) for (const e of l.exercises) {
  total++;
  if (!tests.includes(`'${e.id}'`) && !tests.includes(`"${e.id}"`)) untested.push(`${l.id}/${e.id}`);
  if (e.answerPrompt) written.push(`${l.id}/${e.id}`);
}
console.log('labs', reg.LABS.length, 'total', total, 'untested', untested.length, untested.join(' '));
console.log('written', written.length, written.join(' '));
