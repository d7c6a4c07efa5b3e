"""Reference percentiles for test/lib/serve/serve-logic.test.ts: numpy's default ('linear')
percentile of fixed arrays. Run with the system python: /usr/bin/python3 percentile_reference.py"""
import json, os
import numpy as np

rng = np.random.default_rng(20261123)
cases = []
for n in [1, 2, 5, 10, 101, 1000]:
    x = np.round(rng.lognormal(mean=1.0, sigma=0.8, size=n), 6)
    ps = [0, 1, 25, 50, 90, 95, 99, 99.9, 100]
    cases.append({"values": x.tolist(), "p": ps, "expected": [float(np.percentile(x, p)) for p in ps]})
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "percentile_reference.json")
with open(out, "w") as f:
    json.dump({"numpy": np.__version__, "method": "linear", "cases": cases}, f)
print("wrote", out)
