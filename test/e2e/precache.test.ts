// The offline manifest the build writes: every file of the build is either precached or, for the
// large engines, cached on first use; nothing over the limit is in the precache list.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST, distBuilt } from './harness';

describe.skipIf(!distBuilt)('precache.json', () => {
  it('lists every asset once, and leaves engines over 8 MB to be cached on first use', () => {
    const manifest = JSON.parse(readFileSync(join(DIST, 'precache.json'), 'utf8')) as { files: string[]; cachedOnUse: string[] };
    const assets = readdirSync(join(DIST, 'assets')).map((f) => `assets/${f}`).filter((f) => !f.endsWith('.map'));
    for (const f of assets) expect(manifest.files.includes(f) !== manifest.cachedOnUse.includes(f), f).toBe(true);
    for (const f of manifest.files) {
      const bytes = statSync(join(DIST, f)).size;
      expect(bytes, f).toBeLessThanOrEqual(8 * 1024 * 1024);
    }
    for (const f of manifest.cachedOnUse) expect(statSync(join(DIST, f)).size, f).toBeGreaterThan(8 * 1024 * 1024);
  });
});
