import { describe, expect, it } from 'vitest';
import { run as runCard, defaults as CARD_DEFAULTS } from '../../../src/lib/runners/model-card';
import { quietContext } from '../../../src/lib/core/task';
import { derivedFindings } from '../../../src/lib/eval/modelcard';

describe('the model card', () => {
  const { card, markdown } = runCard(quietContext, { ...CARD_DEFAULTS, runId: 'run-abc', date: '2025-01-02', appVersion: '9.9.9' });

  it('names the run, its seed and data hash, and prints the measured numbers', () => {
    expect(markdown).toContain('run `run-abc`');
    expect(markdown).toContain(`data hash \`${card.dataHash}\``);
    const auc = card.metrics.find((m) => m.name === 'ROC AUC')!.value;
    expect(markdown).toContain(`| ROC AUC | ${auc.toFixed(3)} |`);
    expect(markdown).toContain(`Disparate impact ratio: ${card.fairness.dir.toFixed(3)}`);
    expect(markdown).toContain(`| 1 | ${card.groups[1].n} | ${(100 * card.groups[1].approvalRate).toFixed(1)}% |`);
    expect(markdown).toMatch(/^# Model card: /);
  });

  it('derives findings from the numbers: the four-fifths rule either way', () => {
    expect(derivedFindings({ ...card, fairness: { ...card.fairness, dir: 0.7 } })[0]).toMatch(/below 0.8/);
    expect(derivedFindings({ ...card, fairness: { ...card.fairness, dir: 0.9 } })[0]).toMatch(/passes/);
  });

  it('reports what mitigation did: per-group thresholds shrink the parity gap it shows', () => {
    const mitigated = runCard(quietContext, { ...CARD_DEFAULTS, mitigation: 'group-thresholds', runId: 'r2', date: 'd', appVersion: 'v' });
    expect(mitigated.card.fairness.dpd).toBeLessThan(card.fairness.dpd / 2);
    expect(mitigated.markdown).toContain('per-group approval thresholds');
  });
});
