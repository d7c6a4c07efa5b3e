"""PyTorch reference for `npm run bench`: the training lab's two models, trained the same way.

Run with Debian's system python (/usr/bin/python3, python3-torch 1.13), not a pyenv python:
    /usr/bin/python3 bench/torch_reference.py DATA_DIR [--threads 2]
DATA_DIR holds the raw arrays bench/run.mjs decoded from public/data/fashion-mnist-subset.parquet
(the same 9,000 training and 2,000 test images the lab uses): train_x.u8 (n x 784), train_y.u8,
test_x.u8, test_y.u8. Prints one JSON object on stdout.

Matched to tfjs: Glorot-uniform weights and zero biases, Adam(beta 0.9/0.999, eps 1e-7),
mean softmax cross-entropy, and each timed update reads its loss back (as the lab's trainer does).
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(data_dir):
    def arr(name, shape):
        return np.fromfile(f"{data_dir}/{name}", dtype=np.uint8).reshape(shape)
    train_x = arr("train_x.u8", (-1, 784))
    test_x = arr("test_x.u8", (-1, 784))
    train_y = arr("train_y.u8", (-1,))
    test_y = arr("test_y.u8", (-1,))
    to_x = lambda a: torch.from_numpy(a.astype(np.float32) / 255.0)
    to_y = lambda a: torch.from_numpy(a.astype(np.int64))
    return to_x(train_x), to_y(train_y), to_x(test_x), to_y(test_y)


def build(kind):
    if kind == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    else:
        model = nn.Sequential(
            nn.Unflatten(1, (1, 28, 28)),
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
        )
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def adam(model, lr=1e-3):
    return torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-7)


def update(model, opt, x, y):
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


def throughput(kind, batch, updates, warmup, reps, x, y):
    """Samples/s of pure updates (batches sliced in turn from the training images), per repetition."""
    torch.manual_seed(1)
    model, n = build(kind), (x.shape[0] // batch) * batch
    opt = adam(model)
    at = 0
    def step():
        nonlocal at
        update(model, opt, x[at:at + batch], y[at:at + batch])
        at = (at + batch) % n
    for _ in range(warmup):
        step()
    rates = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(updates):
            step()
        rates.append(updates * batch / (time.perf_counter() - t0))
    return {"samplesPerSec": rates, "medianSamplesPerSec": statistics.median(rates)}


def accuracy_after(kind, epochs, batch, x, y, tx, ty, seed=42):
    """Test accuracy after `epochs` of the lab's defaults (Adam lr 1e-3), dropping the last partial batch."""
    torch.manual_seed(seed)
    model = build(kind)
    opt = adam(model)
    g = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(x.shape[0], generator=g)
        for u in range(x.shape[0] // batch):
            idx = order[u * batch:(u + 1) * batch]
            update(model, opt, x[idx], y[idx])
    train_s = time.perf_counter() - t0
    with torch.no_grad():
        acc = (model(tx).argmax(1) == ty).float().mean().item()
    return {"testAcc": acc, "trainSeconds": train_s}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data_dir")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--plan", default="{}", help="JSON: {mlp|cnn: {batch, updates, warmup, reps}}, matching the browser run")
    p.add_argument("--accuracy-epochs", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    x, y, tx, ty = load(a.data_dir)
    plan = {"mlp": {"batch": 128, "updates": 40, "warmup": 5, "reps": 5}, "cnn": {"batch": 128, "updates": 10, "warmup": 2, "reps": 3}}
    plan.update(json.loads(a.plan))
    out = {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "throughput": {k: {**v, **throughput(k, v["batch"], v["updates"], v["warmup"], v["reps"], x, y)} for k, v in plan.items()},
    }
    if a.accuracy_epochs > 0:
        out["accuracy"] = {k: accuracy_after(k, a.accuracy_epochs, 64, x, y, tx, ty) for k in ("mlp", "cnn")}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
