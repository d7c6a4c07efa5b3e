#!/usr/bin/python3
"""Reference values for test/lib/drift, computed with Debian's numpy and scipy.

Run with the system python (python3-scipy):
    /usr/bin/python3 test/lib/drift/refs/make_refs.py
It rewrites refs.json beside this file. Inputs are seeded numpy draws written into the JSON,
so the TypeScript side computes on exactly the same numbers.
"""
import json
import os

import numpy as np
import scipy
import scipy.stats as st
from scipy.spatial.distance import jensenshannon

rng = np.random.default_rng(20261123)


def r(xs):
    return [float(x) for x in xs]


def psi_numpy(ref, cur, bins=10, eps=1e-4):
    """PSI as documented in src/lib/drift/stats.ts: reference quantile edges, side='right' bins."""
    ref = np.asarray(ref)
    cur = np.asarray(cur)
    edges = np.unique(np.quantile(ref, np.arange(1, bins) / bins))  # numpy 'linear' quantiles
    e = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1) / len(ref)
    a = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1) / len(cur)
    e = np.maximum(e, eps)
    a = np.maximum(a, eps)
    return float(np.sum((a - e) * np.log(a / e)))


samples = {
    "small_equal": (rng.normal(0, 1, 20), rng.normal(0.8, 1, 20)),
    "unequal": (rng.normal(0, 1, 37), rng.normal(0.3, 1.5, 53)),
    "same_dist": (rng.normal(0, 1, 300), rng.normal(0, 1, 400)),
    "tiny_p": (rng.normal(0, 1, 200), rng.normal(1.5, 1, 150)),
    "ties": (np.round(rng.normal(0, 2, 60)), np.round(rng.normal(0.5, 2, 45))),
    # asymptotic p-values (method='asymp' on both sides; 'auto' picks it above 10,000 values)
    "asymp": (rng.normal(0, 1, 2000), rng.normal(0.08, 1, 3000)),
    "asymp_lognormal": (rng.lognormal(0, 1, 2500), rng.lognormal(0.05, 1, 1500)),
}

ks = []
for name, (a, b) in samples.items():
    a, b = np.round(a, 4), np.round(b, 4)
    method = "asymp" if name.startswith("asymp") else "exact"
    res = st.ks_2samp(a, b, method=method)
    en = len(a) * len(b) / (len(a) + len(b))
    ks.append({
        "name": name,
        "a": r(a),
        "b": r(b),
        "statistic": float(res.statistic),
        "pValue": float(res.pvalue),
        "method": method,
        "pKolmogorov": float(st.kstwobign.sf(np.sqrt(en) * res.statistic)),
    })

wasserstein = []
for name, (a, b) in samples.items():
    a, b = np.round(a, 4), np.round(b, 4)
    if len(a) > 1000:
        continue
    wasserstein.append({"name": name, "a": r(a), "b": r(b), "distance": float(st.wasserstein_distance(a, b))})

psi = []
for name, (a, b) in samples.items():
    a, b = np.round(a, 4), np.round(b, 4)
    if len(a) > 1000:
        continue
    for bins in (10, 5):
        psi.append({"name": name, "bins": bins, "a": r(a), "b": r(b), "psi": psi_numpy(a, b, bins)})
# a discrete feature (duplicate quantile edges) and an empty current bin
disc_a = rng.integers(0, 4, 500)
disc_b = rng.integers(0, 3, 400)
psi.append({"name": "discrete", "bins": 10, "a": r(disc_a), "b": r(disc_b), "psi": psi_numpy(disc_a, disc_b, 10)})

chi2 = []
for name, ref, cur in [
    ("four", [120, 80, 40, 10], [100, 90, 30, 30]),
    ("equal_shares", [50, 30, 20], [100, 60, 40]),
    ("new_category", [500, 300, 200, 0], [420, 280, 190, 110]),
    ("unseen_both", [70, 0, 30], [60, 0, 45]),
]:
    keep = [i for i in range(len(ref)) if ref[i] + cur[i] > 0]
    table = np.array([[ref[i] for i in keep], [cur[i] for i in keep]])
    stat, p, dof, _ = st.chi2_contingency(table, correction=False)
    chi2.append({"name": name, "ref": ref, "cur": cur, "statistic": float(stat), "pValue": float(p), "dof": int(dof)})

js = []
for name, p, q in [
    ("probs", [0.1, 0.4, 0.5], [0.3, 0.3, 0.4]),
    ("counts", [10, 20, 30, 40], [40, 30, 20, 10]),
    ("zeros", [1, 0, 0], [0, 1, 0]),
    ("one_zero", [5, 5, 0], [3, 3, 4]),
    ("same", [2, 3, 5], [4, 6, 10]),
]:
    js.append({"name": name, "p": p, "q": q, "distance": float(jensenshannon(p, q))})

out = {
    "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
    "ks": ks,
    "psi": psi,
    "chi2": chi2,
    "js": js,
    "wasserstein": wasserstein,
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "refs.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
