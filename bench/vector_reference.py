"""hnswlib and FAISS on the data bench/vector.mjs wrote, one thread each (Debian's /usr/bin/python3).

    /usr/bin/python3 bench/vector_reference.py DIR M EF_CONSTRUCTION EF1,EF2,... K

DIR holds base.f32, queries.f32 (float32 rows, dim in meta.json) and truth.i32 (exact top-K ids from
the JavaScript scan). Prints JSON: hnswlib build time, recall@K and queries/s per ef (batched
knn_query, one thread), and FAISS IndexFlatL2's queries/s on one thread.
"""
import json
import sys
import time

import faiss
import hnswlib
import numpy as np

d, M, efc, efs, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), [int(x) for x in sys.argv[4].split(",")], int(sys.argv[5])
meta = json.load(open(f"{d}/meta.json"))
dim = meta["dim"]
base = np.fromfile(f"{d}/base.f32", dtype=np.float32).reshape(-1, dim)
queries = np.fromfile(f"{d}/queries.f32", dtype=np.float32).reshape(-1, dim)
truth = np.fromfile(f"{d}/truth.i32", dtype=np.int32).reshape(len(queries), -1)[:, :k]


def recall(found):
    return float(np.mean([len(set(f[:k]) & set(t)) / k for f, t in zip(found, truth)]))


p = hnswlib.Index(space="l2", dim=dim)
p.init_index(max_elements=len(base), M=M, ef_construction=efc, random_seed=100)
p.set_num_threads(1)
t0 = time.perf_counter()
p.add_items(base, np.arange(len(base)), num_threads=1)
build = time.perf_counter() - t0
curve = []
for ef in efs:
    p.set_ef(max(ef, k))
    t0 = time.perf_counter()
    labels, _ = p.knn_query(queries, k=k, num_threads=1)
    s = time.perf_counter() - t0
    curve.append({"ef": ef, "recall": recall(labels), "qps": len(queries) / s})

faiss.omp_set_num_threads(1)
flat = faiss.IndexFlatL2(dim)
flat.add(base)
t0 = time.perf_counter()
_, I = flat.search(queries, k)
fs = time.perf_counter() - t0
print(json.dumps({"hnswlib": {"buildMs": build * 1000, "curve": curve}, "faissFlat": {"qps": len(queries) / fs, "recall": recall(I)}}))
