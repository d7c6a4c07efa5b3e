// Types of scripts/rng.mjs (for the test that checks it against src/lib/core/rng.ts).
export function mulberry32(seed: number): () => number;
export function shuffleInPlace<T>(arr: T[], rng: () => number): T[];
