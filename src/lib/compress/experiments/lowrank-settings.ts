import { epochsField, seedField, SettingsError, trainSizeField, validateFields, type Field } from './fields';

export interface LowRankSettings {
  /** Which Dense layers to factorize: the first (largest) hidden one, or every hidden one. ('layers' would clash: a saved variant's params.layers holds its layer configs.) */
  target: 'first' | 'hidden';
  /** Ranks to try, comma-separated ("4,8,16,32,64"). */
  ranks: string;
  epochs: number;
  trainSize: number;
  seed: number;
}

export const LOWRANK_DEFAULTS: LowRankSettings = { target: 'hidden', ranks: '4,8,16,32,64', epochs: 1, trainSize: 2048, seed: 1 };

export const LOWRANK_FIELDS: Field[] = [
  {
    key: 'target', label: 'Layers to factorize', kind: 'choice', explain: 'The first hidden layer holds most of an MLP\'s weights (784 × 256); the output layer is kept, its 10 units are the answer.',
    options: [
      { value: 'hidden', label: 'every hidden Dense layer' },
      { value: 'first', label: 'the first Dense layer only' },
    ],
  },
  epochsField('A short fine-tune lets the two smaller layers re-fit together what truncation threw away (0: none).'),
  trainSizeField,
  seedField,
];

/** The ranks of a sweep, ascending and distinct; each must be a whole number from 1 to 1024. */
export function parseRanks(text: string): number[] {
  const parts = text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const ranks = parts.map(Number);
  if (ranks.length === 0 || ranks.length > 8 || ranks.some((r) => !Number.isInteger(r) || r < 1 || r > 1024)) {
    throw new SettingsError('ranks', `Ranks must be 1 to 8 whole numbers from 1 to 1024, separated by commas; got "${text}".`);
  }
  return [...new Set(ranks)].sort((a, b) => a - b);
}

export function validateLowRank(s: LowRankSettings): LowRankSettings {
  validateFields(LOWRANK_FIELDS, s);
  parseRanks(s.ranks);
  return s;
}

/** Fields of the controls and the link: the ranks travel as text. */
export const LOWRANK_ALL_FIELDS: Field[] = [...LOWRANK_FIELDS, { key: 'ranks', label: 'Ranks', kind: 'choice', explain: 'Ranks to try, comma-separated.' }];
