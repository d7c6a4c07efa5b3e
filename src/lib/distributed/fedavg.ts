/**
 * Federated averaging (McMahan et al. 2017): the server's new model is the average of the clients'
 * models weighted by how many samples each trained on, w = Σ n_k·w_k / Σ n_k.
 */
import { DistributedError, ensure } from './errors';

/** The size-weighted average of the clients' weights (accumulated in float64, returned as float32). */
export function fedAvg(clientWeights: Float32Array[], clientSizes: number[]): Float32Array {
  ensure(Array.isArray(clientWeights) && clientWeights.length >= 1, 'fedAvg needs at least one client\'s weights.');
  ensure(Array.isArray(clientSizes) && clientSizes.length === clientWeights.length, `fedAvg needs one size per client: ${clientWeights.length} weight vectors but ${Array.isArray(clientSizes) ? clientSizes.length : 'no'} sizes.`);
  const len = clientWeights[0]?.length;
  clientWeights.forEach((w, k) => {
    if (!(w instanceof Float32Array)) throw new DistributedError(`clientWeights[${k}] must be a Float32Array.`);
    if (w.length !== len) throw new DistributedError(`clientWeights must all have the same length: client 0 has ${len} values, client ${k} has ${w.length}.`);
  });
  clientSizes.forEach((n, k) => {
    if (!Number.isFinite(n) || n < 0) throw new DistributedError(`clientSizes[${k}] must be a finite number of at least 0; it is ${String(n)}.`);
  });
  const total = clientSizes.reduce((a, b) => a + b, 0);
  ensure(total > 0, 'fedAvg needs at least one client with a positive size; all sizes are 0.');
  const acc = new Float64Array(len);
  clientWeights.forEach((w, k) => {
    const f = clientSizes[k] / total;
    if (f === 0) return;
    for (let i = 0; i < len; i++) acc[i] += f * w[i];
  });
  return Float32Array.from(acc);
}
