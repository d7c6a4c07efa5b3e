import { describe, expect, it } from 'vitest';
import { allGather, allReduce, reduceScatter } from '../../../src/lib/distributed/ring.ts';
import { chunkBounds, collectiveBytes, ringAllReduce } from '../../../src/lib/distributed/collectives.ts';
import { runLocalRanks, localTransports, type TransportKind } from '../../../src/lib/distributed/launch.ts';
import { sharedMesh, SharedTransport, abortMesh } from '../../../src/lib/distributed/shared-transport.ts';
import { roundToFloat16, toFloat16Bits, fromFloat16Bits } from '../../../src/lib/distributed/precision.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';

const KINDS: TransportKind[] = ['port', 'shared'];

function randomBuffers(n: number, len: number, seed: number): Float32Array[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: len }, () => (rng() - 0.5) * 10 ** Math.floor(rng() * 6 - 3)));
}

describe.each(KINDS)('ring collectives over the %s transport', (kind) => {
  it.each([1, 2, 3, 4, 8])('allReduce on %i in-process ranks is bit-identical to ringAllReduce, with 2(N−1)/N·B bytes sent per rank', async (n) => {
    const len = 3360; // 4·840, divisible by every n here, so the byte count is exact
    const inputs = randomBuffers(n, len, 10 + n);
    const want = ringAllReduce(inputs);
    const out = await runLocalRanks(n, kind, async (t) => {
      const buf = inputs[t.rank].slice();
      await allReduce(t, buf);
      return { buf, sent: t.counters.bytesSent, received: t.counters.bytesReceived };
    });
    for (let r = 0; r < n; r++) {
      expect(out[r].buf).toEqual(want[r]);
      expect(out[r].sent).toBe(collectiveBytes('all-reduce', len * 4, n));
      expect(out[r].received).toBe(out[r].sent);
    }
  });

  it('streams chunks larger than the shared ring buffer (256 B links, 1,001 values on 3 ranks) without deadlock', async () => {
    const inputs = randomBuffers(3, 1001, 5);
    const out = await runLocalRanks(3, kind, async (t) => {
      const buf = inputs[t.rank].slice();
      await allReduce(t, buf);
      return buf;
    }, { capacityBytes: 256 });
    expect(out).toEqual(ringAllReduce(inputs));
  });

  it('reduceScatter leaves rank r its summed chunk r; allGather fills the rest; (N−1)/N·B each', async () => {
    const n = 4, len = 400;
    const inputs = randomBuffers(n, len, 3);
    const sum = ringAllReduce(inputs)[0];
    const out = await runLocalRanks(n, kind, async (t) => {
      const buf = inputs[t.rank].slice();
      const [lo, hi] = await reduceScatter(t, buf);
      const mine = buf.slice(lo, hi);
      const afterRs = t.counters.bytesSent;
      const full = new Float32Array(len);
      full.set(mine, lo);
      await allGather(t, full);
      return { lo, hi, mine, full, afterRs, total: t.counters.bytesSent };
    });
    out.forEach((o, r) => {
      expect([o.lo, o.hi]).toEqual(chunkBounds(len, n, r));
      expect(o.mine).toEqual(sum.slice(o.lo, o.hi));
      expect(o.full).toEqual(sum);
      expect(o.afterRs).toBe(collectiveBytes('reduce-scatter', len * 4, n));
      expect(o.total - o.afterRs).toBe(collectiveBytes('all-gather', len * 4, n));
    });
  });

  it('all-reduces fp16 buffers at 2 bytes a value, rounding every partial sum to fp16', async () => {
    const n = 3, len = 300;
    const inputs = randomBuffers(n, len, 8).map((b) => roundToFloat16(b));
    // Reference: the ring order of collectives.ts with a float16 rounding after each addition.
    const want = new Float32Array(len);
    for (let i = 0; i < len; i++) {
      const c = Math.floor(i / Math.ceil(len / n));
      let acc = inputs[(c + 1) % n][i];
      for (let k = 2; k <= n; k++) acc = roundToFloat16(Float32Array.of(acc + inputs[(c + k) % n][i]))[0];
      want[i] = acc;
    }
    const out = await runLocalRanks(n, kind, async (t) => {
      const bits = toFloat16Bits(inputs[t.rank]);
      await allReduce(t, bits);
      return { v: fromFloat16Bits(bits), sent: t.counters.bytesSent };
    });
    for (const o of out) {
      expect(o.v).toEqual(want);
      expect(o.sent).toBe(collectiveBytes('all-reduce', len * 2, n));
    }
  });

  it('rejects a message of the wrong length with a message naming both sizes', async () => {
    const [a, b] = localTransports(2, kind);
    try {
      await a.send(1, new Float32Array(5));
      await expect(b.recv(0, new Float32Array(4))).rejects.toThrow(/message from rank 0 holds 5 float32 values; the receiver expected 4 float32 values/);
      await expect(a.send(0, new Float32Array(1))).rejects.toThrow(/rank 0 cannot exchange messages with rank 0/);
    } finally {
      a.close();
      b.close();
    }
  });

  it('a rank that fails aborts the others instead of leaving them waiting', async () => {
    const err = await runLocalRanks(3, kind, async (t) => {
      if (t.rank === 1) throw new Error('rank 1 ran out of memory');
      await allReduce(t, new Float32Array(30));
      return 0;
    }).catch((e: Error) => e);
    expect((err as Error).message).toBe('rank 1 ran out of memory');
  });
});

describe('abortMesh', () => {
  it('wakes a rank blocked on a receive from a dead peer with an error', async () => {
    const mesh = sharedMesh(2, { capacityBytes: 1024 });
    const t = new SharedTransport(0, mesh);
    const pending = t.recv(1, new Float32Array(3));
    abortMesh(mesh);
    await expect(pending).rejects.toThrow(/link 1 → 0 was closed/);
  });
});
