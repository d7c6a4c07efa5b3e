"""Times scikit-learn's class-weighted logistic regression on the rows bench/data-labs.mjs wrote.

usage: /usr/bin/python3 imbalance_reference.py DIR ROWS COLS REPS   (DIR holds X.f64 and y.f64, little-endian float64)
Prints one JSON line: median and every fit time (ms, after a warm-up fit), coefficients, intercept.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

d, n, cols, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
X = np.fromfile(f"{d}/X.f64", dtype="<f8").reshape(n, cols)
y = np.fromfile(f"{d}/y.f64", dtype="<f8").astype(int)
fit = lambda: LogisticRegression(C=1.0, class_weight="balanced", solver="lbfgs", tol=1e-10, max_iter=10000).fit(X, y)
fit()
ms = []
for _ in range(reps):
    t0 = time.perf_counter()
    m = fit()
    ms.append(1000 * (time.perf_counter() - t0))
print(json.dumps({"version": sklearn.__version__, "ms": ms, "medianMs": float(np.median(ms)), "coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0])}))
