#!/usr/bin/python3
"""Reference values for test/lib/mlops, from Debian's Optuna 3.1, scipy and numpy.

Run with the system python (python3-optuna, python3-scipy, python3-sklearn):
    /usr/bin/python3 test/lib/mlops/refs/make_refs.py
It rewrites refs.json beside this file (about four minutes on 2 cores; `--parzen-only` refreshes
everything but the 2,400 Optuna studies in seconds). Inputs are fixed and seeded, so
the output is reproducible; library versions are recorded in the JSON.

What it holds:
- parzen: the log densities of Optuna's own _ParzenEstimator (the TPE defaults: prior weight 1,
  magic clip, no endpoints, default weights) on fixed observations, for a linear float, a log float,
  an int and a categorical: src/lib/mlops/tpe.ts must match them to 1e-9. For floats the reference
  mixes scipy's truncnorm over Optuna's centres, widths and weights, because Optuna 3.1's own
  log_pdf omits each component's −ln σ (kept as optunaLogPdf).
- studies: the best value after 50 trials of Optuna's TPESampler and RandomSampler over seeds 0..19 on
  Branin, Hartmann-6 and the noisy quadratic with a categorical (the same functions as
  src/lib/mlops/testfns.ts; the quadratic's noise comes from numpy here, from mulberry32 there).
- mannwhitney: scipy.stats.mannwhitneyu on fixed samples with ties, each alternative.
- fanova: Optuna's FanovaImportanceEvaluator (seed 0) on 300 uniform samples of the Ishigami function.
"""
import json
import math
import os
import sys

import numpy as np
import optuna
import scipy
import scipy.special
import scipy.stats as st
import sklearn
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights

optuna.logging.set_verbosity(optuna.logging.WARNING)
HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = list(range(20))
TRIALS = 50

PARAMS = _ParzenEstimatorParameters(
    consider_prior=True, prior_weight=1.0, consider_magic_clip=True, consider_endpoints=False,
    weights=default_weights, multivariate=False,
)


def parzen_case(name, dist, obs, points):
    """obs: parameter values as Optuna stores them (a choice's index); points: values to score."""
    dtype = int if isinstance(dist, CategoricalDistribution) else float
    pe = _ParzenEstimator({"x": np.asarray(obs, dtype=dtype)}, {"x": dist}, PARAMS)
    internal = [dist.to_internal_repr(p) for p in points]
    optuna_lp = pe.log_pdf({"x": np.asarray(internal, dtype=dtype)})
    lp = optuna_lp
    if isinstance(dist, FloatDistribution):
        # Optuna 3.1's _truncnorm.logpdf leaves out the −ln(scale) of a scaled density, so for floats
        # its log_pdf is not a density. The reference is the mixture with Optuna's own centres, widths
        # and weights, each component scipy's truncated normal.
        mus, sigmas, w = pe._mus["x"], pe._sigmas["x"], pe._weights
        low, high = pe._low["x"], pe._high["x"]
        xs = np.log(np.asarray(internal)) if dist.log else np.asarray(internal)
        lp = np.array([
            scipy.special.logsumexp(st.truncnorm.logpdf(x, (low - mus) / sigmas, (high - mus) / sigmas, loc=mus, scale=sigmas) + np.log(w))
            for x in xs
        ])
    d = {"float": FloatDistribution, "int": IntDistribution}
    if isinstance(dist, CategoricalDistribution):
        space = {"type": "categorical", "choices": list(dist.choices)}
    else:
        space = {"type": "int" if isinstance(dist, IntDistribution) else "float", "low": dist.low, "high": dist.high, "log": bool(dist.log)}
    return {"name": name, "space": space, "observations": [float(o) for o in obs], "points": points, "logPdf": [float(v) for v in lp], "optunaLogPdf": [float(v) for v in optuna_lp]}


def parzen_refs():
    rng = np.random.default_rng(5)
    lin = rng.uniform(-5, 10, 12)
    # 30 observations: the default weights ramp (n >= 25).
    logf = np.exp(rng.uniform(math.log(1e-4), math.log(1.0), 30))
    ints = rng.integers(2, 65, 9)
    cats = rng.integers(0, 4, 7)
    return [
        parzen_case("linear float, 12 observations", FloatDistribution(-5, 10), list(lin), [float(x) for x in np.linspace(-5, 10, 11)]),
        parzen_case("log float, 30 observations (ramped weights)", FloatDistribution(1e-4, 1.0, log=True), [float(x) for x in logf], [1e-4, 3e-4, 1e-3, 0.01, 0.05, 0.2, 1.0]),
        parzen_case("int, 9 observations", IntDistribution(2, 64), [float(x) for x in ints], [2, 3, 10, 17, 33, 50, 64]),
        parzen_case("categorical, 7 observations", CategoricalDistribution(["a", "b", "c", "d"]), [float(x) for x in cats], ["a", "b", "c", "d"]),
    ]


def branin(x1, x2):
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


H_ALPHA = [1.0, 1.2, 3.0, 3.2]
H_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def hartmann6(x):
    return -sum(H_ALPHA[i] * math.exp(-sum(H_A[i][j] * (x[j] - H_P[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


OFFSETS = {"a": 1.0, "b": 0.0, "c": 2.0}


def objective(name, seed):
    if name == "branin":
        return lambda t: branin(t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15))
    if name == "hartmann6":
        return lambda t: hartmann6([t.suggest_float(f"x{i}", 0, 1) for i in range(1, 7)])

    def quad(t):
        x = t.suggest_float("x", -5, 5)
        y = t.suggest_float("y", -5, 5)
        c = t.suggest_categorical("c", ["a", "b", "c"])
        noise = np.random.default_rng([seed, t.number]).normal(0, 0.1)
        return (x - 1) ** 2 + 0.5 * (y + 2) ** 2 + OFFSETS[c] + noise

    return quad


def study_refs():
    out = {}
    for name in ["branin", "hartmann6", "quadratic"]:
        res = {}
        for label, make in [("tpe", lambda s: optuna.samplers.TPESampler(seed=s)), ("random", lambda s: optuna.samplers.RandomSampler(seed=s))]:
            best = []
            for seed in SEEDS:
                study = optuna.create_study(sampler=make(seed))
                study.optimize(objective(name, seed), n_trials=TRIALS)
                best.append(study.best_value)
            res[label] = best
        out[name] = res
        print(name, {k: float(np.median(v)) for k, v in res.items()})
    return out


def mw_refs():
    x = [0.5, 0.7, 0.7, 1.2, 0.3, 0.9, 1.1, 0.7, 2.0, 0.4, 0.55, 0.8]
    y = [0.9, 1.3, 0.7, 1.8, 1.1, 1.5, 0.95, 2.2, 1.0, 1.3, 0.6]
    cases = []
    for alt in ["two-sided", "greater", "less"]:
        r = st.mannwhitneyu(x, y, alternative=alt, method="asymptotic", use_continuity=True)
        cases.append({"x": x, "y": y, "alternative": alt, "u": float(r.statistic), "p": float(r.pvalue)})
    rng = np.random.default_rng(3)
    a = list(np.round(rng.normal(0, 1, 20), 1))
    b = list(np.round(rng.normal(0.6, 1, 20), 1))
    for alt in ["two-sided", "greater", "less"]:
        r = st.mannwhitneyu(a, b, alternative=alt, method="asymptotic", use_continuity=True)
        cases.append({"x": [float(v) for v in a], "y": [float(v) for v in b], "alternative": alt, "u": float(r.statistic), "p": float(r.pvalue)})
    return cases


def fanova_refs():
    rng = np.random.default_rng(0)
    X = rng.uniform(-math.pi, math.pi, (300, 3))
    y = np.sin(X[:, 0]) + 7 * np.sin(X[:, 1]) ** 2 + 0.1 * X[:, 2] ** 4 * np.sin(X[:, 0])
    dists = {f"x{i + 1}": FloatDistribution(-math.pi, math.pi) for i in range(3)}
    study = optuna.create_study()
    study.add_trials([
        optuna.trial.create_trial(params={f"x{i + 1}": float(X[r, i]) for i in range(3)}, distributions=dists, value=float(y[r]))
        for r in range(len(y))
    ])
    imp = optuna.importance.get_param_importances(study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0))
    return {"points": X.tolist(), "values": y.tolist(), "importance": {k: float(v) for k, v in imp.items()}}


def versions():
    return {"optuna": optuna.__version__, "scipy": scipy.__version__, "numpy": np.__version__, "sklearn": sklearn.__version__}


def main():
    path = os.path.join(HERE, "refs.json")
    if sys.argv[1:] == ["--parzen-only"]:
        # Refresh the quick parts without the four-minute studies.
        with open(path) as f:
            out = json.load(f)
        out.update(versions=versions(), parzen=parzen_refs(), mannwhitney=mw_refs(), fanova=fanova_refs())
    else:
        out = {
            "versions": versions(),
            "parzen": parzen_refs(),
            "mannwhitney": mw_refs(),
            "fanova": fanova_refs(),
            "studies": {"trials": TRIALS, "seeds": SEEDS, "functions": study_refs()},
        }
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
