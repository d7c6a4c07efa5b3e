/**
 * Settings of the compression labs, described once as fields (label, bounds, one-line why): the
 * page draws its controls from them, links carry them (paramSpec), and validate() checks them.
 */
import { SettingsError, fieldSpec, type Field } from '../../eval/experiments/settings';

export { SettingsError, fieldSpec };
export type { Field };

/**
 * Throw SettingsError naming the first field outside its bounds or options. The compression labs'
 * own wording ("must lie in [min, max]; got x"), which their links and tests show; eval/experiments
 * checkFields is the same check in the other labs' words.
 */
export function validateFields<T extends object>(fields: Field[], value: T): T {
  const v = value as Record<string, unknown>;
  for (const f of fields) {
    const x = v[f.key];
    if (f.kind === 'choice') {
      if (!f.options?.some((o) => o.value === x)) throw new SettingsError(f.key, `${f.label} must be one of ${f.options?.map((o) => o.value).join(', ')}; got ${String(x)}.`);
      continue;
    }
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new SettingsError(f.key, `${f.label} must be a number; got ${String(x)}.`);
    if (f.integer && !Number.isInteger(x)) throw new SettingsError(f.key, `${f.label} must be a whole number; got ${x}.`);
    if ((f.min !== undefined && x < f.min) || (f.max !== undefined && x > f.max)) throw new SettingsError(f.key, `${f.label} must lie in [${f.min}, ${f.max}]; got ${x}.`);
  }
  return value;
}

export const seedField: Field = { key: 'seed', label: 'Seed', kind: 'number', integer: true, min: 0, max: 2 ** 31 - 1, step: 1, explain: 'Fixes which images fine-tuning sees and in which order: a link reproduces the run.' };
export const trainSizeField: Field = { key: 'trainSize', label: 'Fine-tuning images', kind: 'number', integer: true, min: 256, max: 9000, step: 256, explain: 'Training images used to recover accuracy after compressing: more recovers more, and takes longer.' };
export const epochsField = (explain: string): Field => ({ key: 'epochs', label: 'Fine-tune epochs', kind: 'number', integer: true, min: 0, max: 10, step: 1, explain });
