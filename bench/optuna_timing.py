#!/usr/bin/python3
"""Time Optuna 3.1's TPESampler on Hartmann-6 (50 trials per study), for the `mlops` bench section.

    /usr/bin/python3 bench/optuna_timing.py [studies]
Prints one JSON line: Optuna's version and the wall time of each study in ms. The best values for
the quality comparison are in test/lib/mlops/refs/refs.json (test/lib/mlops/refs/make_refs.py).
"""
import json
import math
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
ALPHA = [1.0, 1.2, 3.0, 3.2]


def hartmann6(t):
    x = [t.suggest_float(f"x{i}", 0, 1) for i in range(1, 7)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


def main():
    studies = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    ms = []
    for seed in range(studies):
        t0 = time.perf_counter()
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        study.optimize(hartmann6, n_trials=50)
        ms.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"optuna": optuna.__version__, "studyMs": ms}))


if __name__ == "__main__":
    main()
