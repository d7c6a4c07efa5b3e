"""Reference values for test/lib/eval, computed independently of the TypeScript code.

Run with Debian's system python (scikit-learn 1.2, scipy, numpy):
    /usr/bin/python3 test/lib/eval/refs/make_refs.py
It writes refs.json beside this file. Every case is seeded, so the output is reproducible.

Sources: sklearn.metrics for curves, areas, Brier and calibration_curve; sklearn.isotonic for
isotonic regression; sklearn LogisticRegression, sklearn.calibration._sigmoid_calibration and a
scipy root solve of the likelihood gradient for Platt scaling; per-group sklearn confusion matrices with fairlearn's
definitions for fairness (fairlearn is not installed); sklearn.inspection.permutation_importance
and a closed-form expectation for permutation importance; brute-force Shapley sums over all
coalitions for SHAP.
"""
import itertools
import json
import math
import os

import numpy as np
import scipy.optimize
import sklearn
from sklearn.calibration import _sigmoid_calibration, calibration_curve
from sklearn.inspection import permutation_importance
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    mean_squared_error,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

HERE = os.path.dirname(os.path.abspath(__file__))


def fl(a):
    return [float(v) for v in np.asarray(a).ravel()]


def it(a):
    return [int(v) for v in np.asarray(a).ravel()]


# ---------------------------------------------------------------- ranking curves
def curve_cases():
    rng = np.random.default_rng(6)
    cases = []
    # sklearn's docstring example.
    cases.append(("docstring", np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])))
    # Heavy ties: scores rounded to one decimal, positives shifted up.
    y = (rng.random(60) < 0.4).astype(int)
    s = np.clip(np.round(0.35 + 0.25 * y + rng.normal(0, 0.2, 60), 1), 0, 1)
    cases.append(("ties", y, s))
    # Imbalance: 3% positives, two-decimal scores (some ties).
    y = (rng.random(500) < 0.03).astype(int)
    y[:2] = 1
    s = np.clip(np.round(0.2 + 0.3 * y + rng.normal(0, 0.15, 500), 2), 0, 1)
    cases.append(("imbalanced", y, s))
    # Unbounded integer scores (logit-like), many ties, mixed signs.
    y = (rng.random(80) < 0.5).astype(int)
    s = np.round(rng.normal(0, 2, 80) + 1.5 * y).astype(float)
    cases.append(("integer_scores", y, s))
    # Every score tied: AUC 1/2, AP = prevalence.
    y = np.array([1, 0, 0, 1, 0, 0, 0, 1])
    cases.append(("all_tied", y, np.full(8, 0.5)))
    # Perfect and inverted rankings.
    y = np.array([0, 0, 0, 1, 1])
    cases.append(("perfect", y, np.array([0.1, 0.2, 0.3, 0.8, 0.9])))
    cases.append(("inverted", y, np.array([0.9, 0.8, 0.7, 0.2, 0.1])))

    out = []
    for name, y, s in cases:
        fpr, tpr, th = roc_curve(y, s, drop_intermediate=False)
        fpr_c, tpr_c, th_c = roc_curve(y, s, drop_intermediate=True)
        prec, rec, pth = precision_recall_curve(y, s)
        thresholds = [float(t) for t in np.unique(s)] + [float(s.min()) - 1, float(s.max()) + 1]
        if s.min() >= 0 and s.max() <= 1:
            pts = [0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 0.99]
            nb = []
            n = len(y)
            for pt in pts:
                pred = s >= pt
                tp = int(np.sum(pred & (y == 1)))
                fp = int(np.sum(pred & (y == 0)))
                prev = y.mean()
                nb.append([tp / n - fp / n * pt / (1 - pt), prev - (1 - prev) * pt / (1 - pt)])
        else:
            pts, nb = [], []
        cms = []
        for t in thresholds:
            tn, fp, fn, tp = confusion_matrix(y, (s >= t).astype(int), labels=[0, 1]).ravel()
            cms.append({"threshold": t, "tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn)})
        out.append(
            {
                "name": name,
                "y": it(y),
                "scores": fl(s),
                "auc": float(roc_auc_score(y, s)),
                "ap": float(average_precision_score(y, s)),
                # sklearn 1.2 puts max(score) + 1 first; the TS code puts Infinity. Both dropped here.
                "roc": {"fpr": fl(fpr), "tpr": fl(tpr), "thresholds": fl(th[1:])},
                "rocCorners": {"fpr": fl(fpr_c), "tpr": fl(tpr_c), "thresholds": fl(th_c[1:])},
                "pr": {"precision": fl(prec), "recall": fl(rec), "thresholds": fl(pth)},
                "confusion": cms,
                "netBenefit": {"thresholds": pts, "model": [v[0] for v in nb], "treatAll": [v[1] for v in nb]},
            }
        )
    return out


# ---------------------------------------------------------------- calibration metrics
def calibration_cases():
    rng = np.random.default_rng(16)
    cases = []
    p = rng.beta(2, 3, 300)
    y = (rng.random(300) < p**1.5).astype(int)  # overconfident forecasts
    cases.append(("overconfident", y, p))
    # Values sitting exactly on bin edges, 0 and 1.
    p = np.array([0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 0.3, 0.30000000000000004, 0.6, 0.9, 0.95, 0.05])
    y = np.array([0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 0])
    cases.append(("edges", y, p))
    p = rng.random(40)
    cases.append(("one_class", np.zeros(40, dtype=int), p))
    out = []
    for name, y, p in cases:
        per_bins = []
        for bins in [5, 10, 15]:
            edges = np.linspace(0.0, 1.0, bins + 1)
            binids = np.searchsorted(edges[1:-1], p)
            counts = np.bincount(binids, minlength=bins)
            prob_true, prob_pred = calibration_curve(y, p, n_bins=bins, strategy="uniform")
            w = counts[counts > 0] / len(p)
            per_bins.append(
                {
                    "bins": bins,
                    "counts": it(counts),
                    "frequency": fl(prob_true),
                    "meanProb": fl(prob_pred),
                    "ece": float(np.sum(w * np.abs(prob_true - prob_pred))),
                }
            )
        out.append({"name": name, "y": it(y), "probs": fl(p), "brier": float(brier_score_loss(y, p)), "bins": per_bins})
    return out


# ---------------------------------------------------------------- calibrators
def calibrator_cases():
    rng = np.random.default_rng(26)
    out = []
    n = 200
    s = np.round(rng.normal(0, 1.5, n), 1)  # ties
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.8 * s - 0.3)))).astype(int)
    grid = np.concatenate([[s.min() - 1, s.max() + 1], np.unique(s), np.linspace(s.min(), s.max(), 41)])
    out.append(("logit_ties", s, y, grid))
    s = rng.random(120)
    y = (rng.random(120) < s**2).astype(int)
    out.append(("unit_scores", s, y, np.linspace(-0.1, 1.1, 61)))
    s = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    y = np.array([1, 0, 1, 0, 1, 1])
    out.append(("tiny", s, y, np.array([-1.0, 0.0, 0.5, 1.0, 1.5, 2.5, 4.0, 4.5, 5.0, 6.0])))

    cases = []
    for name, s, y, grid in out:
        iso = IsotonicRegression(out_of_bounds="clip").fit(s, y)

        def nll(ab, t):
            z = ab[0] * s + ab[1]
            return float(np.sum(t * np.logaddexp(0, -z) + (1 - t) * np.logaddexp(0, z)))

        def grad(ab, t):
            z = ab[0] * s + ab[1]
            r = 1 / (1 + np.exp(-z)) - t
            return np.array([np.sum(r * s), np.sum(r)])

        def hess(ab, _t):
            z = ab[0] * s + ab[1]
            p = 1 / (1 + np.exp(-z))
            w = p * (1 - p)
            return np.array([[np.sum(w * s * s), np.sum(w * s)], [np.sum(w * s), np.sum(w)]])

        def fit(t):
            # BFGS to get close, then MINPACK's hybrid root finder on the gradient to polish.
            start = scipy.optimize.minimize(nll, [0.0, 0.0], args=(t,), jac=grad, method="BFGS").x
            sol = scipy.optimize.root(grad, start, args=(t,), jac=hess, tol=1e-14)
            assert np.max(np.abs(grad(sol.x, t))) < 1e-9 * len(s), sol.message
            return sol.x

        npos, nneg = int(y.sum()), int(len(y) - y.sum())
        t_platt = np.where(y == 1, (npos + 1) / (npos + 2), 1 / (nneg + 2))
        fit_platt = fit(t_platt)
        fit_hard = fit(y.astype(float))
        A, B = _sigmoid_calibration(s, y)
        lr = LogisticRegression(C=1e12, tol=1e-12, max_iter=100000, solver="lbfgs").fit(s.reshape(-1, 1), y)
        cases.append(
            {
                "name": name,
                "scores": fl(s),
                "y": it(y),
                "grid": fl(grid),
                "isotonic": fl(iso.predict(grid)),
                "plattScipy": fl(fit_platt),
                "plattSklearn": [float(-A), float(-B)],
                "hardScipy": fl(fit_hard),
                "hardSklearnLR": [float(lr.coef_[0, 0]), float(lr.intercept_[0])],
            }
        )
    return cases


# ---------------------------------------------------------------- fairness
def fairness_case(name, y, yhat, g):
    sel, tpr, fpr = {}, {}, {}
    for grp in list(dict.fromkeys(g.tolist())):
        m = g == grp
        tn, fp, fn, tp = confusion_matrix(y[m], yhat[m], labels=[0, 1]).ravel()
        sel[grp] = (tp + fp) / m.sum()
        tpr[grp] = tp / (tp + fn)
        fpr[grp] = fp / (fp + tn)
    spread = lambda d: float(max(d.values()) - min(d.values()))  # noqa: E731
    return {
        "name": name,
        "y": it(y),
        "yPred": it(yhat),
        "groups": [v if isinstance(v, str) else float(v) for v in g.tolist()],
        "selectionRate": [float(v) for v in sel.values()],
        "tpr": [float(v) for v in tpr.values()],
        "fpr": [float(v) for v in fpr.values()],
        "dpd": spread(sel),
        "eod": max(spread(tpr), spread(fpr)),
        "eopp": spread(tpr),
        "dir": float(min(sel.values()) / max(sel.values())),
    }


def fairness_cases():
    rng = np.random.default_rng(36)
    n = 600
    g = rng.choice(np.array(["a", "b", "c", "d"]), n, p=[0.4, 0.3, 0.2, 0.1])
    base = {"a": 0.5, "b": 0.4, "c": 0.3, "d": 0.45}
    bias = {"a": 0.1, "b": 0.0, "c": -0.15, "d": 0.05}
    y = (rng.random(n) < np.array([base[v] for v in g])).astype(int)
    score = 0.3 * y + rng.random(n) * 0.7 + np.array([bias[v] for v in g])
    yhat = (score > 0.5).astype(int)
    two = rng.choice(np.array([0.0, 1.0]), 300)
    y2 = (rng.random(300) < 0.3 + 0.2 * two).astype(int)
    yhat2 = (rng.random(300) < 0.2 + 0.5 * y2 + 0.1 * two).astype(int)
    return [fairness_case("four_groups", y, yhat, g), fairness_case("numeric_two_groups", y2, yhat2, two)]


# ---------------------------------------------------------------- permutation importance
class Linear:
    """A fixed linear model: predict = X @ w + b (fit does nothing)."""

    def __init__(self, w, b):
        self.w, self.b = np.asarray(w), b

    def fit(self, X, y):
        return self

    def predict(self, X):
        return X @ self.w + self.b


def importance_case():
    rng = np.random.default_rng(46)
    n, w, b = 200, np.array([2.0, -1.0, 0.5, 0.0]), 0.3
    X = rng.normal(0, 1, (n, 4)) * np.array([1.0, 2.0, 1.0, 1.0])
    y = X @ w + b + rng.normal(0, 0.5, n) + 0.4 * X[:, 0] ** 2
    model = Linear(w, b)
    r = y - model.predict(X)
    # E over a uniformly random permutation of (MSE with x_j shuffled) − MSE:
    # 2·w_j²·var(x_j) + 2·w_j·cov(r, x_j), population moments.
    expected = [2 * w[j] ** 2 * X[:, j].var() + 2 * w[j] * (np.mean(r * X[:, j]) - r.mean() * X[:, j].mean()) for j in range(4)]
    pi = permutation_importance(model, X, y, scoring="neg_mean_squared_error", n_repeats=2000, random_state=0)
    return {
        "X": [fl(row) for row in X],
        "y": fl(y),
        "w": fl(w),
        "b": b,
        "baseline": float(-mean_squared_error(y, model.predict(X))),
        "expectedMean": [float(v) for v in expected],
        "sklearnRepeats": 2000,
        "sklearnMean": fl(pi.importances_mean),
        "sklearnStd": fl(pi.importances_std),
    }


# ---------------------------------------------------------------- SHAP
def model_nonlinear(X):
    X = np.atleast_2d(X)
    out = X[:, 0] * X[:, 1] + np.sin(X[:, 2]) - 0.5 * X[:, 3] ** 2
    for j in range(4, X.shape[1]):
        out = out + (0.3 + 0.1 * j) * np.tanh(X[:, j] * X[:, j - 4])
    return out


def exact_shapley(f, x, bg):
    M = len(x)
    v = {}
    for r in range(M + 1):
        for S in itertools.combinations(range(M), r):
            Xh = bg.copy()
            Xh[:, list(S)] = x[list(S)]
            v[S] = float(np.mean(f(Xh)))
    phi = np.zeros(M)
    for i in range(M):
        others = [j for j in range(M) if j != i]
        for r in range(M):
            wgt = math.factorial(r) * math.factorial(M - r - 1) / math.factorial(M)
            for S in itertools.combinations(others, r):
                Si = tuple(sorted(S + (i,)))
                phi[i] += wgt * (v[Si] - v[S])
    return phi, v[()], float(f(x)[0])


def shap_cases():
    rng = np.random.default_rng(56)
    cases = []
    for name, M, nbg in [("nonlinear_m5", 5, 20), ("nonlinear_m8", 8, 12), ("nonlinear_m12", 12, 10)]:
        bg = rng.normal(0, 1, (nbg, M))
        xs = rng.normal(0, 1.5, (2, M))
        expl = []
        for x in xs:
            phi, base, fx = exact_shapley(model_nonlinear, x, bg)
            expl.append({"x": fl(x), "phi": fl(phi), "base": base, "fx": fx})
        cases.append({"name": name, "background": [fl(r) for r in bg], "explanations": expl})
    return cases


def main():
    refs = {
        "generator": f"make_refs.py with scikit-learn {sklearn.__version__}, numpy {np.__version__}",
        "curves": curve_cases(),
        "calibration": calibration_cases(),
        "calibrators": calibrator_cases(),
        "fairness": fairness_cases(),
        "importance": importance_case(),
        "shap": shap_cases(),
    }
    with open(os.path.join(HERE, "refs.json"), "w") as fh:
        json.dump(refs, fh, indent=None, separators=(",", ":"))
        fh.write("\n")


if __name__ == "__main__":
    main()
