import type { ImageSet, RunSink, TrainData } from '../../../src/lib/ml/trainer.ts';
import type { Checkpoint, MetricPoint, RunRecord } from '../../../src/lib/store/types.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';

/**
 * A small learnable image set: class c lights up a band of rows 2c..2c+4 on top of seeded noise,
 * so a model can learn it in a few updates and curves have shape.
 */
export function syntheticImages(n: number, seed: number): ImageSet {
  const rng = mulberry32(seed);
  const images = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 10;
    labels[i] = c;
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      const signal = row >= 2 * c + 2 && row < 2 * c + 6 ? 120 : 0;
      images[i * 784 + p] = Math.min(255, Math.floor(rng() * 120) + signal);
    }
  }
  return { images, labels, n };
}

export function syntheticData(seed = 7): TrainData {
  return { train: syntheticImages(640, seed), val: syntheticImages(100, seed + 1), test: syntheticImages(100, seed + 2), hash: 'synthetic' };
}

/** Keeps everything a run saves in memory, as the IndexedDB store would. */
export class MemorySink implements RunSink {
  runs = new Map<string, RunRecord>();
  checkpoints: Checkpoint[] = [];
  points: MetricPoint[] = [];
  async putRun(run: RunRecord) {
    this.runs.set(run.id, structuredClone(run));
  }
  async appendMetrics(_id: string, points: MetricPoint[]) {
    this.points.push(...points);
  }
  async putCheckpoint(cp: Checkpoint) {
    this.checkpoints.push(structuredClone(cp));
  }
}
