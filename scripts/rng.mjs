// The seeded generator of src/lib/core/rng.ts (mulberry32 + Fisher–Yates) for the data scripts,
// which run as plain Node 20 and cannot import TypeScript. One copy for every script;
// test/lib/core/scripts-rng.test.ts checks it draws what core/rng.ts draws (the data files'
// sha256 in the README depend on it).

/** mulberry32: a 32-bit state generator, uniform on [0, 1). */
export function mulberry32(seed) {
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
export function shuffleInPlace(arr, rng) {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = arr[i];
    arr[i] = arr[j];
    arr[j] = tmp;
  }
  return arr;
}
