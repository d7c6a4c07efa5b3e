/// <reference lib="webworker" />
// The evaluation worker: trains the credit models and computes metrics, SHAP and permutation
// importance off the page's thread, behind a comlink API (EvalService). Bulk arrays in a result
// are Float64Arrays; their buffers are transferred, not copied.
import * as Comlink from 'comlink';
import { EvalService, type EvalLabId, type EvalSettings } from '../src/lib/eval/service';
import type { Progress } from '../src/lib/eval/experiments/pipeline';

function buffersOf(x: unknown, out = new Set<ArrayBuffer>()): Set<ArrayBuffer> {
  if (ArrayBuffer.isView(x)) {
    if (x.buffer instanceof ArrayBuffer) out.add(x.buffer);
  } else if (Array.isArray(x)) x.forEach((v) => buffersOf(v, out));
  else if (x && typeof x === 'object') Object.values(x).forEach((v) => buffersOf(v, out));
  return out;
}

class WorkerEvalService extends EvalService {
  override async run<K extends EvalLabId>(lab: K, settings: EvalSettings[K], runId: string, onProgress?: Progress) {
    const out = await super.run(lab, settings, runId, onProgress);
    return Comlink.transfer(out, [...buffersOf(out)]);
  }
}

Comlink.expose(new WorkerEvalService(__APP_VERSION__));
