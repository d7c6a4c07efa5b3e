"""PyTorch training tokens/s for the gpt lab's model (same shapes as src/lib/lm/model.ts), random
token batches, Adam, float32; the faster of 1 and 2 threads (see TESTING.md). Prints one JSON line.

  /usr/bin/python3 bench/lm_torch.py '{"vocab": 60, "context": 64, "layers": 2, "dModel": 64, "heads": 4, "kvHeads": 4, "batch": 8, "lr": 0.004}'
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(s, d, h, kv):
        super().__init__()
        s.h, s.kv, s.hd = h, kv, d // h
        s.ln1, s.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        s.q = nn.Linear(d, d, bias=False)
        s.k = nn.Linear(d, kv * s.hd, bias=False)
        s.v = nn.Linear(d, kv * s.hd, bias=False)
        s.o = nn.Linear(d, d, bias=False)
        s.fc, s.proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(s, x, mask):
        B, T, d = x.shape
        a = s.ln1(x)
        q = s.q(a).view(B, T, s.h, s.hd).transpose(1, 2)
        k = s.k(a).view(B, T, s.kv, s.hd).transpose(1, 2).repeat_interleave(s.h // s.kv, 1)
        v = s.v(a).view(B, T, s.kv, s.hd).transpose(1, 2).repeat_interleave(s.h // s.kv, 1)
        att = ((q @ k.transpose(-2, -1)) / math.sqrt(s.hd)).masked_fill(mask, float("-inf")).softmax(-1)
        x = x + s.o((att @ v).transpose(1, 2).reshape(B, T, d))
        return x + s.proj(F.gelu(s.fc(s.ln2(x)), approximate="tanh"))


class Gpt(nn.Module):
    def __init__(s, c):
        super().__init__()
        d = c["dModel"]
        s.wte, s.wpe = nn.Embedding(c["vocab"], d), nn.Embedding(c["context"], d)
        s.blocks = nn.ModuleList([Block(d, c["heads"], c["kvHeads"]) for _ in range(c["layers"])])
        s.lnf, s.head = nn.LayerNorm(d), nn.Linear(d, c["vocab"], bias=False)

    def forward(s, ids):
        T = ids.shape[1]
        x = s.wte(ids) + s.wpe(torch.arange(T))
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        for b in s.blocks:
            x = b(x, mask)
        return s.head(s.lnf(x))


def measure(c, threads, steps=60):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    m = Gpt(c)
    opt = torch.optim.Adam(m.parameters(), lr=c["lr"])
    B, T = c["batch"], c["context"]
    best = 0.0
    for rep in range(3):
        ids = torch.randint(0, c["vocab"], (B, T + 1))
        t0 = time.perf_counter()
        for _ in range(steps // 3):
            loss = F.cross_entropy(m(ids[:, :-1]).reshape(-1, c["vocab"]), ids[:, 1:].reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
        best = max(best, (steps // 3) * B * T / (time.perf_counter() - t0))
    return best


if __name__ == "__main__":
    c = json.loads(sys.argv[1])
    res = {t: measure(c, t) for t in (1, 2)}
    best = max(res, key=res.get)
    print(json.dumps({"tokensPerSec": round(res[best]), "threads": best, "byThreads": {str(k): round(v) for k, v in res.items()}, "torch": torch.__version__}))
