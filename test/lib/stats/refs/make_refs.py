#!/usr/bin/python3
"""Reference values for test/lib/stats, computed with Debian's scipy and statsmodels.

Run with the system python (which has python3-scipy and python3-statsmodels):
    /usr/bin/python3 test/lib/stats/refs/make_refs.py
It rewrites refs.json beside this file. The inputs are fixed (seeded numpy data), so the output
is reproducible; the library versions used are recorded in the JSON.
"""
import json
import math
import os

import mpmath as mp
import numpy as np
import scipy
import scipy.integrate
import scipy.optimize
import scipy.special as sp
import scipy.stats as st
import sklearn
import statsmodels
from sklearn.linear_model import LinearRegression
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW
from statsmodels.stats.weightstats import ttest_ind as sm_ttest_ind


def f(x):
    return float(x)


def t_quantile_mp(p, df):
    mp.mp.dps = 40
    nu = mp.mpf(df)

    def cdf(t):
        tail = mp.betainc(nu / 2, mp.mpf(1) / 2, 0, nu / (nu + t * t), regularized=True) / 2
        return tail if t < 0 else 1 - tail

    t0 = mp.mpf(st.t.ppf(p, df))
    return f(mp.findroot(lambda t: cdf(t) - mp.mpf(p), t0, tol=mp.mpf(10) ** -35))


def dist_refs():
    out = {}
    xs = [-37.5, -20, -10, -5, -3, -1.96, -1, -0.5, -1e-8, 0, 1e-3, 0.7, 1.5, 2.5, 5, 8]
    out["normalCdf"] = [[x, f(st.norm.cdf(x))] for x in xs]
    out["normalSf"] = [[x, f(st.norm.sf(x))] for x in xs]
    ps = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.02, 0.025, 0.1, 0.3, 0.5, 0.6, 0.9, 0.975, 0.99, 0.999999]
    out["normalQuantile"] = [[p, f(st.norm.ppf(p))] for p in ps]
    dfs = [1, 2, 3, 4.5, 7, 10, 29.7, 100, 1234.5, 1e5, 1e7]
    ts = [-40, -6, -2.5, -1, -0.2, 0, 0.05, 1.3, 3, 12]
    out["studentTCdf"] = [[t, df, f(st.t.cdf(t, df))] for df in dfs for t in ts]
    out["studentTSf"] = [[t, df, f(st.t.sf(t, df))] for df in dfs for t in ts]
    tps = [1e-12, 1e-6, 0.001, 0.025, 0.1, 0.4, 0.6, 0.975, 0.999]
    # scipy's t.ppf (cdflib/boost inversion) is only good to ~1e-10 relative (t.ppf(0.4, 2) is off by 3e-10
    # from the closed form), so the quantile reference is solved to 40 digits with mpmath instead.
    out["studentTQuantile"] = [[p, df, t_quantile_mp(p, df)] for df in [1, 2, 3, 4.5, 10, 30, 100, 1e4] for p in tps]
    out["studentTQuantileScipy"] = [[p, df, f(st.t.ppf(p, df))] for df in [1, 2, 3, 4.5, 10, 30, 100, 1e4] for p in tps]
    ks = [1, 2, 3, 5, 10, 30, 100, 1000]
    cx = [0.01, 0.5, 1, 3, 7.8, 20, 50, 120, 900, 1100]
    out["chiSquareSf"] = [[x, k, f(st.chi2.sf(x, k))] for k in ks for x in cx]
    out["chiSquareCdf"] = [[x, k, f(st.chi2.cdf(x, k))] for k in ks for x in cx]
    out["lnGamma"] = [[x, f(sp.gammaln(x))] for x in [0.01, 0.5, 1, 1.5, 2, 3.7, 9.99, 10, 10.01, 50.5, 1000, 1e6]]
    ga = [0.1, 0.5, 1, 3, 10.5, 50, 500]
    gx = [0.01, 0.3, 1, 5, 12, 60, 520]
    out["gammaP"] = [[a, x, f(sp.gammainc(a, x))] for a in ga for x in gx]
    out["gammaQ"] = [[a, x, f(sp.gammaincc(a, x))] for a in ga for x in gx]
    ab = [(0.5, 0.5), (1, 3), (2.5, 7), (10, 10), (50, 0.5), (0.5, 50), (200, 300), (5000, 0.5)]
    bx = [0.001, 0.1, 0.3, 0.5, 0.7, 0.95, 0.9999]
    out["betaInc"] = [[x, a, b, f(sp.betainc(a, b, x))] for a, b in ab for x in bx]
    return out


def two_proportion_refs():
    cases = [
        (120, 1000, 150, 1000),
        (500, 10000, 560, 10000),
        (0, 50, 3, 60),
        (30, 30, 28, 30),
        (1, 7, 5, 9),
        (4821, 100000, 4700, 98000),
        (200, 1000, 200, 1000),
    ]
    out = []
    for sa, na, sb, nb in cases:
        z, p = proportions_ztest([sb, sa], [nb, na])
        lo, hi = confint_proportions_2indep(sb, nb, sa, na, method="wald", compare="diff", alpha=0.05)
        lo90, hi90 = confint_proportions_2indep(sb, nb, sa, na, method="wald", compare="diff", alpha=0.10)
        out.append({
            "args": [sa, na, sb, nb],
            "z": f(z), "pValue": f(p), "diff": sb / nb - sa / na,
            "ci": [f(lo), f(hi)], "ci90": [f(lo90), f(hi90)],
        })
    return out


def welch_refs():
    rng = np.random.default_rng(20240501)
    datasets = [
        ("normal, unequal n and variance", rng.normal(10, 2, 20), rng.normal(11, 4, 35)),
        ("lognormal revenue", rng.lognormal(1.0, 1.2, 200), rng.lognormal(1.1, 1.2, 180)),
        ("tiny samples", np.array([1.0, 2.5]), np.array([3.0, 3.5, 7.25])),
        ("one constant sample", np.array([5.0, 5.0, 5.0, 5.0]), rng.normal(4, 1, 12)),
        ("large, small effect", rng.normal(0, 1, 2000), rng.normal(0.05, 1.1, 2000)),
        ("b lower", rng.normal(3, 1, 40), rng.normal(2.2, 0.5, 25)),
    ]
    out = []
    for name, a, b in datasets:
        t_sp, p_sp = st.ttest_ind(b, a, equal_var=False)
        t_sm, p_sm, df_sm = sm_ttest_ind(b, a, usevar="unequal")
        cm = CompareMeans(DescrStatsW(b), DescrStatsW(a))
        lo, hi = cm.tconfint_diff(alpha=0.05, usevar="unequal")
        out.append({
            "name": name, "a": a.tolist(), "b": b.tolist(),
            "t": f(t_sp), "pValue": f(p_sp), "tStatsmodels": f(t_sm), "df": f(df_sm),
            "diff": f(b.mean() - a.mean()), "ci": [f(lo), f(hi)],
        })
    return out


def srm_refs():
    cases = [
        ([5000, 5100], [0.5, 0.5]),
        ([10321, 9679], [0.5, 0.5]),
        ([2000, 1000, 1060], [0.5, 0.25, 0.25]),
        ([100, 0], [0.9, 0.1]),
        ([8950, 1050], [0.9, 0.1]),
        ([3, 9, 4, 4], [0.25, 0.25, 0.25, 0.25]),
    ]
    out = []
    for obs, shares in cases:
        exp = np.array(shares) * sum(obs)
        chi2, p = st.chisquare(obs, f_exp=exp)
        out.append({"observed": obs, "shares": shares, "chi2": f(chi2), "pValue": f(p)})
    return out


def sample_size_refs():
    cases = [
        (0.1, 0.01, 0.05, 0.8),
        (0.2, 0.05, 0.05, 0.8),
        (0.05, 0.005, 0.01, 0.9),
        (0.5, -0.02, 0.05, 0.8),
        (0.02, 0.002, 0.1, 0.95),
        (0.3, 0.1, 0.05, 0.8),
    ]
    out = []
    for p1, d, alpha, power in cases:
        p2 = p1 + d
        za, zb = st.norm.ppf(1 - alpha / 2), st.norm.ppf(power)
        pbar = (p1 + p2) / 2
        classic = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / d ** 2
        # statsmodels: pooled null sd, unpooled alternative sd, one tail (the same formula, coded independently).
        sm_pooled = samplesize_proportions_2indep_onetail(d, p1, power, ratio=1, alpha=alpha, alternative="two-sided")
        h = proportion_effectsize(p2, p1)
        sm_h = NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power, ratio=1, alternative="two-sided")
        n = math.ceil(classic)

        def z_power(m):
            # Power of the pooled two-sided z-test with m per arm, both tails, normal approximation.
            se0 = math.sqrt(2 * pbar * (1 - pbar) / m)
            se1 = math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / m)
            return f(st.norm.sf((za * se0 - abs(d)) / se1) + st.norm.cdf((-za * se0 - abs(d)) / se1))

        out.append({
            "baselineRate": p1, "minDetectableEffect": d, "alpha": alpha, "power": power,
            "classic": f(classic), "statsmodelsPooled": f(sm_pooled), "statsmodelsCohensH": f(sm_h),
            "powerAtN": z_power(n), "powerAtNMinus1": z_power(n - 1),
        })
    return out


def cuped_refs():
    rng = np.random.default_rng(7)
    out = []
    for name, slope, noise in [("strong positive", 0.8, 1.0), ("weak negative", -0.3, 2.0)]:
        x = rng.gamma(2.0, 3.0, 300)
        y = 2 + slope * x + rng.normal(0, noise, 300)
        theta = LinearRegression().fit(x.reshape(-1, 1), y).coef_[0]
        adj = y - theta * (x - x.mean())
        out.append({
            "name": name, "y": y.tolist(), "x": x.tolist(), "theta": f(theta),
            "varianceReduction": f(1 - adj.var(ddof=1) / y.var(ddof=1)),
            "corr2": f(np.corrcoef(x, y)[0, 1] ** 2),
            "adjustedHead": adj[:5].tolist(), "adjustedMean": f(adj.mean()),
        })
    return out


def multiple_refs():
    rng = np.random.default_rng(11)
    families = [
        [0.01, 0.04, 0.03, 0.005, 0.5, 0.2, 0.049],
        np.concatenate([rng.uniform(0, 1, 40), rng.uniform(0, 0.002, 10)]).tolist(),
        [0.001, 0.001, 0.02, 0.02, 1.0],
    ]
    out = []
    for ps in families:
        for level in (0.05, 0.1):
            bh = multipletests(ps, alpha=level, method="fdr_bh")
            bo = multipletests(ps, alpha=level, method="bonferroni")
            out.append({
                "pValues": ps, "level": level,
                "bhRejected": [bool(r) for r in bh[0]], "bhAdjusted": [f(v) for v in bh[1]],
                "bonfRejected": [bool(r) for r in bo[0]], "bonfAdjusted": [f(v) for v in bo[1]],
            })
    return out


def msprt_refs():
    # Mixture likelihood ratio by numerical integration: ∫ N(d; θ, V) N(θ; 0, τ²) dθ / N(d; 0, V).
    out = {"logLikelihoodRatio": [], "optimalRatio": []}
    for d, v, tau2 in [(0.01, 1e-4, 8e-4), (-0.003, 2e-6, 1e-5), (0.0, 5e-5, 1e-3), (0.2, 0.01, 0.05)]:
        sd, tau = math.sqrt(v), math.sqrt(tau2)
        num, _ = scipy.integrate.quad(
            lambda th: st.norm.pdf(d, th, sd) * st.norm.pdf(th, 0, tau), -12 * tau, 12 * tau, epsabs=0, epsrel=1e-13, limit=400,
            points=[d],
        )
        out["logLikelihoodRatio"].append([d, v, tau2, f(math.log(num / st.norm.pdf(d, 0, sd)))])
    for alpha in (0.05, 0.01, 0.1):
        a = -2 * math.log(alpha)
        boundary = lambda r: (1 + 1 / r) * (a + math.log1p(r))  # z² needed to reject, as a function of τ²/V
        res = scipy.optimize.minimize_scalar(boundary, bounds=(0.01, 1000), method="bounded", options={"xatol": 1e-10})
        out["optimalRatio"].append([alpha, f(res.x), f(boundary(res.x))])
    return out


def main():
    refs = {
        "generatedBy": "test/lib/stats/refs/make_refs.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__,
                     "sklearn": sklearn.__version__, "mpmath": mp.__version__},
        "dist": dist_refs(),
        "twoProportion": two_proportion_refs(),
        "welch": welch_refs(),
        "srm": srm_refs(),
        "sampleSize": sample_size_refs(),
        "cuped": cuped_refs(),
        "multiple": multiple_refs(),
        "msprt": msprt_refs(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "refs.json")
    with open(path, "w") as fh:
        # One line per section keeps the file small and its diffs readable.
        fh.write("{\n")
        items = list(refs.items())
        for i, (key, value) in enumerate(items):
            body = json.dumps(value, separators=(",", ":"), allow_nan=False)
            fh.write(f" {json.dumps(key)}: {body}{',' if i < len(items) - 1 else ''}\n")
        fh.write("}\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
