import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { statesNumber } from '../kit/answer';

/** What this lab saves per action, in RunRecord.params. */
export type OnnxRunParams =
  | { kind: 'verify'; ep: string; level: string; images: number; maxAbsDiff: number; agree: number; source: string }
  | { kind: 'latency'; requestedEp: string; ep: string; level: string; weights: 'float32' | 'int8'; batch: number; medianMs: number; p95Ms: number; loadMs: number; fallback?: string }
  | { kind: 'own-file'; file: string; bytes: number; ok: boolean; message: string };

export const TOLERANCE = 1e-4;

export function onnxRuns<K extends OnnxRunParams['kind']>(runs: RunRecord[], kind: K): { run: RunRecord; p: Extract<OnnxRunParams, { kind: K }> }[] {
  return runs.filter((r) => (r.params as { kind?: string }).kind === kind).map((run) => ({ run, p: run.params as Extract<OnnxRunParams, { kind: K }> }));
}

const ms = (x: number) => `${x.toFixed(3)} ms`;

const verify: Exercise = {
  id: 'verify',
  title: 'Export your model and prove the ONNX file computes the same thing',
  task: 'Export the model, load the .onnx in the inference worker and check it on the test images: every output within 1e-4 of TensorFlow.js.',
  check({ runs }): CheckResult {
    const vs = onnxRuns(runs, 'verify');
    const ok = vs.find((v) => v.p.maxAbsDiff < TOLERANCE);
    if (ok) return { passed: true, runId: ok.run.id, detail: `On ${ok.p.images} test images, onnxruntime-web (${ok.p.ep}, optimisation ${ok.p.level}) differs from tfjs by at most ${ok.p.maxAbsDiff.toExponential(2)}; ${ok.p.agree}/${ok.p.images} predicted classes agree.` };
    if (vs.length) return { passed: false, runId: vs[0].run.id, detail: `Your last check found a difference of ${vs[0].p.maxAbsDiff.toExponential(2)}, over ${TOLERANCE}.` };
    return { passed: false, detail: 'No check yet: press “Check against tfjs”.' };
  },
};

const levels: Exercise = {
  id: 'levels',
  title: 'Does graph optimisation pay off for this model?',
  task: 'Time the float32 model on wasm at optimisation level “disabled” and at “all” (same batch size). Say which was faster and by how much.',
  answerPrompt: 'By what factor did level “all” change the median time in your timing pair (e.g. ×1.3), what did graph optimisation change for this model, and why so little or so much?',
  check({ runs, answers }): CheckResult {
    const ls = onnxRuns(runs, 'latency').filter((l) => l.p.ep === 'wasm' && l.p.weights === 'float32');
    for (const a of ls.filter((l) => l.p.level === 'disabled')) {
      const b = ls.find((l) => l.p.level === 'all' && l.p.batch === a.p.batch);
      if (!b) continue;
      const ratio = a.p.medianMs / b.p.medianMs;
      const answered = statesNumber(answers.levels, ratio, Math.max(0.02, 0.03 * ratio)) && (answers.levels ?? '').trim().length >= 20;
      return { passed: answered, runId: b.run.id, detail: `Batch ${a.p.batch}: disabled ${ms(a.p.medianMs)}, all ${ms(b.p.medianMs)} (median), ×${(a.p.medianMs / b.p.medianMs).toFixed(2)}.${answered ? '' : ' Now state that factor and write what you make of it.'}` };
    }
    return { passed: false, detail: `Need a wasm float32 timing at level “disabled” and one at “all” with the same batch (have ${ls.length} wasm timings).` };
  },
};

const webgpu: Exercise = {
  id: 'webgpu',
  title: 'Ask for WebGPU and read what you got',
  task: 'Time the model with the WebGPU provider requested. Note which provider actually ran and how it compares with wasm at the same batch.',
  check({ runs }): CheckResult {
    const ls = onnxRuns(runs, 'latency');
    const g = ls.find((l) => l.p.requestedEp === 'webgpu');
    if (!g) return { passed: false, detail: 'No timing with WebGPU requested yet.' };
    const w = ls.find((l) => l.p.requestedEp === 'wasm' && l.p.batch === g.p.batch && l.p.weights === g.p.weights);
    const ran = g.p.ep === 'webgpu' ? 'WebGPU ran it' : `it fell back to wasm (${g.p.fallback ?? 'no reason given'})`;
    return { passed: !!w, runId: g.run.id, detail: `WebGPU requested: ${ran}, median ${ms(g.p.medianMs)} at batch ${g.p.batch}.${w ? ` wasm at the same batch: ${ms(w.p.medianMs)}.` : ' Time wasm at the same batch and weights too.'}` };
  },
};

const badFile: Exercise = {
  id: 'bad-file',
  title: 'Feed it a broken file',
  task: 'Load a file that is not a valid model (any file, or your .onnx cut short) as “your own .onnx”, read the message, then check the lab still works.',
  check({ runs }): CheckResult {
    const own = onnxRuns(runs, 'own-file');
    const bad = own.find((o) => !o.p.ok);
    if (!bad) return { passed: false, detail: own.length ? 'Your files all loaded: try a broken one.' : 'No file loaded yet.' };
    const after = onnxRuns(runs, 'verify').find((v) => v.run.createdAt > bad.run.createdAt && v.p.maxAbsDiff < TOLERANCE);
    return { passed: !!after, runId: bad.run.id, detail: `“${bad.p.file}” was refused: ${bad.p.message}${after ? ' After it, the check against tfjs still passed.' : ' Now run “Check against tfjs” again to show nothing else broke.'}` };
  },
};

export const meta: LabMeta = {
  id: 'onnx',
  title: 'ONNX export and inference',
  summary: 'Export your trained model to ONNX, look inside the graph, run it in onnxruntime-web and prove it matches, then time execution providers and graph optimisation.',
  learn: [
    'What an ONNX file holds: a graph of operators, tensor shapes and weights (initializers)',
    'Checking an export numerically against the original framework on real inputs',
    'Execution providers (wasm, WebGPU) and graph optimisation levels, measured',
    'Failing safely: a bad model is loaded in a throwaway worker',
  ],
  minutes: 15,
  exercises: [verify, levels, webgpu, badFile],
};
