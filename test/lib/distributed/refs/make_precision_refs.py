"""Reference casts for test/lib/distributed/precision.test.ts: numpy's float32 -> float16 cast and
PyTorch's float32 -> bfloat16 cast (both round to nearest, ties to even), applied to float32 values
chosen to hit ties, subnormals, overflow and every exponent. Values travel as uint32 bit patterns,
so the JSON holds them exactly (infinities included).

Rerun with Debian's python (numpy and python3-torch):
    /usr/bin/python3 test/lib/distributed/refs/make_precision_refs.py > test/lib/distributed/refs/precision.json
"""
import json
import sys

import numpy as np
import torch


def f32(values):
    return np.array(values, dtype=np.float32)


def edge_values():
    tiny16 = 2.0 ** -24  # fp16's smallest subnormal
    v = [
        0.0, -0.0, 1.0, -1.0, 0.1, 1 / 3, 65504.0, 65505.0, 65519.0, 65519.996, 65520.0, 65536.0, 1e5, -1e5,
        2.0 ** -14, 2.0 ** -14 * (1 - 2 ** -11), 2.0 ** -15, tiny16, tiny16 / 2, tiny16 * 1.5, tiny16 * 2.5, tiny16 * 0.5000001,
        tiny16 / 2 * 0.999, 1023.5 * tiny16, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20,
        2.0 ** -126, 2.0 ** -149, 3.4028234663852886e38, -3.4028234663852886e38, float("inf"), float("-inf"), 1e-30, 1e30,
        2.0 ** 127 * (2 - 2 ** -8), 2.0 ** 127 * (2 - 2 ** -7), 6.1e-5, 5.96e-8, 2.98e-8,
    ]
    return f32(v)


def random_values(n, seed):
    rng = np.random.default_rng(seed)
    exps = rng.uniform(-30, 20, size=n)
    signs = rng.choice([-1.0, 1.0], size=n)
    return f32(signs * 2.0 ** exps)


def ties(n, seed):
    """float32 values exactly halfway between two fp16 or two bf16 neighbours."""
    rng = np.random.default_rng(seed)
    half16 = np.array(rng.integers(0, 0x7BFF, size=n), dtype=np.uint16).view(np.float16).astype(np.float32)
    next16 = np.nextafter(half16.astype(np.float16), np.float16(np.inf)).astype(np.float32)
    bf = (rng.integers(0x0080, 0x7F7F, size=n).astype(np.uint32) << 16).view(np.float32)
    bf_next = ((bf.view(np.uint32) + (1 << 16)).astype(np.uint32)).view(np.float32)
    return np.concatenate([(half16.astype(np.float64) + next16) / 2, (bf.astype(np.float64) + bf_next) / 2]).astype(np.float32)


def main():
    x = np.concatenate([edge_values(), random_values(400, 1), ties(100, 2)])
    fp16 = x.astype(np.float16).astype(np.float32)
    bf16 = torch.from_numpy(x.copy()).to(torch.bfloat16).to(torch.float32).numpy()
    out = {
        "source": "numpy %s astype(float16); torch %s .to(torch.bfloat16); inputs float32" % (np.__version__, torch.__version__),
        "input": x.view(np.uint32).tolist(),
        "fp16": fp16.view(np.uint32).tolist(),
        "bf16": bf16.view(np.uint32).tolist(),
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
