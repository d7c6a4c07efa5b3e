import { describe, expect, it } from 'vitest';
import * as api from '../../src/lib/index.ts';
import names from './public-api.names.json';

// src/lib/index.ts is the documented public API (docs/api.md). Moving a module between the layers
// of src/lib must not drop a name from it: this list is every value it exported before the move.
describe('src/lib/index.ts', () => {
  it('still exports every name it exported before the layers were drawn', () => {
    const missing = names.filter((n) => (api as Record<string, unknown>)[n] === undefined);
    expect(missing).toEqual([]);
  });

  it('exports nothing undefined', () => {
    const empty = Object.entries(api).filter(([, v]) => v === undefined).map(([k]) => k);
    expect(empty).toEqual([]);
  });
});
