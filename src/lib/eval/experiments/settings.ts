/**
 * Compatibility only: the evaluation labs' settings moved to their runners (src/lib/runners/) and
 * the field system to core/fields.ts. src/lib/compress (quantize, distill, prune, low-rank) still
 * imports these names from here, in its own wording; delete this file when it imports core/fields.
 */
import { SettingsError, type Field } from '../../core/fields';

export { SettingsError, fieldSpec, type Field } from '../../core/fields';

/**
 * Throw a SettingsError naming the first field out of its range or choices, in the compression
 * labs' earlier wording ("must be between min and max; it is x", choices joined by `optionSeparator`).
 */
export function checkFields(fields: readonly Field[], value: object, optionSeparator = ', '): void {
  const v = value as Record<string, unknown>;
  for (const f of fields) {
    const x = v[f.key];
    if (f.kind === 'choice') {
      if (!f.options!.some((o) => o.value === x)) throw new SettingsError(f.key, `${f.label} must be one of ${f.options!.map((o) => o.value).join(optionSeparator)}.`);
      continue;
    }
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new SettingsError(f.key, `${f.label} must be a number.`);
    if (f.integer && !Number.isInteger(x)) throw new SettingsError(f.key, `${f.label} must be a whole number.`);
    if (x < f.min! || x > f.max!) throw new SettingsError(f.key, `${f.label} must be between ${f.min} and ${f.max}; it is ${x}.`);
  }
}
