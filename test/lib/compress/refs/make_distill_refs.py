"""Reference values for test/lib/compress/distill.test.ts, computed with PyTorch (Debian's /usr/bin/python3).

    /usr/bin/python3 test/lib/compress/refs/make_distill_refs.py > test/lib/compress/refs/distill.json

The loss is written with torch's own building blocks, independently of the TypeScript:
    alpha * T^2 * F.kl_div(log_softmax(s / T), softmax(t / T), reduction='batchmean')
  + (1 - alpha) * F.cross_entropy(s, y)
and its gradient with respect to the student logits comes from autograd, in float64.
Logits are drawn from a seeded generator and stored rounded to float32, so both sides start from
the same numbers.
"""
import json
import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(4242)
cases = []
for n, k, T, alpha, spread in [(4, 3, 2.0, 0.5, 2.0), (8, 10, 4.0, 0.9, 4.0), (5, 10, 1.0, 0.3, 6.0), (6, 5, 8.0, 1.0, 3.0)]:
    s = (rng.standard_normal((n, k)) * spread).astype(np.float32)
    t = (rng.standard_normal((n, k)) * spread).astype(np.float32)
    y = rng.integers(0, k, n)
    st = torch.tensor(s, dtype=torch.float64, requires_grad=True)
    tt = torch.tensor(t, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.long)
    soft = F.kl_div(F.log_softmax(st / T, dim=1), F.softmax(tt / T, dim=1), reduction='batchmean')
    hard = F.cross_entropy(st, yt)
    loss = alpha * T * T * soft + (1 - alpha) * hard
    loss.backward()
    cases.append({
        "n": n, "k": k, "temperature": T, "alpha": alpha,
        "student": [float(v) for v in s.ravel()], "teacher": [float(v) for v in t.ravel()], "labels": [int(v) for v in y],
        "loss": float(loss), "grad": [float(v) for v in st.grad.numpy().ravel()],
    })
print(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1))
