"""Reference values for test/lib/compress, computed with numpy (run with Debian's /usr/bin/python3).

    /usr/bin/python3 test/lib/compress/refs/make_refs.py > test/lib/compress/refs/refs.json

Matrices are drawn from a seeded numpy generator and stored as float32 values, so the TypeScript
tests factorize exactly the matrices numpy did; singular values come from numpy.linalg.svd in
float64 of those float32 values. Percentiles use numpy's default linear interpolation.
"""
import json
import numpy as np

rng = np.random.default_rng(20261123)


def matrix(rows, cols, decay):
    # A spectrum that decays, like a trained layer's, plus noise: truncation errors then differ by rank.
    u, _ = np.linalg.qr(rng.standard_normal((rows, rows)))
    v, _ = np.linalg.qr(rng.standard_normal((cols, cols)))
    k = min(rows, cols)
    s = np.exp(-decay * np.arange(k))
    w = (u[:, :k] * s) @ v[:, :k].T + 0.01 * rng.standard_normal((rows, cols))
    return w.astype(np.float32)


svd = []
for rows, cols, decay in [(12, 8, 0.3), (20, 33, 0.15), (64, 10, 0.5)]:
    w = matrix(rows, cols, decay)
    s = np.linalg.svd(w.astype(np.float64), compute_uv=False)
    svd.append({"rows": rows, "cols": cols, "w": [float(x) for x in w.ravel()], "singularValues": [float(x) for x in s]})

samples = rng.standard_t(3, 2000).astype(np.float32)  # heavy tails: percentile ranges clip outliers
percentiles = {str(p): [float(np.percentile(samples.astype(np.float64), 100 - p)), float(np.percentile(samples.astype(np.float64), p))] for p in (99.99, 99.9, 99.0)}

print(json.dumps({"svd": svd, "calibration": {"samples": [float(x) for x in samples], "percentiles": percentiles, "min": float(samples.min()), "max": float(samples.max())}}))
