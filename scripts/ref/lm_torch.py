"""PyTorch reference for src/lib/lm/model.ts: the same GPT written independently with torch ops,
given random weights (numpy, seeded), writes the weights, a batch of ids and the logits to
test/lib/lm/fixtures/lm-torch.json. test/lib/lm/torch-ref.test.ts loads the weights into the tfjs
model and checks its logits against these to 1e-4.

Run with Debian's python3 (python3-torch 1.13):  /usr/bin/python3 scripts/ref/lm_torch.py
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)  # the reference in double; tfjs runs float32


def shapes(c):
    d, h, kv, hd, m = c["dModel"], c["heads"], c["kvHeads"], c["dModel"] // c["heads"], 4 * c["dModel"]
    out = [("wte", [c["vocab"], d])]
    if c["positions"] == "learned":
        out.append(("wpe", [c["context"], d]))
    dense = [("q", d, h * hd), ("k", d, kv * hd), ("v", d, kv * hd), ("o", d, d), ("fc", d, m), ("proj", m, d)]
    lora = c.get("lora")
    for l in range(c["layers"]):
        out += [(f"h{l}.ln1.g", [d]), (f"h{l}.ln1.b", [d])]
        for n, i, o in dense:
            if n == "fc":
                out += [(f"h{l}.ln2.g", [d]), (f"h{l}.ln2.b", [d])]
            out.append((f"h{l}.{n}", [i, o]))
            if n in ("fc", "proj"):
                out.append((f"h{l}.{n}.b", [o]))
            if lora and n in lora["targets"]:
                out += [(f"h{l}.{n}.loraA", [i, lora["rank"]]), (f"h{l}.{n}.loraB", [lora["rank"], o])]
    out += [("lnf.g", [d]), ("lnf.b", [d]), ("head", [d, c["vocab"]])]
    return out


def rope(x, base):
    # x [B, n, T, hd]; pair (2i, 2i+1) at position t turned by t * base^(-2i/hd)
    B, n, T, hd = x.shape
    t = torch.arange(T, dtype=x.dtype)[:, None]
    inv = base ** (-torch.arange(0, hd, 2, dtype=x.dtype) / hd)
    ang = t * inv[None, :]
    c, s = torch.cos(ang), torch.sin(ang)
    x0, x1 = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = x0 * c - x1 * s
    out[..., 1::2] = x0 * s + x1 * c
    return out


def forward(c, W, ids):
    B, T = ids.shape
    d, h, kv = c["dModel"], c["heads"], c["kvHeads"]
    hd = d // h
    lora = c.get("lora")

    def dense(x, name):
        y = x @ W[name]
        if name + ".b" in W:
            y = y + W[name + ".b"]
        if lora and name + ".loraA" in W:
            y = y + (lora["alpha"] / lora["rank"]) * (x @ W[name + ".loraA"] @ W[name + ".loraB"])
        return y

    def ln(x, name):
        return F.layer_norm(x, (d,), W[name + ".g"], W[name + ".b"], eps=1e-5)

    x = W["wte"][ids]  # an embedding lookup (the tfjs model uses a one-hot matmul)
    if c["positions"] == "learned":
        x = x + W["wpe"][:T]
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    for l in range(c["layers"]):
        a = ln(x, f"h{l}.ln1")
        q = dense(a, f"h{l}.q").view(B, T, h, hd).transpose(1, 2)
        k = dense(a, f"h{l}.k").view(B, T, kv, hd).transpose(1, 2)
        v = dense(a, f"h{l}.v").view(B, T, kv, hd).transpose(1, 2)
        if c["positions"] == "rope":
            q, k = rope(q, 10000.0), rope(k, 10000.0)
        k = k.repeat_interleave(h // kv, dim=1)
        v = v.repeat_interleave(h // kv, dim=1)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + dense(y, f"h{l}.o")
        m = ln(x, f"h{l}.ln2")
        x = x + dense(F.gelu(dense(m, f"h{l}.fc"), approximate="tanh"), f"h{l}.proj")
    return ln(x, "lnf") @ W["head"]


def case(name, c, seed):
    rng = np.random.default_rng(seed)
    W = {}
    for n, shape in shapes(c):
        if n.endswith(".g"):
            W[n] = 1 + 0.1 * rng.standard_normal(shape)
        else:
            W[n] = 0.3 * rng.standard_normal(shape)
    ids = rng.integers(0, c["vocab"], size=(2, c["context"]))
    logits = forward(c, {k: torch.tensor(v) for k, v in W.items()}, torch.tensor(ids))
    return {
        "name": name,
        "config": c,
        "weights": {k: [round(float(x), 8) for x in v.ravel()] for k, v in W.items()},
        "ids": ids.ravel().tolist(),
        "batch": 2,
        "logits": [round(float(x), 8) for x in logits.numpy().ravel()],
    }


if __name__ == "__main__":
    base = {"vocab": 13, "context": 7, "layers": 2, "dModel": 16, "heads": 4}
    cases = [
        case("learned positions, MHA", {**base, "kvHeads": 4, "positions": "learned"}, 1),
        case("RoPE, GQA (4 heads, 2 kv heads), LoRA on q and fc", {**base, "kvHeads": 2, "positions": "rope",
             "lora": {"rank": 2, "alpha": 4, "targets": ["q", "fc"]}}, 2),
        case("learned positions, MQA", {**base, "kvHeads": 1, "positions": "learned"}, 3),
    ]
    out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "lib", "lm", "fixtures", "lm-torch.json")
    with open(out, "w") as f:
        json.dump({"source": "scripts/ref/lm_torch.py", "torch": torch.__version__, "cases": cases}, f)
    print("wrote", os.path.normpath(out))
