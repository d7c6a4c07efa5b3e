import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../ml/tf-node.ts';
import { attend, emptyCache, disposeCache, Gpt, type GptConfig } from '../../../src/lib/lm/model.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';

interface Case { name: string; config: GptConfig; weights: Record<string, number[]>; ids: number[]; batch: number; logits: number[] }
const fixture = JSON.parse(readFileSync(new URL('./fixtures/lm-torch.json', import.meta.url), 'utf8')) as { cases: Case[] };

const rand = (n: number, seed: number) => { const r = mulberry32(seed); return Float32Array.from({ length: n }, () => 2 * r() - 1); };
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let m = 0; for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
const small: GptConfig = { vocab: 11, context: 12, layers: 2, dModel: 16, heads: 4, kvHeads: 4, positions: 'learned' };
const ids = (n: number, seed: number, V = 11) => { const r = mulberry32(seed); return Int32Array.from({ length: n }, () => Math.floor(r() * V)); };

beforeAll(async () => {
  await useBackend('cpu');
});

describe('Gpt against PyTorch', () => {
  for (const c of fixture.cases) {
    it(`Gpt.forward logits equal scripts/ref/lm_torch.py's to 1e-4 (${c.name})`, async () => {
      const m = new Gpt(c.config, 1);
      m.setWeights(c.weights);
      const T = c.ids.length / c.batch;
      const out = m.forward(Int32Array.from(c.ids), c.batch, T);
      const got = await out.data();
      expect(got.length).toBe(c.logits.length);
      expect(maxDiff(got, c.logits)).toBeLessThan(1e-4);
      out.dispose();
      m.dispose();
    });
  }
});

describe('attend', () => {
  it('attend(q, k, v, offset) equals a naive loop over heads, queries and keys, with GQA and a cache offset', async () => {
    const B = 2, H = 4, KV = 2, T = 3, S = 5, hd = 4, offset = 2;
    const q = rand(B * H * T * hd, 1), k = rand(B * KV * S * hd, 2), v = rand(B * KV * S * hd, 3);
    const out = attend(tf.tensor4d(q, [B, H, T, hd]), tf.tensor4d(k, [B, KV, S, hd]), tf.tensor4d(v, [B, KV, S, hd]), offset);
    const got = await out.data();
    const want = new Float32Array(B * H * T * hd);
    for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let t = 0; t < T; t++) {
      const kvh = Math.floor(h / (H / KV));
      const visible = offset + t + 1;
      const s = [];
      for (let j = 0; j < visible; j++) {
        let d = 0;
        for (let i = 0; i < hd; i++) d += q[((b * H + h) * T + t) * hd + i] * k[((b * KV + kvh) * S + j) * hd + i];
        s.push(d / Math.sqrt(hd));
      }
      const mx = Math.max(...s), e = s.map((x) => Math.exp(x - mx)), z = e.reduce((a, x) => a + x, 0);
      for (let i = 0; i < hd; i++) {
        let y = 0;
        for (let j = 0; j < visible; j++) y += (e[j] / z) * v[((b * KV + kvh) * S + j) * hd + i];
        want[((b * H + h) * T + t) * hd + i] = y;
      }
    }
    expect(maxDiff(got, want)).toBeLessThan(1e-5);
  });
});

describe('Gpt', () => {
  it('is causal: changing token t leaves the logits of positions before t unchanged and changes position t', async () => {
    for (const positions of ['learned', 'rope'] as const) {
      const m = new Gpt({ ...small, positions }, 3);
      const a = ids(10, 4), b = Int32Array.from(a);
      b[6] = (b[6] + 1) % 11;
      const la = await m.forward(a, 1, 10).data(), lb = await m.forward(b, 1, 10).data();
      expect(maxDiff(la.subarray(0, 6 * 11), lb.subarray(0, 6 * 11))).toBe(0);
      expect(maxDiff(la.subarray(6 * 11, 7 * 11), lb.subarray(6 * 11, 7 * 11))).toBeGreaterThan(1e-6);
      m.dispose();
    }
  });

  it('a KV-cached forward, token by token, gives the logits of one full pass (learned and RoPE, GQA)', async () => {
    for (const positions of ['learned', 'rope'] as const) {
      const m = new Gpt({ ...small, kvHeads: 2, positions }, 5);
      const x = ids(9, 6);
      const full = await m.forward(x, 1, 9).data();
      const cache = emptyCache();
      const parts: number[] = [];
      for (const [from, to] of [[0, 4], [4, 5], [5, 9]]) parts.push(...(await m.forward(x.slice(from, to), 1, to - from, cache).data()));
      expect(cache.length).toBe(9);
      expect(cache.k[0].shape).toEqual([1, 2, 9, 4]);
      expect(maxDiff(parts, full)).toBeLessThan(1e-5);
      disposeCache(cache);
      m.dispose();
    }
  });

  it('GQA with kvHeads = heads is MHA, and kvHeads shrinks the k/v kernels by heads / kvHeads', async () => {
    const mha = new Gpt({ ...small, kvHeads: 4 }, 7);
    const gqa = new Gpt({ ...small, kvHeads: 4 }, 7);
    const x = ids(8, 8);
    expect(maxDiff(await mha.forward(x, 1, 8).data(), await gqa.forward(x, 1, 8).data())).toBe(0);
    // kv heads repeated: a GQA model whose 2 kv heads are copied into 4 MHA heads gives the same logits.
    const g2 = new Gpt({ ...small, kvHeads: 2 }, 9);
    const w = await g2.getWeights();
    const widen = (k: Float32Array) => { // [d, 2·hd] → [d, 4·hd], kv head j feeding query heads 2j and 2j+1
      const d = 16, hd = 4, out = new Float32Array(d * 16);
      for (let r = 0; r < d; r++) for (let h = 0; h < 4; h++) for (let i = 0; i < hd; i++) out[r * 16 + h * hd + i] = k[r * 8 + Math.floor(h / 2) * hd + i];
      return out;
    };
    for (const l of [0, 1]) for (const n of ['k', 'v']) w[`h${l}.${n}`] = widen(w[`h${l}.${n}`]);
    mha.setWeights(w);
    expect(maxDiff(await mha.forward(x, 1, 8).data(), await g2.forward(x, 1, 8).data())).toBeLessThan(1e-5);
    expect(g2.p('h0.k').size * 2).toBe(mha.p('h0.k').size);
    [mha, gqa, g2].forEach((m) => m.dispose());
  });

  it('LoRA: merged kernels give the unmerged outputs; a fresh LoRA (B = 0) changes nothing', async () => {
    const lora = { rank: 2, alpha: 4, targets: ['q', 'v', 'fc'] as ('q' | 'v' | 'fc')[] };
    const plain = new Gpt(small, 11), m = new Gpt({ ...small, lora }, 11);
    m.setWeights(await plain.getWeights());
    const x = ids(8, 12);
    expect(maxDiff(await m.forward(x, 1, 8).data(), await plain.forward(x, 1, 8).data())).toBe(0);
    for (const [name, v] of m.params) if (name.endsWith('.loraB')) v.assign(tf.tensor(rand(v.size, name.length), v.shape));
    const unmerged = await m.forward(x, 1, 8).data();
    expect(maxDiff(unmerged, await plain.forward(x, 1, 8).data())).toBeGreaterThan(1e-3);
    await m.mergeLora();
    expect(maxDiff(await m.forward(x, 1, 8).data(), unmerged)).toBeLessThan(1e-5);
    expect(m.count((n) => n.includes('.lora'))).toBe(2 * (2 * (16 * 2 + 2 * 16) + (16 * 2 + 2 * 64)));
    plain.dispose();
    m.dispose();
  });

  it('rejects settings that cannot work, naming them', () => {
    expect(() => new Gpt({ ...small, kvHeads: 3 })).toThrow(/kvHeads \(3\) must divide heads/);
    expect(() => new Gpt({ ...small, dModel: 18 })).toThrow(/multiple of heads/);
    const m = new Gpt(small);
    expect(() => m.forward(ids(13, 1), 1, 13)).toThrow(/context/);
    m.dispose();
  });
});
