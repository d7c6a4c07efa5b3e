/** CUPED (Deng et al. 2013): variance reduction with a pre-experiment covariate. */
import { checkFinite, checkSample, fail } from './errors';

export interface CupedOptions {
  /** Use this θ instead of estimating it (estimate once on both arms pooled, then adjust each arm). */
  theta?: number;
}

export interface CupedResult {
  /** θ = cov(y, x) / var(x): the OLS slope of y on the covariate. */
  theta: number;
  /** yᵢ − θ·(xᵢ − x̄): same mean as y, smaller variance. */
  adjusted: Float64Array;
  /** 1 − var(adjusted)/var(y); equals corr(y, x)² when θ is estimated on these data. */
  varianceReduction: number;
}

export function cuped(y: ArrayLike<number>, covariate: ArrayLike<number>, options: CupedOptions = {}): CupedResult {
  checkSample('y', y, 2);
  checkSample('covariate', covariate, 2);
  const n = y.length;
  if (covariate.length !== n) fail(`y has ${n} values but covariate has ${covariate.length}`);
  let my = 0;
  let mx = 0;
  for (let i = 0; i < n; i++) {
    my += y[i];
    mx += covariate[i];
  }
  my /= n;
  mx /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = covariate[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(syy > 0)) fail('cuped needs y to vary');
  let theta: number;
  if (options.theta !== undefined) {
    checkFinite('theta', options.theta);
    theta = options.theta;
  } else {
    if (!(sxx > 0)) fail('cuped needs the covariate to vary');
    theta = sxy / sxx;
  }
  const adjusted = new Float64Array(n);
  let saa = 0;
  for (let i = 0; i < n; i++) {
    adjusted[i] = y[i] - theta * (covariate[i] - mx);
    saa += (adjusted[i] - my) ** 2;
  }
  return { theta, adjusted, varianceReduction: 1 - saa / syy };
}
