/**
 * Content hashes for the flow cache and lineage: SHA-256 (FIPS 180-4) in plain TypeScript, so it is
 * synchronous and works where WebCrypto does not (plain-http pages, where crypto.subtle is absent),
 * and a canonical encoding of values, so equal data hashes equal whatever its key order.
 */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Incremental SHA-256: update() with bytes as they come, digest() once. */
export class Sha256 {
  private h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  private block = new Uint8Array(64);
  private used = 0;
  private length = 0;
  private w = new Int32Array(64);

  update(bytes: Uint8Array): this {
    let i = 0;
    this.length += bytes.length;
    // Fill a partly used block first, then compress whole blocks straight from the input.
    if (this.used > 0) {
      const take = Math.min(64 - this.used, bytes.length);
      this.block.set(bytes.subarray(0, take), this.used);
      this.used += take;
      i = take;
      if (this.used < 64) return this;
      this.compress(this.block, 0);
      this.used = 0;
    }
    for (; i + 64 <= bytes.length; i += 64) this.compress(bytes, i);
    if (i < bytes.length) {
      this.block.set(bytes.subarray(i), 0);
      this.used = bytes.length - i;
    }
    return this;
  }

  digest(): Uint8Array {
    const bits = this.length * 8;
    const pad = new Uint8Array((this.used < 56 ? 56 : 120) - this.used + 8);
    pad[0] = 0x80;
    const view = new DataView(pad.buffer);
    view.setUint32(pad.length - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(pad.length - 4, bits >>> 0);
    this.update(pad);
    const out = new Uint8Array(32);
    const o = new DataView(out.buffer);
    for (let k = 0; k < 8; k++) o.setUint32(4 * k, this.h[k]);
    return out;
  }

  private compress(b: Uint8Array, at: number): void {
    const w = this.w;
    for (let t = 0; t < 16; t++) {
      const k = at + 4 * t;
      w[t] = (b[k] << 24) | (b[k + 1] << 16) | (b[k + 2] << 8) | b[k + 3];
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    const H = this.h;
    let a = H[0] | 0, c1 = H[1] | 0, c2 = H[2] | 0, d = H[3] | 0, e = H[4] | 0, f = H[5] | 0, g = H[6] | 0, h = H[7] | 0;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & c1) ^ (a & c2) ^ (c1 & c2);
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c2;
      c2 = c1;
      c1 = a;
      a = (t1 + S0 + maj) | 0;
    }
    H[0] += a; H[1] += c1; H[2] += c2; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
  }
}

export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');

/** SHA-256 of bytes or of a string's UTF-8, as 64 hex digits. */
export function sha256(data: Uint8Array | string): string {
  return toHex(new Sha256().update(typeof data === 'string' ? new TextEncoder().encode(data) : data).digest());
}

const enc = new TextEncoder();

/**
 * SHA-256 of a value's canonical encoding: a type tag, then the content (object keys sorted, numbers
 * as their 8 IEEE bytes so −0, NaN and 1e-300 hash apart from 0, typed arrays as their raw bytes
 * with their type). Functions, symbols and class instances other than Date, Map, Set and typed
 * arrays are refused, so a cache key never silently ignores part of an input.
 */
export function hashValue(value: unknown): string {
  const h = new Sha256();
  const f64 = new Float64Array(1);
  const f64b = new Uint8Array(f64.buffer);
  const tag = (t: string) => h.update(enc.encode(t));
  const num = (x: number) => {
    f64[0] = x;
    h.update(f64b);
  };
  const str = (s: string) => {
    const b = enc.encode(s);
    num(b.length);
    h.update(b);
  };
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): void => {
    if (v === null) return void tag('n');
    switch (typeof v) {
      case 'undefined': return void tag('u');
      case 'boolean': return void tag(v ? 'T' : 'F');
      case 'number': tag('d'); return num(v);
      case 'bigint': tag('b'); return str(v.toString());
      case 'string': tag('s'); return str(v);
      case 'function':
      case 'symbol':
        throw new TypeError(`Cannot hash ${path}: a ${typeof v}.`);
    }
    const o = v as object;
    if (seen.has(o)) throw new TypeError(`Cannot hash ${path}: it refers to itself.`);
    seen.add(o);
    if (ArrayBuffer.isView(o)) {
      tag(`v${o.constructor.name}`);
      num(o.byteLength);
      h.update(new Uint8Array(o.buffer, o.byteOffset, o.byteLength));
    } else if (o instanceof ArrayBuffer) {
      tag('B');
      num(o.byteLength);
      h.update(new Uint8Array(o));
    } else if (Array.isArray(o)) {
      tag('a');
      num(o.length);
      o.forEach((x, i) => walk(x, `${path}[${i}]`));
    } else if (o instanceof Date) {
      tag('t');
      num(o.getTime());
    } else if (o instanceof Map) {
      tag('m');
      const entries = [...o.entries()].map(([k, x]) => [hashValue(k), x] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
      num(entries.length);
      for (const [k, x] of entries) {
        tag(k);
        walk(x, `${path}.get(…)`);
      }
    } else if (o instanceof Set) {
      tag('S');
      const keys = [...o].map(hashValue).sort();
      num(keys.length);
      for (const k of keys) tag(k);
    } else {
      const proto = Object.getPrototypeOf(o);
      if (proto !== Object.prototype && proto !== null) throw new TypeError(`Cannot hash ${path}: an instance of ${proto?.constructor?.name ?? 'a class'}.`);
      const keys = Object.keys(o).sort();
      tag('o');
      num(keys.length);
      for (const k of keys) {
        str(k);
        walk((o as Record<string, unknown>)[k], `${path}.${k}`);
      }
    }
    seen.delete(o);
  };
  walk(value, 'the value');
  return toHex(h.digest());
}
