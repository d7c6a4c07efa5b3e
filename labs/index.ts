/**
 * The lab registry. Metadata is imported eagerly (small); each lab's page, and the engines it uses,
 * load only when the lab is opened.
 */
import type { LabEntry } from './types';
import { meta as train } from './train/lab';
import { meta as metrics } from './metrics/lab';
import { meta as calibration } from './calibration/lab';
import { meta as errorAnalysis } from './error-analysis/lab';
import { meta as fairness } from './fairness/lab';
import { meta as explain } from './explain/lab';
import { meta as modelCard } from './model-card/lab';
import { meta as abTest } from './ab-test/lab';
import { meta as pitfalls } from './pitfalls/lab';
import { meta as cuped } from './cuped/lab';
import { meta as bandits } from './bandits/lab';
import { meta as interleaving } from './interleaving/lab';
import { meta as uplift } from './uplift/lab';
import { meta as etl } from './etl/lab';
import { meta as leakage } from './leakage/lab';
import { meta as sampling } from './sampling/lab';
import { meta as onnxLab } from './onnx/lab';
import { meta as serving } from './serving/lab';
import { meta as prune } from './prune/lab';
import { meta as lowrank } from './lowrank/lab';
import { meta as tradeoff } from './tradeoff/lab';
import { meta as quantize } from './quantize/lab';
import { meta as distill } from './distill/lab';
import { meta as drift } from './drift/lab';
import { meta as featureStore } from './feature-store/lab';
import { meta as vectorExact } from './vector-exact/lab';
import { meta as vectorIvf } from './vector-ivf/lab';
import { meta as vectorHnsw } from './vector-hnsw/lab';
import { meta as vectorPq } from './vector-pq/lab';
import { meta as vectorHybrid } from './vector-hybrid/lab';
import { meta as dataParallel } from './data-parallel/lab';
import { meta as zeroFsdp } from './zero-fsdp/lab';
import { meta as memoryPrecision } from './memory-precision/lab';
import { meta as scalePlanner } from './scale-planner/lab';
import { meta as federated } from './federated/lab';
import { meta as tracking } from './tracking/lab';
import { meta as hpo } from './hpo/lab';
import { meta as pipelines } from './pipelines/lab';
import { meta as gpt } from './gpt/lab';
import { meta as speculative } from './speculative/lab';

export const LABS: LabEntry[] = [
  { ...train, load: () => import('./train/Lab.svelte') },
  // The evaluation and experimentation labs are each one runner task on the sim engine, on labs/kit/ (RunnerLab, LabPage).
  { ...metrics, load: () => import('./metrics/Lab.svelte') },
  { ...calibration, load: () => import('./calibration/Lab.svelte') },
  { ...errorAnalysis, load: () => import('./error-analysis/Lab.svelte') },
  { ...fairness, load: () => import('./fairness/Lab.svelte') },
  { ...explain, load: () => import('./explain/Lab.svelte') },
  { ...modelCard, load: () => import('./model-card/Lab.svelte') },
  { ...abTest, load: () => import('./ab-test/Lab.svelte') },
  { ...pitfalls, load: () => import('./pitfalls/Lab.svelte') },
  { ...cuped, load: () => import('./cuped/Lab.svelte') },
  { ...bandits, load: () => import('./bandits/Lab.svelte') },
  { ...interleaving, load: () => import('./interleaving/Lab.svelte') },
  { ...uplift, load: () => import('./uplift/Lab.svelte') },
  // The compression labs share labs/compress-kit/ (the compress worker's client, state, page frame, variant table);
  // every compression lab (prune, lowrank, quantize, distill, tradeoff) is built on labs/compress-kit/.
  { ...prune, load: () => import('./prune/Lab.svelte') },
  { ...quantize, load: () => import('./quantize/Lab.svelte') },
  { ...distill, load: () => import('./distill/Lab.svelte') },
  { ...lowrank, load: () => import('./lowrank/Lab.svelte') },
  { ...tradeoff, load: () => import('./tradeoff/Lab.svelte') },
  // The ONNX and serving labs share labs/serve-kit/ (inference and export worker clients, graph view).
  { ...onnxLab, load: () => import('./onnx/Lab.svelte') },
  { ...serving, load: () => import('./serving/Lab.svelte') },
  // The data labs are on labs/kit/ too, with the DuckDB client, SQL panel and uploads of labs/data-kit/;
  // leakage and sampling run on the sim engine, with a SQL panel over their tables (labs/sim-sql/).
  { ...etl, load: () => import('./etl/Lab.svelte') },
  { ...leakage, load: () => import('./leakage/Lab.svelte') },
  { ...sampling, load: () => import('./sampling/Lab.svelte') },
  { ...featureStore, load: () => import('./feature-store/Lab.svelte') },
  { ...drift, load: () => import('./drift/Lab.svelte') },
  // Vector search: indexes from src/lib/vector, each a runner on the sim engine.
  { ...vectorExact, load: () => import('./vector-exact/Lab.svelte') },
  { ...vectorIvf, load: () => import('./vector-ivf/Lab.svelte') },
  { ...vectorHnsw, load: () => import('./vector-hnsw/Lab.svelte') },
  { ...vectorPq, load: () => import('./vector-pq/Lab.svelte') },
  { ...vectorHybrid, load: () => import('./vector-hybrid/Lab.svelte') },
  // Distributed training: the distributed engine (workers/dist.ts) runs src/lib/runners' five labs, each rank in a
  // worker of its own (workers/rank.ts); pages share labs/dist-kit/ (engine client and state, per-rank timeline).
  { ...dataParallel, load: () => import('./data-parallel/Lab.svelte') },
  { ...zeroFsdp, load: () => import('./zero-fsdp/Lab.svelte') },
  { ...memoryPrecision, load: () => import('./memory-precision/Lab.svelte') },
  { ...scalePlanner, load: () => import('./scale-planner/Lab.svelte') },
  { ...federated, load: () => import('./federated/Lab.svelte') },
  // MLOps: runners on the sim engine (src/lib/mlops); graphs drawn by labs/mlops-kit/; tracking's SQL on labs/data-kit/.
  { ...tracking, load: () => import('./tracking/Lab.svelte') },
  { ...hpo, load: () => import('./hpo/Lab.svelte') },
  { ...pipelines, load: () => import('./pipelines/Lab.svelte') },
  // Language models (issue 15): a tiny GPT trained in the TensorFlow.js engine (service lm).
  { ...gpt, load: () => import('./gpt/Lab.svelte') },
  { ...speculative, load: () => import('./speculative/Lab.svelte') },
];

export function findLab(id: string): LabEntry | undefined {
  return LABS.find((l) => l.id === id);
}
