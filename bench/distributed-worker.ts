/**
 * One rank of the `distributed` bench section, in a worker_thread (bundled by bench/distributed.mjs
 * with rolldown; tfjs stays external). Modes:
 *   allreduce: time allReduce of each size over the transport (a 1-value all-reduce as the barrier
 *              before each repetition); rank 0 reports the times.
 *   dp:        data-parallel training of the lab MLP on synthetic images with tfjs-wasm; reports
 *              the step times.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { PortTransport } from '../src/lib/distributed/port-transport';
import { SharedTransport, type SharedMesh } from '../src/lib/distributed/shared-transport';
import { allReduce } from '../src/lib/distributed/ring';
import type { Transport } from '../src/lib/distributed/transport';
import { RankTrainer } from '../src/lib/distributed/rank-trainer';
import { labInitialParams, labNet } from '../src/lib/distributed/net';
import { mulberry32 } from '../src/lib/core/rng';

interface Job {
  mode: 'allreduce' | 'dp';
  rank: number;
  transport: 'shared' | 'port';
  mesh?: SharedMesh;
  ports?: (MessagePort | undefined)[];
  sizes?: number[];
  reps?: number[];
  batch?: number;
  steps?: number;
  warmup?: number;
}

const job = workerData as Job;

function transportOf(): Transport {
  return job.transport === 'shared' ? new SharedTransport(job.rank, job.mesh!) : new PortTransport(job.rank, job.ports!);
}

async function allReduceBench(t: Transport) {
  const barrier = new Float32Array(1);
  const out: { bytes: number; ms: number[] }[] = [];
  for (const [i, bytes] of job.sizes!.entries()) {
    const buf = new Float32Array(bytes / 4).fill(1);
    await allReduce(t, buf); // warm-up
    const ms: number[] = [];
    for (let r = 0; r < job.reps![i]; r++) {
      await allReduce(t, barrier);
      const t0 = performance.now();
      await allReduce(t, buf);
      ms.push(performance.now() - t0);
    }
    out.push({ bytes, ms });
  }
  return out;
}

async function dpBench(t: Transport) {
  await tf.setBackend('wasm');
  await tf.ready();
  const net = labNet('mlp');
  const trainer = new RankTrainer(t, { net, initial: labInitialParams('mlp', 1), strategy: 'dp', precision: 'fp32', optimizer: { kind: 'adam', learningRate: 0.001 }, executor: 'tape' });
  const rng = mulberry32(100 + job.rank);
  const b = job.batch!;
  const x = tf.tensor(Float32Array.from({ length: b * 784 }, () => rng()), [b, 784]);
  const y = tf.tensor1d(Int32Array.from({ length: b }, (_, i) => i % 10), 'int32');
  const ms: number[] = [];
  const comm: number[] = [];
  for (let s = 0; s < job.warmup! + job.steps!; s++) {
    const r = await trainer.step([{ x, y }]);
    if (s >= job.warmup!) {
      ms.push(r.endMs - r.startMs);
      comm.push(r.trace.filter((q) => q.kind === 'comm').reduce((a, q) => a + q.end - q.start, 0));
    }
  }
  tf.dispose([x, y]);
  return { ms, comm };
}

const t = transportOf();
try {
  const result = job.mode === 'allreduce' ? await allReduceBench(t) : await dpBench(t);
  parentPort!.postMessage({ rank: job.rank, result });
} catch (e) {
  parentPort!.postMessage({ rank: job.rank, error: (e as Error).stack ?? String(e) });
} finally {
  t.close();
}
