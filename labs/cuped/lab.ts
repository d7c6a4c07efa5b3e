import type { CupedDigest } from '../../src/lib/runners/cuped';
import type { Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns } from '../kit/runs';
import { statesShare } from '../kit/answer';
import { pct } from '../../src/lib/core/format';

/** Settings as saved with a run (read by key). */
type Settings = Record<string, number | string>;





const all = (runs: Parameters<Exercise['check']>[0]['runs']) => labRuns<Settings, CupedDigest>(runs);

const rhoSquared: Exercise = {
  id: 'rho-squared',
  title: 'Variance reduction is about ρ²',
  task: 'Run with two different correlations, one of them at least 0.8. For each, the measured variance reduction should be within 0.03 of ρ².',
  check({ runs }) {
    const good = all(runs).filter((r) => Math.abs(r.result.varianceReduction - r.result.rhoSquared) <= 0.03);
    const high = good.find((r) => Number(r.settings.correlation) >= 0.8);
    const other = good.find((r) => high && Math.abs(Number(r.settings.correlation) - Number(high.settings.correlation)) >= 0.1);
    if (high && other) return { passed: true, runId: high.id, detail: `ρ = ${high.settings.correlation}: reduction ${pct(high.result.varianceReduction)} vs ρ² ${pct(high.result.rhoSquared)}; ρ = ${other.settings.correlation}: ${pct(other.result.varianceReduction)} vs ${pct(other.result.rhoSquared)}.` };
    return { passed: false, detail: `Runs matching ρ² so far: ${good.map((r) => `ρ = ${r.settings.correlation}`).join(', ') || 'none'}. Need one with ρ ≥ 0.8 and another ρ at least 0.1 away.` };
  },
};

const halfUsers: Exercise = {
  id: 'half-users',
  title: 'Same power with fewer users',
  task: 'Find a run where CUPED at 1,000 users per arm or fewer has at least the power that the raw test has in another run of yours with twice as many users (same ρ, effect and alpha).',
  check({ runs }) {
    const rs = all(runs);
    for (const small of rs) {
      if (Number(small.settings.usersPerArm) > 1000) continue;
      const big = rs.find((b) => Number(b.settings.usersPerArm) >= 2 * Number(small.settings.usersPerArm) && b.settings.correlation === small.settings.correlation && b.settings.effect === small.settings.effect && b.settings.alpha === small.settings.alpha && small.result.cupedPower >= b.result.rawPower);
      if (big) return { passed: true, runId: small.id, detail: `CUPED with ${small.settings.usersPerArm} users per arm: power ${pct(small.result.cupedPower)}; raw with ${big.settings.usersPerArm}: ${pct(big.result.rawPower)}.` };
    }
    return { passed: false, detail: 'No such pair yet: run the default, then halve the users (or less) and compare.' };
  },
};

const useless: Exercise = {
  id: 'useless-covariate',
  title: 'A useless covariate does no harm',
  task: 'Set ρ to 0 (a covariate that knows nothing). Show that CUPED keeps the A/A false positive rate near alpha and its power close to the raw test’s.',
  answerPrompt: 'State CUPED’s A/A false positive rate in your ρ ≈ 0 run (e.g. 5.2%), and why CUPED cannot bias the estimate, even with a useless covariate:',
  check({ runs, answers }) {
    const r = all(runs).find((x) => Number(x.settings.correlation) <= 0.05 && Number(x.settings.experiments) >= 300);
    if (!r) return { passed: false, detail: 'No run with ρ ≤ 0.05 and at least 300 experiments yet.' };
    const found = `Run ${r.label}: A/A false positives raw ${pct(r.result.rawFpr)}, CUPED ${pct(r.result.cupedFpr)}; power raw ${pct(r.result.rawPower)}, CUPED ${pct(r.result.cupedPower)}.`;
    const a = answers['useless-covariate'] ?? '';
    return statesShare(a, r.result.cupedFpr, 0.005) && /(pre|before|random|independent|mean|zero|same in both|unaffected)/i.test(a) ? { passed: true, runId: r.id, detail: found } : { passed: false, runId: r.id, detail: `${found} Now state CUPED’s A/A false positive rate and explain why.` };
  },
};

export const meta: LabMeta = {
  id: 'cuped',
  title: 'Variance reduction with CUPED',
  summary: 'Use a pre-experiment covariate to shrink the noise of an A/B test, and measure over simulations how much variance and how many users it saves.',
  learn: [
    'CUPED’s θ = cov(y, x)/var(x) and the adjusted metric y − θ(x − x̄)',
    'why the variance falls by about ρ², the squared pre/post correlation',
    'turning variance reduction into users saved at the same power',
    'why a pre-period covariate cannot bias the estimate',
  ],
  minutes: 15,
  exercises: [rhoSquared, halfUsers, useless],
};

export function summarize(records: RunRecord[]): string[] {
  const runs = labRuns<Settings, CupedDigest>(records);
  if (!runs.length) return [];
  const r = runs[0];
  const out = [`Latest run (${r.label}, ρ = ${r.settings.correlation}): CUPED removed ${pct(r.result.varianceReduction)} of the variance (ρ² = ${pct(r.result.rhoSquared)}), so it needs ${pct(r.result.sampleShare, 0)} of the users for the same precision. Power ${pct(r.result.rawPower)} → ${pct(r.result.cupedPower)}; A/A false positives ${pct(r.result.rawFpr)} raw, ${pct(r.result.cupedFpr)} CUPED.`];
  if (runs.length > 1) {
    const worst = Math.max(...runs.map((x) => Math.abs(x.result.varianceReduction - x.result.rhoSquared)));
    out.push(`Across your ${runs.length} runs the measured reduction stayed within ${(100 * worst).toFixed(1)} points of ρ².`);
  }
  return out;
}
