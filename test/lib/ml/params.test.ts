import { describe, expect, it } from 'vitest';
import { decodeTrainConfig, encodeTrainConfig } from '../../../src/lib/ml/params.ts';
import { DEFAULTS, type TrainConfig } from '../../../src/lib/ml/config.ts';

describe('training settings in the URL', () => {
  it('encodeTrainConfig then decodeTrainConfig round-trips every setting', () => {
    const c: TrainConfig = { model: 'cnn', optimizer: 'momentum', learningRate: 0.0125, batchSize: 32, accumSteps: 4, epochs: 5, seed: 1234567, trainSize: 3000, backend: 'wasm' };
    const q = encodeTrainConfig(c);
    expect(q).toBe('model=cnn&optimizer=momentum&learningRate=0.0125&batchSize=32&accumSteps=4&epochs=5&seed=1234567&trainSize=3000&backend=wasm');
    expect(decodeTrainConfig(q)).toEqual({ value: c, warnings: [] });
  });

  it('decodeTrainConfig keeps defaults for missing settings', () => {
    expect(decodeTrainConfig('model=cnn').value).toEqual({ ...DEFAULTS, model: 'cnn' });
  });

  it('decodeTrainConfig ignores unparsable and absurd values with a warning naming each', () => {
    const { value, warnings } = decodeTrainConfig('learningRate=-1&batchSize=abc&model=resnet&epochs=1000000000&seed=7');
    expect(value).toEqual({ ...DEFAULTS, seed: 7 });
    expect(warnings).toHaveLength(4);
    expect(warnings.join('\n')).toMatch(/learningRate=-1: Learning Rate must be between/);
    expect(warnings.join('\n')).toMatch(/batchSize=abc: not a valid number/);
    expect(warnings.join('\n')).toMatch(/model=resnet/);
    expect(warnings.join('\n')).toMatch(/epochs=1000000000: Epochs must be between 1 and 50/);
  });

  it('decodeTrainConfig falls back to the defaults when settings conflict with each other', () => {
    const { value, warnings } = decodeTrainConfig('trainSize=100&batchSize=64&accumSteps=2');
    expect(value).toEqual(DEFAULTS);
    expect(warnings[0]).toMatch(/128 images, more than the 100 training images/);
  });
});
