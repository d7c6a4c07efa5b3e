/**
 * Area under the ROC curve by the Mann–Whitney rank sum: AUC = (R⁺ − n⁺(n⁺ + 1)/2) / (n⁺·n⁻), with R⁺
 * the sum of the positives' ranks and tied scores sharing their mean rank, so a tie counts ½. It
 * equals the trapezoid area under the ROC curve, P(score⁺ > score⁻) + ½·P(score⁺ = score⁻).
 * NaN when a class is missing. Labels are 0/1 (anything but 1 is a negative).
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`auc: ${labels.length} labels for ${n} scores`);
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k]] === 1) {
        pos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
}
