"""Reference values for test/lib/eval/imbalance.test.ts: class-weighted logistic regression.

Run with Debian's python (it has scikit-learn):  /usr/bin/python3 make_imbalance_refs.py
Writes imbalance_refs.json beside this file. sklearn's objective is
  C * sum_i s_i * logloss_i + 0.5 * ||w||^2   (intercept unpenalised),
with s_i = class_weight[y_i]; trainLogistic minimises sum_i s_i * logloss_i + l2/2 * ||w||^2, so l2 = 1/C.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.utils.class_weight import compute_sample_weight

rng = np.random.default_rng(7)
cases = []
for name, n, rate, cols, C, cw in [
    ("balanced_5pct", 400, 0.05, 3, 1.0, "balanced"),
    ("balanced_2pct_weak_l2", 600, 0.02, 4, 10.0, "balanced"),
    ("dict_1_to_20", 500, 0.04, 2, 0.5, {0: 1.0, 1: 20.0}),
]:
    y = (rng.random(n) < rate).astype(int)
    y[:3] = 1  # at least a few positives
    X = rng.normal(size=(n, cols)) + 0.9 * y[:, None] * np.linspace(1, 0.3, cols)
    m = LogisticRegression(C=C, class_weight=cw, solver="lbfgs", tol=1e-12, max_iter=10000).fit(X, y)
    sw = compute_sample_weight(cw, y)
    cases.append({
        "name": name,
        "X": X.ravel().tolist(),
        "rows": n,
        "cols": cols,
        "y": y.tolist(),
        "l2": 1.0 / C,
        "classWeight": cw if isinstance(cw, str) else {str(k): v for k, v in cw.items()},
        "sampleWeight": sw.tolist(),
        "weights": m.coef_[0].tolist(),
        "intercept": float(m.intercept_[0]),
    })

out = {"sklearn": sklearn.__version__, "cases": cases}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "imbalance_refs.json"), "w") as f:
    json.dump(out, f)
print("wrote", len(cases), "cases with sklearn", sklearn.__version__)
