// Language models (issue 15): the gpt lab's default run in Node on tfjs's wasm backend (the engine's
// backend on a CPU machine), on the site's WordNet corpus. Reports training tokens/s, validation
// loss against the bigram baseline, KV-cache speed-up at the longest length, and PyTorch's training
// tokens/s on the same model (bench/lm_torch.py, Debian's python3-torch) as the ratio.
// Writes bench/results/lm.json.
//
//   node bench/lm.mjs [--steps=250 --lr=0.004 … any gpt-lab setting] [--skip=torch]
import { runnerImport } from 'vite';
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const arg = (name, def) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def;
const skip = new Set(String(arg('skip', '')).split(',').filter(Boolean));
const load = async (p) => (await runnerImport(p, { root, configFile: false, logLevel: 'error' })).module;

const core = await load('/bench/lm-core.ts');
// Any default can be overridden: --steps=500 --lr=0.01 …
const s = { ...core.defaults };
for (const k of Object.keys(s)) if (arg(k, undefined) !== undefined) s[k] = typeof s[k] === 'number' ? Number(arg(k)) : arg(k);
const r = await core.measure(root, s);
const last = r.kv[r.kv.length - 1];
const out = {
  settings: s, backend: 'wasm (Node)', vocab: r.vocab, params: r.params,
  tokensPerSec: Math.round(r.tokensPerSec), bigramVal: r.bigramVal, finalVal: r.finalVal, gainNats: r.bigramVal - r.finalVal,
  kv: r.kv.map((k) => ({ length: k.length, cacheTokPerSec: Math.round((1000 * k.length) / k.msCache), noCacheTokPerSec: Math.round((1000 * k.length) / k.msNoCache), speedup: k.msNoCache / k.msCache, bytes: k.cacheBytes, formula: k.formulaBytes, identical: k.identical })),
  kvSpeedupAtMax: last.msNoCache / last.msCache, sample: r.sample.slice(0, 200),
};
if (!skip.has('torch')) {
  const py = spawnSync('/usr/bin/python3', [`${root}bench/lm_torch.py`, JSON.stringify({ ...s, vocab: r.vocab, context: s.context })], { encoding: 'utf8' });
  if (py.status === 0) {
    out.torch = JSON.parse(py.stdout.trim().split('\n').pop());
    out.ratioToTorch = out.tokensPerSec / out.torch.tokensPerSec;
  } else out.torch = { error: (py.stderr || 'python3-torch missing').slice(-300) };
}
if (!process.argv.includes('--no-write')) {
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/lm.json`, JSON.stringify(out, null, 2) + '\n');
}
console.log(JSON.stringify({ ...out, sample: undefined, settings: undefined }, null, 2));
