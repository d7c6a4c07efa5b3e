import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import type { DriftSettings } from '../../src/lib/runners/drift';
import { labRuns, num, type LabRun } from '../kit/runs';
import { statesNumber, statesShare } from '../kit/answer';
import { fixed as fmt, plural, noun } from '../../src/lib/core/format';

/** "1 day", "3 days". */
const days = (n: number) => plural(n, 'day');

/** A missed event's delay is saved as −1 (JSON has no NaN). */
export const MISSED = -1;

type Run = LabRun<DriftSettings>;
const monitorRuns = (runs: RunRecord[]) => labRuns<DriftSettings>(runs).filter((r) => r.result.kind === 'monitor');
const retrainRuns = (runs: RunRecord[]) => labRuns<DriftSettings>(runs).filter((r) => r.result.kind === 'retrain');
const delay = (r: Run, kind: string) => num(r, `delay:${kind}`);

const sudden: Exercise = {
  id: 'sudden-no-false',
  title: 'Catch the sudden shift within a day, with no false alarm',
  task: 'Choose a statistic and thresholds so that the pricing change (sudden shift on day 40) is flagged within 1 day and no alarm fires that no injected event explains.',
  check({ runs }): CheckResult {
    const rs = monitorRuns(runs);
    const hit = rs.find((r) => delay(r, 'sudden-shift') >= 0 && delay(r, 'sudden-shift') <= 1 && num(r, 'falseAlarms') === 0);
    if (hit) return { passed: true, runId: hit.record.id, detail: `Run ${hit.label} (${hit.settings.statistic}, ${hit.settings.rowsPerDay} rows a day): sudden shift flagged after ${days(delay(hit, 'sudden-shift'))}, 0 false alarms.` };
    const last = rs[0];
    return { passed: false, detail: last ? `Latest run ${last.label}: sudden shift delay ${delay(last, 'sudden-shift') === MISSED ? 'missed' : delay(last, 'sudden-shift')}, ${num(last, 'falseAlarms')} false ${noun(num(last, 'falseAlarms'), 'alarm')}.` : 'No monitoring run yet: press Run monitor.' };
  },
};

const concept: Exercise = {
  id: 'concept-drift',
  title: 'Find the drift that input monitors miss',
  task: 'From day 75 sessions stop predicting conversion, while their distribution stays put. Show a run where no drift alarm ever fires on sessions, yet the performance check on arriving labels catches the change.',
  answerPrompt: 'How many days after the change did the performance alarm fire in your run, and why can no statistic on P(x) see this change?',
  check({ runs, answers }): CheckResult {
    const a = (answers['concept-drift'] ?? '').trim();
    const hits = monitorRuns(runs).filter((r) => num(r, 'sessionsDriftAlarms') === 0 && delay(r, 'concept-drift') >= 0);
    const hit = hits.find((r) => statesNumber(a, delay(r, 'concept-drift'), 0)) ?? hits[0];
    if (!hit) return { passed: false, detail: 'No run yet where sessions stay quiet and the performance alarm catches the concept drift (is the excess log loss threshold too high?).' };
    const found = `Run ${hit.label}: 0 drift alarms on sessions; performance alarm ${days(delay(hit, 'concept-drift'))} after the change, once enough labels had arrived.`;
    const good = statesNumber(a, delay(hit, 'concept-drift'), 0) && /(label|P\(y|conditional|relationship|y given|outcome|target)/i.test(a);
    return { passed: good, runId: hit.record.id, detail: good ? found : `${found} Now state that delay in days and say why, in a sentence or two.` };
  },
};

const sampleSize: Exercise = {
  id: 'sample-size',
  title: 'The same shift, flagged or not, by sample size',
  task: 'With the KS p-value as the statistic and the same threshold and seed, run at 20,000 rows a day or more and at 1,000 or fewer. The big run should flag the gradual income shift while its PSI is still under 0.02 (a shift no one would act on), and at least 2 days sooner than the small run.',
  answerPrompt: 'After how many days did your big run flag the gradual shift, why does it gain only a few days, and what caps it? (Hint: the reference sample has 5,000 rows.)',
  check({ runs, answers }): CheckResult {
    const ks = monitorRuns(runs).filter((r) => r.settings.statistic === 'ks');
    const big = ks.filter((r) => r.settings.rowsPerDay >= 20000);
    const small = ks.filter((r) => r.settings.rowsPerDay <= 1000);
    for (const b of big) for (const s of small) {
      if (b.settings.seed !== s.settings.seed || b.settings.ksPValue !== s.settings.ksPValue || b.settings.refDays !== s.settings.refDays) continue;
      const db = delay(b, 'gradual-shift');
      const ds = delay(s, 'gradual-shift');
      const tiny = num(b, 'gradualPsiAtDetection');
      const shown = db >= 0 && tiny >= 0 && tiny < 0.02 && (ds === MISSED || ds - db >= 2);
      const detail = `KS p < ${b.settings.ksPValue}: ${b.settings.rowsPerDay} rows a day flags the gradual shift after ${days(db)}, when its PSI was ${fmt(tiny, 4)}; ${s.settings.rowsPerDay} rows a day ${ds === MISSED ? 'never flags it' : `after ${days(ds)}`}.`;
      if (!shown) return { passed: false, runId: b.record.id, detail: `${detail} Need PSI under 0.02 at detection and a gap of at least 2 days.` };
      const a = (answers['sample-size'] ?? '').trim();
      const good = statesNumber(a, db, 0) && /(reference|5,?000|effective|mn|m\s*n|both samples|smaller sample)/i.test(a);
      return { passed: good, runId: b.record.id, detail: good ? detail : `${detail} Now state the big run’s delay in days and answer the question.` };
    }
    return { passed: false, detail: `Need a KS run at ≥ 20,000 rows a day and one at ≤ 1,000, same seed, threshold and reference (have ${big.length} and ${small.length}).` };
  },
};

const retraining: Exercise = {
  id: 'retraining',
  title: 'Retrain when it pays',
  task: 'Run the retraining simulator after a monitoring run. Compare retrains against accuracy over the 90 days and after the concept drift.',
  answerPrompt: 'Which policy would you deploy here (never, periodic, drift-triggered or continuous), with its accuracy in your run (e.g. 0.912), and why (retrains, accuracy, and the labels each retrain waits for)?',
  check({ runs, answers }): CheckResult {
    const r = retrainRuns(runs)[0];
    if (!r) return { passed: false, detail: 'No retraining comparison saved yet: press Compare policies.' };
    const found = `Run ${r.label}: never ${fmt(num(r, 'acc:never'))}, periodic ${fmt(num(r, 'acc:periodic'))} (${num(r, 'n:periodic')} retrains), drift-triggered ${fmt(num(r, 'acc:triggered'))} (${num(r, 'n:triggered')}), continuous ${fmt(num(r, 'acc:continuous'))} (${num(r, 'n:continuous')}).`;
    const a = (answers['retraining'] ?? '').trim();
    // The policy the answer names first is its choice; it must state that policy's accuracy in this run.
    const named = (['never', 'periodic', 'triggered', 'continuous'] as const)
      .map((p) => ({ p, at: a.search(p === 'triggered' ? /trigger/i : new RegExp(`\\b${p}`, 'i')) }))
      .filter((x) => x.at >= 0)
      .sort((x, y) => x.at - y.at)[0]?.p;
    const good = !!named && statesShare(a, num(r, `acc:${named}`), 0.0015) && a.length >= 30;
    return { passed: good, runId: r.record.id, detail: good ? found : `${found} Now choose one, state its accuracy in this run, and say why.` };
  },
};

export const meta: LabMeta = {
  id: 'drift',
  title: 'Drift and monitoring',
  summary: 'Monitor 90 days of a deployed model’s inputs, outputs and late labels, stored as daily Parquet partitions in DuckDB: drift statistics, data-quality checks and alarms scored against injected events, and retraining policies compared.',
  learn: [
    'PSI, KS, chi-square, Jensen–Shannon and Wasserstein per feature and day, computed from SQL aggregates',
    'data-quality checks (schema, nulls, ranges, new categories) and dataset-level drift share',
    'why p-value tests flag tiny shifts at large sample sizes, and PSI does not',
    'concept drift: invisible to input monitors, caught only once labels arrive',
    'retraining policies: periodic, drift-triggered and continuous, by accuracy against retrains',
  ],
  minutes: 25,
  exercises: [sudden, concept, sampleSize, retraining],
};
