/**
 * The evaluation worker's service: one call per lab run. Runs are pure functions of their settings
 * (seeded), so the page keeps only the settings and a summary; charts come from the full result,
 * whose bulk arrays are Float64Arrays (cheap to transfer).
 */
import { runMetrics, summarizeMetrics, type MetricsResult } from './experiments/metrics';
import { runCalibration, summarizeCalibration, type CalibrationResult } from './experiments/calibration';
import { runErrorAnalysis, summarizeErrorAnalysis, type ErrorAnalysisResult } from './experiments/error-analysis';
import { runFairness, summarizeFairness, type FairnessResult } from './experiments/fairness';
import { runExplain, summarizeExplain, type ExplainResult } from './experiments/explain';
import { runCard, summarizeCard, type CardResult, type CardRunInfo } from './experiments/card';
import { validateSettings, type EvalLabId, type EvalSettings } from './experiments/settings';
import type { Progress } from './experiments/pipeline';

export interface EvalResults {
  metrics: MetricsResult;
  calibration: CalibrationResult;
  'error-analysis': ErrorAnalysisResult;
  fairness: FairnessResult;
  explain: ExplainResult;
  'model-card': CardResult;
}

export interface EvalOutput<K extends EvalLabId> {
  result: EvalResults[K];
  /** Plain numbers and strings kept with the run record. */
  summary: Record<string, number | string>;
  dataHash: string;
  durationMs: number;
}

/** A failure as a plain object, so it crosses the worker boundary intact. */
export interface EvalFailure {
  error: { name: string; message: string; stack?: string };
}

export class EvalService {
  constructor(private readonly appVersion: string) {}

  /** Run a lab's evaluation; errors come back as EvalFailure rather than exceptions. */
  async run<K extends EvalLabId>(lab: K, settings: EvalSettings[K], runId: string, onProgress?: Progress): Promise<EvalOutput<K> | EvalFailure> {
    const t0 = performance.now();
    const progress: Progress = onProgress ?? (() => {});
    try {
      validateSettings(lab, settings);
      const result = this.compute(lab, settings, runId, progress) as EvalResults[K];
      const summary = summarize(lab, result);
      const dataHash = lab === 'model-card' ? (result as CardResult).card.dataHash : (result as { dataHash: string }).dataHash;
      return { result, summary, dataHash, durationMs: performance.now() - t0 };
    } catch (e) {
      const err = e as Error;
      return { error: { name: err.name ?? 'Error', message: err.message ?? String(e), stack: err.stack } };
    }
  }

  private compute(lab: EvalLabId, s: unknown, runId: string, progress: Progress): EvalResults[EvalLabId] {
    switch (lab) {
      case 'metrics': return runMetrics(s as EvalSettings['metrics'], progress);
      case 'calibration': return runCalibration(s as EvalSettings['calibration'], progress);
      case 'error-analysis': return runErrorAnalysis(s as EvalSettings['error-analysis'], progress);
      case 'fairness': return runFairness(s as EvalSettings['fairness'], progress);
      case 'explain': return runExplain(s as EvalSettings['explain'], progress);
      case 'model-card': {
        const info: CardRunInfo = { runId, date: new Date().toISOString().slice(0, 10), appVersion: this.appVersion };
        return runCard(s as EvalSettings['model-card'], info, progress);
      }
    }
  }
}

export function summarize(lab: EvalLabId, r: EvalResults[EvalLabId]): Record<string, number | string> {
  switch (lab) {
    case 'metrics': return summarizeMetrics(r as MetricsResult);
    case 'calibration': return summarizeCalibration(r as CalibrationResult);
    case 'error-analysis': return summarizeErrorAnalysis(r as ErrorAnalysisResult);
    case 'fairness': return summarizeFairness(r as FairnessResult);
    case 'explain': return summarizeExplain(r as ExplainResult);
    case 'model-card': return summarizeCard(r as CardResult);
  }
}

export function isFailure(x: unknown): x is EvalFailure {
  return typeof x === 'object' && x !== null && 'error' in x;
}

export type { EvalLabId, EvalSettings };
