"""Reference values for src/lib/vector (run with Debian's /usr/bin/python3: numpy, hnswlib, faiss).

    /usr/bin/python3 scripts/vector-reference.py > test/lib/vector/reference.json

Draws the same clustered data as src/lib/vector/data.ts (mulberry32 + Box-Muller, base rows then
queries), then records: exact top-10 in float64 (numpy), hnswlib recall@10 at M=16, efConstruction=200
for several ef, FAISS IndexIVFFlat and IndexIVFPQ recall@10 at several nprobe, and BM25 scores from an
independent implementation over a small fixed corpus.
"""
import json
import math
import sys

import faiss
import hnswlib
import numpy as np


def mulberry32(seed):
    a = seed & 0xFFFFFFFF

    def imul(x, y):
        return (x * y) & 0xFFFFFFFF

    def nxt():
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return nxt


def clustered(n, queries, dim, clusters, spread, seed):
    rng = mulberry32(seed)

    def normal():
        u1, u2 = rng(), rng()
        return math.sqrt(-2 * math.log(1 - u1)) * math.cos(2 * math.pi * u2)

    centres = np.array([normal() for _ in range(clusters * dim)]).reshape(clusters, dim)

    def draw(rows):
        out = np.empty((rows, dim), dtype=np.float32)
        for r in range(rows):
            c = math.floor(rng() * clusters)
            out[r] = [centres[c, j] + spread * normal() for j in range(dim)]
        return out

    return draw(n), draw(queries)


def recall(found, truth, k):
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))


def bm25(docs, query, k1=1.2, b=0.75):
    # Written from the formula, independently of src/lib/vector/text.ts.
    N = len(docs)
    avgdl = sum(len(d) for d in docs) / N
    out = []
    for d in docs:
        s = 0.0
        for t in query:
            n = sum(1 for e in docs if t in e)
            if n == 0:
                continue
            f = d.count(t)
            idf = math.log(1 + (N - n + 0.5) / (n + 0.5))
            s += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return out


def main():
    spec = dict(n=5000, queries=200, dim=32, clusters=40, spread=0.35, seed=7)
    base, queries = clustered(**spec)
    k = 10
    b64, q64 = base.astype(np.float64), queries.astype(np.float64)
    d2 = (q64 ** 2).sum(1)[:, None] - 2 * q64 @ b64.T + (b64 ** 2).sum(1)[None, :]
    exact = np.argsort(d2, axis=1, kind="stable")[:, :k]
    exact_d = np.take_along_axis(d2, exact, 1)
    ip = q64 @ b64.T
    exact_ip = np.argsort(-ip, axis=1, kind="stable")[:, :k]

    faiss.omp_set_num_threads(1)
    hn = {}
    for ef in (10, 20, 40, 80):
        runs = []
        for seed in range(3):
            p = hnswlib.Index(space="l2", dim=spec["dim"])
            p.init_index(max_elements=spec["n"], M=16, ef_construction=200, random_seed=100 + seed)
            p.set_num_threads(1)
            p.add_items(base, np.arange(spec["n"]))
            p.set_ef(ef)
            labels, _ = p.knn_query(queries, k=k)
            runs.append(recall(labels, exact, k))
        hn[str(ef)] = float(np.mean(runs))

    ivf = {}
    q = faiss.IndexFlatL2(spec["dim"])
    index = faiss.IndexIVFFlat(q, spec["dim"], 64)
    index.cp.seed = 1
    index.train(base)
    index.add(base)
    for nprobe in (1, 2, 4, 8):
        index.nprobe = nprobe
        _, I = index.search(queries, k)
        ivf[str(nprobe)] = recall(I, exact, k)

    ivfpq = {}
    q2 = faiss.IndexFlatL2(spec["dim"])
    pq = faiss.IndexIVFPQ(q2, spec["dim"], 64, 8, 8)
    pq.train(base)
    pq.add(base)
    for nprobe in (1, 4, 16):
        pq.nprobe = nprobe
        _, I = pq.search(queries, k)
        ivfpq[str(nprobe)] = recall(I, exact, k)

    docs = [
        "the cat sat on the mat".split(),
        "a dog chased the cat around the garden".split(),
        "vector search finds nearest neighbours fast".split(),
        "the mat was red and the cat was black".split(),
        "inverted lists and product quantization compress vectors".split(),
        "graphs of neighbours route a search to the nearest vector".split(),
    ]
    bq = [["cat", "mat"], ["nearest", "vector", "search"], ["the"], ["dog", "dog", "garden"], ["zebra"]]

    json.dump({
        "data": spec,
        "dataCheck": {"firstRow": base[0].tolist(), "lastQuery": queries[-1].tolist(), "sum": float(b64.sum())},
        "k": k,
        "exact": {"ids": exact.tolist(), "distances": exact_d.tolist(), "ipIds": exact_ip.tolist()},
        "hnswlib": {"M": 16, "efConstruction": 200, "recall": hn, "note": "mean over 3 hnswlib seeds"},
        "faissIvf": {"nlist": 64, "recall": ivf},
        "faissIvfPq": {"nlist": 64, "m": 8, "nbits": 8, "recall": ivfpq},
        "bm25": {"docs": [" ".join(d) for d in docs], "queries": [" ".join(x) for x in bq], "scores": [bm25(docs, x) for x in bq]},
        "versions": {"faiss": faiss.__version__, "numpy": np.__version__},
    }, sys.stdout)


main()
