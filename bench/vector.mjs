// Vector search (issue 14): the hand-written indexes of src/lib/vector in Node, side by side with
// hnswlib and FAISS (Debian's python3-hnswlib and python3-faiss) on the same data in the same run,
// one thread each. Writes bench/results/vector.json and prints a Markdown table.
//
//   node bench/vector.mjs [--base=20000] [--queries=500] [--scale=200000] [--browser-n=1000000] [--skip=hnsw,scale,browser]
//
// hnsw: Fashion-MNIST (Debian's dataset-fashion-mnist, raw pixels / 255, 784-d, L2, as ANN-benchmarks'
//   fashion-mnist-784-euclidean): the first `base` training images as the base, the first `queries`
//   test images as queries. Exact top-10 from our blocked scan (FAISS's flat recall against it is
//   reported as a check); HNSW M = 16, efConstruction = 200 in both libraries.
// scale: `scale` synthetic clustered 64-d vectors (src/lib/vector/data.ts) in IVF-PQ (nlist 1024,
//   m 8 × 8 bits, refine), trained on 50,000 of them; per-query latency (median, p99) and recall@10
//   after re-ranking 10 × k candidates, by nprobe.
// browser: the vector-pq lab's own run in headless Chromium (built site, its sim worker) at
//   `browser-n` vectors (nlist 256, m 8 × 8 bits, nprobe 2, re-rank 100 × k, 20,000 training rows).
import { runnerImport } from 'vite';
import { gunzipSync } from 'node:zlib';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const arg = (name, def) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const skip = new Set((process.argv.find((a) => a.startsWith('--skip='))?.slice(7) ?? '').split(',').filter(Boolean));
const BASE = arg('base', 20000), QUERIES = arg('queries', 500), SCALE = arg('scale', 200000), BROWSER_N = arg('browser-n', 1_000_000);
const BROWSER_NPROBE = arg('browser-nprobe', 2), BROWSER_RERANK = arg('browser-rerank', 100);
const K = 10, M = 16, EFC = 200, EFS = [16, 32, 64, 128];
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

const { module: V } = await runnerImport('/src/lib/vector/index.ts', { root, configFile: false, logLevel: 'error' });

function idx(path, rows) {
  const b = gunzipSync(readFileSync(path));
  const dim = b.readUInt32BE(8) * b.readUInt32BE(12);
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < out.length; i++) out[i] = b[16 + i] / 255;
  return { data: out, dim };
}

const results = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model };

if (!skip.has('hnsw')) {
  const dir = '/usr/share/datasets/fashion-mnist/';
  const { data: base, dim } = idx(`${dir}train-images-idx3-ubyte.gz`, BASE);
  const { data: queries } = idx(`${dir}t10k-images-idx3-ubyte.gz`, QUERIES);
  let t0 = performance.now();
  const truth = V.flatSearch(base, BASE, queries, QUERIES, dim, K, 'l2');
  const flatQps = QUERIES / ((performance.now() - t0) / 1000);
  const h = V.createIndex({ kind: 'hnsw', dim, M, efConstruction: EFC, seed: 1 });
  t0 = performance.now();
  h.add(base);
  const buildMs = performance.now() - t0;
  const curve = EFS.map((ef) => {
    h.distanceCount = 0;
    const t = performance.now();
    const r = h.search(queries, K, { efSearch: ef });
    const s = (performance.now() - t) / 1000;
    return { ef, recall: V.recallAtK(r.ids, truth.ids, QUERIES, K), qps: QUERIES / s, distances: h.distanceCount / QUERIES };
  });
  const tmp = mkdtempSync(`${os.tmpdir()}/vector-bench-`);
  writeFileSync(`${tmp}/meta.json`, JSON.stringify({ dim }));
  writeFileSync(`${tmp}/base.f32`, new Uint8Array(base.buffer));
  writeFileSync(`${tmp}/queries.f32`, new Uint8Array(queries.buffer));
  writeFileSync(`${tmp}/truth.i32`, new Uint8Array(truth.ids.buffer));
  const py = spawnSync('/usr/bin/python3', [`${root}bench/vector_reference.py`, tmp, String(M), String(EFC), EFS.join(','), String(K)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  rmSync(tmp, { recursive: true });
  const ref = py.status === 0 ? JSON.parse(py.stdout) : { error: py.stderr.slice(-500) };
  results.hnsw = { data: `fashion-mnist ${BASE} base, ${QUERIES} queries, ${dim}-d`, M, efConstruction: EFC, flatQps, buildMs, curve, reference: ref };
  console.log(`\n### HNSW on Fashion-MNIST (${BASE} base, ${QUERIES} queries, 784-d, M ${M}, efConstruction ${EFC}, one thread)\n`);
  console.log(`Build: ours ${round(buildMs / 1000, 1)} s, hnswlib ${ref.hnswlib ? round(ref.hnswlib.buildMs / 1000, 1) : '?'} s. Exact scan: ours ${round(flatQps)} q/s, FAISS IndexFlatL2 ${ref.faissFlat ? round(ref.faissFlat.qps) : '?'} q/s (its recall against ours ${ref.faissFlat?.recall}).\n`);
  console.log('| efSearch | recall@10 ours | recall@10 hnswlib | q/s ours | q/s hnswlib | ours / hnswlib | ours / our scan | distances/query |');
  console.log('|---|---|---|---|---|---|---|---|');
  curve.forEach((c, i) => {
    const r = ref.hnswlib?.curve[i];
    console.log(`| ${c.ef} | ${round(c.recall, 4)} | ${r ? round(r.recall, 4) : '?'} | ${round(c.qps)} | ${r ? round(r.qps) : '?'} | ${r ? round(c.qps / r.qps, 2) : '?'} | ${round(c.qps / flatQps, 1)} | ${round(c.distances)} |`);
  });
}

if (!skip.has('scale')) {
  const dim = 64, nq = 200;
  let t0 = performance.now();
  const { base, queries } = V.clustered({ n: SCALE, queries: nq, dim, clusters: 1000, spread: 0.35, seed: 1 });
  const genMs = performance.now() - t0;
  t0 = performance.now();
  const truth = V.flatSearch(base, SCALE, queries, nq, dim, K, 'l2').ids;
  const flatMsPerQuery = (performance.now() - t0) / nq;
  const index = V.createIndex({ kind: 'ivfpq', dim, nlist: 1024, m: 8, nbits: 8, refine: true, iters: 10, seed: 1 });
  t0 = performance.now();
  index.train(base.subarray(0, Math.min(SCALE, 50000) * dim));
  const trainMs = performance.now() - t0;
  t0 = performance.now();
  index.add(base);
  const addMs = performance.now() - t0;
  const rows = [8, 16, 32, 64].map((nprobe) => {
    const ms = [], found = new Int32Array(nq * K);
    for (let q = 0; q < nq; q++) {
      const t = performance.now();
      const r = index.search(queries.subarray(q * dim, (q + 1) * dim), K, { nprobe, rerank: 10 });
      ms.push(performance.now() - t);
      found.set(r.ids, q * K);
    }
    const plain = V.recallAtK(index.search(queries, K, { nprobe }).ids, truth, nq, K);
    return { nprobe, recall: V.recallAtK(found, truth, nq, K), recallNoRerank: plain, medianMs: V.percentile(ms, 0.5), p99Ms: V.percentile(ms, 0.99) };
  });
  results.scale = { n: SCALE, dim, nlist: 1024, m: 8, nbits: 8, rerank: 10, genMs, trainMs, addMs, flatMsPerQuery, codeBytes: index.codeBytes(), memoryBytes: index.memoryBytes(), rawBytes: SCALE * dim * 4, rows };
  console.log(`\n### IVF-PQ at ${SCALE.toLocaleString('en')} synthetic 64-d vectors (nlist 1024, m 8 × 8 bits, re-rank 10 × k, one thread)\n`);
  console.log(`Train ${round(trainMs / 1000, 1)} s, add ${round(addMs / 1000, 1)} s. Codes + ids ${round(index.codeBytes() / 2 ** 20, 1)} MiB (${round(index.codeBytes() / SCALE, 1)} B/vector) against ${round((SCALE * dim * 4) / 2 ** 20, 1)} MiB of float32; with the raw vectors kept for re-ranking ${round(index.memoryBytes() / 2 ** 20, 1)} MiB. Exact scan ${round(flatMsPerQuery, 1)} ms/query.\n`);
  console.log('| nprobe | recall@10 (PQ only) | recall@10 re-ranked | median ms | p99 ms |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.nprobe} | ${round(r.recallNoRerank, 3)} | ${round(r.recall, 3)} | ${round(r.medianMs, 2)} | ${round(r.p99Ms, 2)} |`);
}

if (!skip.has('browser')) {
  const { serveDist, launch, skipReason, freshPage } = await import('./browser.mjs');
  const why = skipReason();
  if (why) console.log(`\nbrowser section skipped: ${why}`);
  else {
    const site = await serveDist();
    const browser = await launch();
    const { page, errors, close } = await freshPage(browser);
    const settings = `n=${BROWSER_N}&queries=200&dim=64&clusters=1000&nlist=256&m=8&nbits=8&nprobe=${BROWSER_NPROBE}&rerank=${BROWSER_RERANK}&trainRows=20000`;
    await page.goto(`${site.url}#/lab/vector-pq?${settings}`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 60_000 });
    const t0 = Date.now();
    await page.click('button:has-text("Run")');
    await page.waitForSelector('[data-has-result="yes"]', { timeout: 3_600_000 });
    const wallMs = Date.now() - t0;
    const r = await page.evaluate(() => {
      const x = window.__prodlab.lab.result;
      return { recall: x.recall, recallPq: x.recallPq, medianMs: x.medianMs, p99Ms: x.p99Ms, flatMsPerQuery: x.flatMsPerQuery, trainMs: x.trainMs, addMs: x.addMs, codeBytes: x.codeBytes, memoryBytes: x.memoryBytes, floatBytes: x.floatBytes, curve: x.curve };
    });
    results.browser = { n: BROWSER_N, settings, wallMs, ...r, errors };
    await close();
    await browser.close();
    await site.close();
    console.log(`\n### IVF-PQ in Chromium: the vector-pq lab at ${BROWSER_N.toLocaleString('en')} vectors (${settings})\n`);
    console.log(`Whole run ${Math.round(wallMs / 1000)} s (train ${Math.round(r.trainMs / 1000)} s, encode ${Math.round(r.addMs / 1000)} s). recall@10 ${round(r.recall, 3)} re-ranked (PQ alone ${round(r.recallPq, 3)}); per query median ${round(r.medianMs, 2)} ms, p99 ${round(r.p99Ms, 2)} ms; exact scan ${round(r.flatMsPerQuery, 1)} ms. Codes + ids ${round(r.codeBytes / 2 ** 20, 1)} MiB, whole index ${round(r.memoryBytes / 2 ** 20, 1)} MiB, float32 ${round(r.floatBytes / 2 ** 20, 1)} MiB.`);
  }
}

// Sections skipped this time keep their last figures.
const out = `${root}bench/results/vector.json`;
mkdirSync(`${root}bench/results`, { recursive: true });
const kept = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
writeFileSync(out, JSON.stringify({ ...kept, ...results }, null, 1));
