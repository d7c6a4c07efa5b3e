import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import type { FederatedSettings } from '../../src/lib/runners/federated-fields';
import { formatBytes, pct } from '../../src/lib/core/format';
import { distRuns, fmt, num, sameExcept, statesNumber, type DistRun } from '../dist-kit/runs';
import type { Column } from '../kit/columns';

type Run = DistRun<FederatedSettings>;
const runsOf = (runs: RunRecord[]) => distRuns<FederatedSettings>(runs);
const rounds = (r: Run) => (Number.isFinite(num(r, 'roundsToTarget')) ? num(r, 'roundsToTarget') : Infinity);
const roundsText = (r: Run) => (Number.isFinite(num(r, 'roundsToTarget')) ? `${num(r, 'roundsToTarget')} rounds` : `not within ${r.settings.rounds} rounds`);

const nonIid: Exercise = {
  id: 'non-iid',
  title: 'Skewed clients cost rounds',
  task: 'Run IID and Dirichlet α ≤ 0.3 with otherwise equal settings. Non-IID data should need more rounds to the target accuracy (or miss it) and show more client drift.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs);
    for (const a of rs.filter((r) => r.settings.partition === 'dirichlet' && r.settings.alpha <= 0.3)) {
      const b = rs.find((r) => r.settings.partition === 'iid' && sameExcept(r, a, ['partition', 'alpha']));
      if (!b) continue;
      const passed = num(a, 'meanDrift') > num(b, 'meanDrift') && rounds(a) > rounds(b);
      return { passed, runId: a.record.id, detail: `IID: ${roundsText(b)}, drift ${fmt(num(b, 'meanDrift'), 2)}. Dirichlet α = ${a.settings.alpha}: ${roundsText(a)}, drift ${fmt(num(a, 'meanDrift'), 2)}.${passed ? '' : ' Expected more rounds and more drift for the skewed split.'}` };
    }
    return { passed: false, detail: 'Need an IID run and a Dirichlet α ≤ 0.3 run with otherwise equal settings.' };
  },
};

const fedavg: Exercise = {
  id: 'fedavg',
  title: 'Compute more, talk less',
  task: 'With the same clients and data split, reach the target accuracy with FedAvg in fewer rounds than FedSGD (which may not reach it at all).',
  check({ runs }): CheckResult {
    const rs = runsOf(runs);
    for (const a of rs.filter((r) => r.settings.algorithm === 'fedavg' && Number.isFinite(num(r, 'roundsToTarget')))) {
      const b = rs.find((r) => r.settings.algorithm === 'fedsgd' && r.settings.partition === a.settings.partition && r.settings.alpha === a.settings.alpha && r.settings.clients === a.settings.clients && r.settings.seed === a.settings.seed && r.settings.targetAccuracy === a.settings.targetAccuracy);
      if (!b) continue;
      const passed = rounds(a) < rounds(b);
      return { passed, runId: a.record.id, detail: `FedAvg (E = ${a.settings.localEpochs}): ${roundsText(a)}, ${formatBytes(num(a, 'bytesToTarget'))} sent. FedSGD: ${roundsText(b)}.` };
    }
    return { passed: false, detail: 'Need a FedAvg run that reached its target and a FedSGD run on the same clients, split, seed and target.' };
  },
};

const secure: Exercise = {
  id: 'secure',
  title: 'Masks that cancel, even when clients drop',
  task: 'Turn on secure aggregation with a drop rate of 0.2 or more. The masks must cancel exactly in every round, dropped clients included.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs).filter((r) => r.settings.secureAgg && r.settings.dropRate >= 0.2);
    const ok = rs.find((r) => num(r, 'droppedClients') >= 1 && num(r, 'maxMaskError') === 0);
    if (ok) return { passed: true, runId: ok.record.id, detail: `Run ${ok.label}: ${num(ok, 'droppedClients')} client drop(s), and the unmasked sum equalled the plain fixed-point sum exactly every round (largest rounding against float FedAvg: ${fmt(num(ok, 'maxQuantError'), 8)}).` };
    if (rs.length) return { passed: false, runId: rs[0].record.id, detail: `Run ${rs[0].label}: ${num(rs[0], 'droppedClients')} drops${num(rs[0], 'droppedClients') === 0 ? ': no client dropped, raise the rate or the rounds' : `, mask error ${num(rs[0], 'maxMaskError')}`}.` };
    return { passed: false, detail: 'No run with secure aggregation and a drop rate ≥ 0.2 yet.' };
  },
};

const privacy: Exercise = {
  id: 'privacy',
  title: 'The price of privacy',
  task: 'Run with DP noise σ ≥ 0.5 and with σ = 0, otherwise the same. How many points of final test accuracy did the noise cost? State your number.',
  answerPrompt: 'The noise cost … accuracy points, because …',
  check({ runs, answers }): CheckResult {
    const rs = runsOf(runs);
    for (const a of rs.filter((r) => r.settings.dpNoise >= 0.5)) {
      const b = rs.find((r) => r.settings.dpNoise === 0 && sameExcept(r, a, ['dpNoise', 'clipNorm']));
      if (!b) continue;
      const cost = 100 * (num(b, 'finalAcc') - num(a, 'finalAcc'));
      const passed = statesNumber(answers.privacy ?? '', cost, 1);
      return { passed, runId: a.record.id, detail: `Without noise ${pct(num(b, 'finalAcc'))}, with σ = ${a.settings.dpNoise}: ${pct(num(a, 'finalAcc'))}, a cost of ${fmt(cost, 1)} points.${passed ? '' : ' State that number in your answer.'}` };
    }
    return { passed: false, detail: 'Need a run with σ ≥ 0.5 and one with σ = 0 with otherwise equal settings.' };
  },
};

export const meta: LabMeta = {
  id: 'federated',
  title: 'Federated learning: train where the data lives',
  summary: 'Clients keep their images; only model updates travel. Compare FedSGD with FedAvg in rounds and bytes, see skewed (non-IID) clients drift apart, drop clients mid-round, hide each update behind masks that cancel exactly, and pay for differential privacy in accuracy.',
  learn: [
    'FedAvg (McMahan et al. 2017): local epochs E, client fraction C, size-weighted averaging',
    'IID vs non-IID splits (Dirichlet α, label shards) and client drift',
    'secure aggregation with pairwise masks in fixed-point arithmetic, and dropped clients',
    'DP-FedAvg: clipping, Gaussian noise and what it costs',
  ],
  minutes: 30,
  exercises: [nonIid, fedavg, secure, privacy],
};

export const columns: Column<Run>[] = [
  { label: 'split', value: (r) => (r.settings.partition === 'dirichlet' ? `Dirichlet α ${r.settings.alpha}` : r.settings.partition) },
  { label: 'algorithm', value: (r) => (r.settings.algorithm === 'fedavg' ? `FedAvg E=${r.settings.localEpochs}` : 'FedSGD') },
  { label: 'final acc', num: true, value: (r) => pct(num(r, 'finalAcc')) },
  { label: 'rounds to target', num: true, value: (r) => (Number.isFinite(num(r, 'roundsToTarget')) ? String(num(r, 'roundsToTarget')) : '–') },
  { label: 'bytes', num: true, wide: true, value: (r) => formatBytes(num(r, 'totalBytes')) },
];

export function summarize(runs: RunRecord[]): string[] {
  const rs = runsOf(runs);
  if (!rs.length) return [];
  const reached = rs.filter((r) => Number.isFinite(num(r, 'roundsToTarget')));
  return [`${rs.length} run(s); ${reached.length} reached their target accuracy${reached.length ? `, fastest in ${Math.min(...reached.map((r) => num(r, 'roundsToTarget')))} rounds` : ''}.`];
}
