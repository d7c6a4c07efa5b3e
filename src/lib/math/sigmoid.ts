/** The logistic function σ(z) = 1/(1 + e^−z), without overflow for large |z| (e^z is only taken for z < 0). */
export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
