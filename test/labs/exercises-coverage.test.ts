/**
 * Every exercise of every registered lab is named (by its id, quoted) in some test file under test/,
 * so a new exercise whose check nobody tests fails here. The id must appear quoted ('id' or "id"), as
 * the check helpers of test/labs/*.test.ts name them.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LABS } from '../../labs/index';

const root = new URL('../', import.meta.url).pathname;
const self = new URL(import.meta.url).pathname;
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/**
 * Exercises of labs owned by other work in progress that have no test yet (lab/exercise). Shrink only:
 * an entry that gains a test fails below until it is removed here.
 */
const KNOWN_UNTESTED = new Set<string>([]);

describe('every exercise check is named by a test', () => {
  const tests = walk(root)
    .filter((f) => /\.ts$/.test(f) && f !== self)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const named = (id: string) => tests.includes(`'${id}'`) || tests.includes(`"${id}"`);
  const all = LABS.flatMap((l) => l.exercises.map((e) => ({ key: `${l.id}/${e.id}`, id: e.id })));

  it('the registry has exercises to check', () => {
    expect(all.length).toBeGreaterThan(100);
  });

  it('each exercise id appears in a test file, except the listed ones', () => {
    const missing = all.filter((e) => !named(e.id) && !KNOWN_UNTESTED.has(e.key)).map((e) => e.key);
    expect(missing).toEqual([]);
  });

  it('the exception list holds only exercises that exist and still have no test', () => {
    const keys = new Set(all.map((e) => e.key));
    const stale = [...KNOWN_UNTESTED].filter((k) => !keys.has(k) || named(k.slice(k.indexOf('/') + 1)));
    expect(stale).toEqual([]);
  });
});
