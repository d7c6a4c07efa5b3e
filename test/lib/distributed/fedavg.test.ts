import { describe, expect, it } from 'vitest';
import { fedAvg } from '../../../src/lib/distributed/fedavg.ts';
import { DistributedError } from '../../../src/lib/distributed/errors.ts';

describe('fedAvg', () => {
  it('weights each client by its sample count: (10·[1,2] + 30·[5,−2]) / 40 = [4, −1]', () => {
    expect(Array.from(fedAvg([Float32Array.of(1, 2), Float32Array.of(5, -2)], [10, 30]))).toEqual([4, -1]);
  });

  it('equals the plain mean for equal sizes and ignores a client of size 0', () => {
    const w = [Float32Array.of(1, 1, 1), Float32Array.of(3, 5, 7), Float32Array.of(100, 100, 100)];
    expect(Array.from(fedAvg(w, [2, 2, 0]))).toEqual([2, 3, 4]);
  });

  it('accumulates in float64: 1e8 clients of 1 and one of 1e8 do not lose the small ones', () => {
    const out = fedAvg([Float32Array.of(1), Float32Array.of(3)], [1e8, 1e8]);
    expect(out[0]).toBe(2);
  });

  it.each([
    [[], [], /at least one client/],
    [[Float32Array.of(1)], [1, 2], /one size per client: 1 weight vectors but 2 sizes/],
    [[Float32Array.of(1), Float32Array.of(1, 2)], [1, 1], /same length: client 0 has 1 values, client 1 has 2/],
    [[Float32Array.of(1), Float32Array.of(1)], [1, -3], /clientSizes\[1\] must be a finite number of at least 0; it is -3/],
    [[Float32Array.of(1), Float32Array.of(1)], [0, 0], /positive size/],
    [[[1] as never], [1], /clientWeights\[0\] must be a Float32Array/],
  ])('refuses bad input with a message naming it (%#)', (w, n, message) => {
    expect(() => fedAvg(w as Float32Array[], n as number[])).toThrow(DistributedError);
    expect(() => fedAvg(w as Float32Array[], n as number[])).toThrow(message);
  });
});
