// The `distributed` and `distributed-labs` sections of `npm run bench` (issue 13), Node only (the
// browser's Web Worker numbers come with the labs' pages):
//   distributed:      the hand-written ring all-reduce between worker_threads over SharedArrayBuffer
//                     and over MessagePorts, 2/4/8 ranks, 1 KB-64 MB, as algorithm bandwidth (bytes
//                     all-reduced per second) and bus bandwidth (× 2(N−1)/N, NCCL's convention: what
//                     each rank moves), against this machine's memory-copy bandwidth (TypedArray.set of
//                     64 MB); and data-parallel training of the lab MLP (tfjs-wasm, batch 64 per rank)
//                     on 1 and 2 workers: the speed-up in samples/s.
//   distributed-labs: each lab runner's DEFAULTS run once in-process on the real Fashion-MNIST subset,
//                     wall time (target: under a minute).
// The rank code runs in worker_threads from a bundle of bench/distributed-worker.ts made with rolldown.
// Writes bench/results/distributed.json.
import { Worker, MessageChannel } from 'node:worker_threads';
import { rm, writeFile, mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { build } from 'rolldown';
import { runnerImport } from 'vite';

const root = new URL('..', import.meta.url).pathname;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
const KB = 1024, MB = 1024 * 1024;

export const DIST = {
  sizes: [KB, 64 * KB, MB, 16 * MB, 64 * MB],
  ranks: [2, 4, 8],
  transports: ['shared', 'port'],
  /** Timed repetitions per size (after one warm-up): fewer for the big buffers. */
  reps: [50, 30, 10, 5, 3],
  capacityBytes: 4 * MB,
  dp: { batch: 64, steps: 20, warmup: 3 },
};

async function bundleWorker(dir) {
  const file = join(dir, 'distributed-worker.mjs');
  await build({
    input: join(root, 'bench/distributed-worker.ts'),
    platform: 'node',
    external: [/^@tensorflow\//, /^node:/],
    output: { file, format: 'esm' },
    logLevel: 'silent',
  });
  return file;
}

/** Run one job on n worker_threads over a fresh mesh; resolve with their results in rank order. */
async function onWorkers(file, n, transport, job) {
  const { sharedMesh } = (await runnerImport('/src/lib/distributed/shared-transport.ts', { root, configFile: false, logLevel: 'error' })).module;
  const mesh = transport === 'shared' ? sharedMesh(n, { capacityBytes: DIST.capacityBytes, links: 'all' }) : undefined;
  const ports = Array.from({ length: n }, () => new Array(n).fill(undefined));
  if (transport === 'port') for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    const ch = new MessageChannel();
    ports[i][j] = ch.port1;
    ports[j][i] = ch.port2;
  }
  const workers = [];
  const done = [];
  for (let r = 0; r < n; r++) {
    const own = transport === 'port' ? ports[r].filter(Boolean) : [];
    const w = new Worker(file, { workerData: { ...job, rank: r, transport, mesh, ports: transport === 'port' ? ports[r] : undefined }, transferList: own });
    workers.push(w);
    done.push(new Promise((resolve, reject) => {
      w.once('message', (m) => (m.error ? reject(new Error(`rank ${r}: ${m.error}`)) : resolve(m.result)));
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`rank ${r}'s worker exited (code ${code}) before reporting`)));
    }));
  }
  try {
    return await Promise.all(done);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function memcpyGBps() {
  const a = new Float32Array(16 * MB).fill(1); // 64 MB
  const b = new Float32Array(16 * MB);
  b.set(a);
  const ms = [];
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    b.set(a);
    ms.push(performance.now() - t0);
  }
  return { gbps: (64 * MB) / (median(ms) / 1000) / 1e9, ms };
}

export async function benchDistributed({ log }) {
  // Inside the repository (an ignored folder) so the bundle's external imports resolve from node_modules.
  const dir = join(root, 'bench/results/tmp/distributed');
  await mkdir(dir, { recursive: true });
  try {
    const file = await bundleWorker(dir);
    const memcpy = memcpyGBps();
    log(`memcpy (TypedArray.set, 64 MB): ${round(memcpy.gbps, 2)} GB/s`);
    const allreduce = [];
    for (const transport of DIST.transports) {
      for (const n of DIST.ranks) {
        const res = await onWorkers(file, n, transport, { mode: 'allreduce', sizes: DIST.sizes, reps: DIST.reps });
        for (const [i, bytes] of DIST.sizes.entries()) {
          // The slowest rank's time per repetition: the all-reduce is done when every rank has its result.
          const per = res[0][i].ms.map((_, k) => Math.max(...res.map((r) => r[i].ms[k])));
          const ms = median(per);
          const algbw = bytes / (ms / 1000) / 1e9;
          const row = { transport, ranks: n, bytes, medianMs: round(ms, 4), algGBps: round(algbw, 4), busGBps: round((algbw * 2 * (n - 1)) / n, 4), ms: per.map((x) => round(x, 4)) };
          allreduce.push(row);
          log(`all-reduce ${transport} ${n} ranks ${bytes / KB} KB: ${round(ms, 3)} ms, bus ${round(row.busGBps, 3)} GB/s`);
        }
      }
    }
    const dp = {};
    for (const n of [1, 2]) {
      const res = await onWorkers(file, n, 'shared', { mode: 'dp', ...DIST.dp });
      const stepMs = median(res[0].ms.map((_, k) => Math.max(...res.map((r) => r.ms[k]))));
      dp[n] = { stepMs: round(stepMs, 2), samplesPerSec: round((n * DIST.dp.batch) / (stepMs / 1000)), commMs: round(median(res[0].comm), 2), steps: res[0].ms.map((x) => round(x, 2)) };
      log(`data parallel, ${n} worker(s): ${dp[n].samplesPerSec} samples/s (step ${dp[n].stepMs} ms, all-reduce ${dp[n].commMs} ms)`);
    }
    const pick = (t, n, b) => allreduce.find((r) => r.transport === t && r.ranks === n && r.bytes === b);
    const figures = [];
    for (const n of DIST.ranks) {
      const s = pick('shared', n, 64 * MB), p = pick('port', n, 64 * MB);
      figures.push([`allreduce-64MB-${n}ranks-shared-bus`, s.busGBps, 'GB/s', { reference: { name: 'memcpy (TypedArray.set of 64 MB), same machine', value: round(memcpy.gbps, 3), unit: 'GB/s' }, notes: `Ring all-reduce of 64 MB across ${n} worker_threads over SharedArrayBuffer rings of ${DIST.capacityBytes / MB} MB per link; median of ${DIST.reps.at(-1)} (slowest rank). MessagePorts: ${p.busGBps} GB/s.` }]);
    }
    figures.push(['dp-speedup-2-workers', round(dp[2].samplesPerSec / dp[1].samplesPerSec, 3), 'x', { reference: { name: 'ideal', value: 2, unit: 'x' }, notes: `Lab MLP, tfjs-wasm, Adam, batch ${DIST.dp.batch} per worker, all-reduce over SharedArrayBuffer: 1 worker ${dp[1].samplesPerSec} samples/s, 2 workers ${dp[2].samplesPerSec} samples/s (all-reduce ${dp[2].commMs} ms of a ${dp[2].stepMs} ms step). ${os.cpus().length} cores.` }]);
    return { raw: { memcpy, allreduce, dp, capacityBytes: DIST.capacityBytes }, figures };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timed(f) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await f();
  const c = process.cpuUsage(c0);
  return { wallMs: round(performance.now() - t0), cpuMs: round((c.user + c.system) / 1000), summary: r.summary };
}

/** Each runner's defaults once, in-process, on the committed Fashion-MNIST subset. */
export async function benchDistributedLabs({ log }) {
  const load = async (p) => (await runnerImport(p, { root, configFile: false, logLevel: 'error' })).module;
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  const { loadFashion } = await load('/src/lib/data/fashion.ts');
  const { quietContext } = await load('/src/lib/core/task.ts');
  const data = await loadFashion(await readFile(join(root, 'public/data/fashion-mnist-subset.parquet')));
  const out = {};
  for (const lab of ['data-parallel', 'zero-fsdp', 'memory-precision', 'scale-planner', 'federated']) {
    const { run, DEFAULTS } = await load(`/src/lib/runners/${lab}.ts`);
    out[lab] = await timed(() => run(quietContext, { ...DEFAULTS }, { data }));
    log(`${lab} defaults: ${round(out[lab].wallMs / 1000, 1)} s wall, ${round(out[lab].cpuMs / 1000, 1)} s CPU`);
    if (lab === 'memory-precision') {
      // The lab's second experiment, at its defaults too.
      out['memory-precision-precision'] = await timed(() => run(quietContext, { ...DEFAULTS, experiment: 'precision' }, { data }));
      log(`memory-precision (precision) defaults: ${round(out['memory-precision-precision'].wallMs / 1000, 1)} s wall`);
    }
  }
  // CPU time of this process (all its threads: here one) is what the run costs the machine; wall time
  // also counts the time other work on a shared machine took the cores.
  const figures = Object.entries(out).map(([lab, v]) => [`lab-default-${lab}-cpu`, round(v.cpuMs / 1000, 1), 's', { reference: { name: 'target (issue 13)', value: 60, unit: 's' }, notes: `The runner's defaults on the Fashion-MNIST subset, in-process ranks on one thread, Node ${process.version}, tfjs-wasm: ${round(v.wallMs / 1000, 1)} s wall at load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores. In the lab each rank gets its own worker.` }]);
  return { raw: out, figures };
}

export async function writeDistributedResults(report) {
  await mkdir(join(root, 'bench/results'), { recursive: true });
  await writeFile(join(root, 'bench/results/distributed.json'), `${JSON.stringify(report, null, 2)}\n`);
}
