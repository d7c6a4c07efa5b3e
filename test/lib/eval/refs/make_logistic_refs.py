"""Reference values for logistic.ts, mitigation.ts and temperature.ts, computed independently.

Run with Debian's system python (scikit-learn 1.2, scipy):
    /usr/bin/python3 test/lib/eval/refs/make_logistic_refs.py
It writes logistic_refs.json beside this file. Every case is seeded.

- Plain and sample-weighted fits: sklearn LogisticRegression(C = 1/l2, newton-cg, tol 1e-11).
- Label smoothing: the soft-target loss equals a weighted fit on every row twice, once labelled 1
  with weight t and once labelled 0 with weight 1 - t; sklearn fits that.
- Fairness penalty: scipy.optimize.minimize (BFGS, analytic gradient) on the same objective,
  sum(loss) + l2/2 |w|^2 + lam * n * (mean p | g=0 - mean p | g=1)^2.
- Reweighing: w(g, y) = P(g) P(y) / P(g, y) from pandas-free counting (AIF360's formula).
- Temperature scaling: scipy.optimize.minimize_scalar on the log-loss of sigmoid(z / T).
"""
import json
import os

import numpy as np
import scipy.optimize
from scipy.special import expit, log1p
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))


def fl(a):
    return [float(v) for v in np.asarray(a).ravel()]


def make(seed, n, m):
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 1, (n, m)) * np.array([1, 2, 0.5, 1, 3][:m])
    w = np.array([1.0, -0.5, 2.0, 0.0, 0.3][:m])
    g = (rng.random(n) < 0.4).astype(int)
    X[:, -1] += 2 * g  # a proxy for the group
    z = X @ w - 0.5 + 0.8 * g
    y = (rng.random(n) < expit(z)).astype(int)
    return X, y, g, rng


def sk_fit(X, y, l2, sw=None):
    clf = LogisticRegression(C=1.0 / l2, solver="newton-cg", tol=1e-11, max_iter=10000)
    clf.fit(X, y, sample_weight=sw)
    return clf.coef_.ravel(), float(clf.intercept_[0])


cases = []
X, y, g, rng = make(1, 300, 4)
coef, b = sk_fit(X, y, 1.0)
cases.append({"name": "plain", "X": fl(X), "rows": 300, "cols": 4, "y": fl(y), "l2": 1.0, "weights": fl(coef), "intercept": b})
coef, b = sk_fit(X, y, 0.01)
cases.append({"name": "weak_l2", "X": fl(X), "rows": 300, "cols": 4, "y": fl(y), "l2": 0.01, "weights": fl(coef), "intercept": b})
sw = rng.uniform(0.2, 3, 300)
coef, b = sk_fit(X, y, 0.5, sw)
cases.append({"name": "sample_weight", "X": fl(X), "rows": 300, "cols": 4, "y": fl(y), "l2": 0.5, "sampleWeight": fl(sw), "weights": fl(coef), "intercept": b})
eps = 0.2
t = y * (1 - eps) + eps / 2
X2 = np.vstack([X, X])
y2 = np.concatenate([np.ones(300), np.zeros(300)])
sw2 = np.concatenate([t, 1 - t])
coef, b = sk_fit(X2, y2, 1.0, sw2)
cases.append({"name": "label_smoothing", "X": fl(X), "rows": 300, "cols": 4, "y": fl(y), "l2": 1.0, "labelSmoothing": eps, "weights": fl(coef), "intercept": b})

# Fairness penalty, by BFGS on the objective.
lam, l2 = 5.0, 1.0
n = len(y)


def obj(theta):
    w, b = theta[:-1], theta[-1]
    z = X @ w + b
    p = expit(z)
    loss = np.sum(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))
    gap = p[g == 0].mean() - p[g == 1].mean()
    return loss + l2 / 2 * np.dot(w, w) + lam * n * gap**2


def grad(theta):
    w, b = theta[:-1], theta[-1]
    Xb = np.hstack([X, np.ones((n, 1))])
    z = Xb @ theta
    p = expit(z)
    gr = Xb.T @ (p - y)
    gr[:-1] += l2 * w
    s = p * (1 - p)
    d = (Xb[g == 0] * s[g == 0, None]).mean(0) - (Xb[g == 1] * s[g == 1, None]).mean(0)
    gap = p[g == 0].mean() - p[g == 1].mean()
    return gr + 2 * lam * n * gap * d


res = scipy.optimize.minimize(obj, np.zeros(5), jac=grad, method="BFGS", options={"gtol": 1e-10, "maxiter": 10000})
p = expit(X @ res.x[:-1] + res.x[-1])
cases.append({"name": "fairness_penalty", "X": fl(X), "rows": 300, "cols": 4, "y": fl(y), "groups": fl(g), "l2": l2, "fairness": lam,
              "weights": fl(res.x[:-1]), "intercept": float(res.x[-1]), "objective": float(res.fun),
              "gap": float(p[g == 0].mean() - p[g == 1].mean())})
coef0, b0 = sk_fit(X, y, l2)
p0 = expit(X @ coef0 + b0)
cases[-1]["gapUnpenalised"] = float(p0[g == 0].mean() - p0[g == 1].mean())

# Reweighing.
rng = np.random.default_rng(3)
yy = (rng.random(50) < 0.3).astype(int)
gg = rng.integers(0, 3, 50)
w = np.empty(50)
for i in range(50):
    pg = np.mean(gg == gg[i])
    py = np.mean(yy == yy[i])
    pgy = np.mean((gg == gg[i]) & (yy == yy[i]))
    w[i] = pg * py / pgy
reweigh = {"y": fl(yy), "groups": fl(gg), "weights": fl(w)}

# Temperature scaling.
rng = np.random.default_rng(4)
z = rng.normal(0, 3, 400)
yt = (rng.random(400) < expit(z / 2.5)).astype(int)
r = scipy.optimize.minimize_scalar(lambda T: np.sum(yt * np.logaddexp(0, -z / T) + (1 - yt) * np.logaddexp(0, z / T)), bounds=(0.05, 20), method="bounded", options={"xatol": 1e-12})
temperature = {"logits": fl(z), "y": fl(yt), "temperature": float(r.x)}

with open(os.path.join(HERE, "logistic_refs.json"), "w") as f:
    json.dump({"logistic": cases, "reweighing": reweigh, "temperature": temperature}, f)
print("wrote logistic_refs.json")
