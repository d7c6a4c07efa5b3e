/** Seeded pseudo-random numbers. Every random choice in Prodlab takes one of these, never Math.random. */

export type Rng = () => number;

/** mulberry32: a 32-bit state generator, uniform on [0, 1). Same seed, same sequence, on every engine. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place, driven by rng. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(arr: T, rng: Rng): T {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = arr[i];
    arr[i] = arr[j];
    arr[j] = tmp;
  }
  return arr;
}

/** A permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return shuffleInPlace(p, rng);
}

/** Derive an independent 32-bit seed for a sub-stream (weights, shuffling, ...) from one user seed. */
export function deriveSeed(seed: number, stream: number): number {
  return mulberry32((seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0)() * 4294967296 >>> 0;
}
