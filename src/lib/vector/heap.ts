/** A binary min-heap of (key, id) pairs in typed arrays; negate keys for a max-heap. */
export class MinHeap {
  keys: Float64Array;
  ids: Int32Array;
  size = 0;
  constructor(capacity = 64) {
    this.keys = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
  }
  clear(): void {
    this.size = 0;
  }
  get topKey(): number {
    return this.keys[0];
  }
  get topId(): number {
    return this.ids[0];
  }
  push(key: number, id: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2), v = new Int32Array(this.size * 2);
      k.set(this.keys); v.set(this.ids);
      this.keys = k; this.ids = v;
    }
    let i = this.size++;
    const { keys, ids } = this;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] <= key) break;
      keys[i] = keys[p]; ids[i] = ids[p]; i = p;
    }
    keys[i] = key; ids[i] = id;
  }
  pop(): void {
    const { keys, ids } = this;
    const n = --this.size;
    if (n <= 0) return;
    const key = keys[n], id = ids[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && keys[c + 1] < keys[c]) c++;
      if (keys[c] >= key) break;
      keys[i] = keys[c]; ids[i] = ids[c]; i = c;
    }
    keys[i] = key; ids[i] = id;
  }
}
