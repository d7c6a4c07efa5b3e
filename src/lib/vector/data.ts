/**
 * Seeded synthetic embeddings: Gaussian clusters. Centres ~ N(0, 1) per coordinate, points = centre
 * + N(0, spread²); the cluster of each point is uniform. Base rows come first, then query rows, from
 * one mulberry32 stream (scripts/vector-reference.py draws the same numbers in Python).
 */
import { mulberry32, type Rng } from '../core/rng';

export interface ClusteredOptions {
  n: number;
  queries: number;
  dim: number;
  clusters: number;
  /** Standard deviation of points around their centre (centres have 1). */
  spread: number;
  seed: number;
}

/** Standard normal by Box–Muller, one per two uniforms (1 − u keeps the log finite). */
export function normal(rng: Rng): number {
  const u1 = rng(), u2 = rng();
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

export function clustered(o: ClusteredOptions): { base: Float32Array; queries: Float32Array; centres: Float64Array } {
  const rng = mulberry32(o.seed);
  const centres = new Float64Array(o.clusters * o.dim);
  for (let i = 0; i < centres.length; i++) centres[i] = normal(rng);
  const draw = (rows: number) => {
    const out = new Float32Array(rows * o.dim);
    for (let r = 0; r < rows; r++) {
      const c = Math.floor(rng() * o.clusters) * o.dim;
      for (let j = 0; j < o.dim; j++) out[r * o.dim + j] = centres[c + j] + o.spread * normal(rng);
    }
    return out;
  };
  const base = draw(o.n);
  const queries = draw(o.queries);
  return { base, queries, centres };
}

/** Uniform points in the unit cube (the worst case for distance concentration). */
export function uniformCube(n: number, dim: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n * dim }, () => rng());
}
