/**
 * The settings the vector labs share, as field constructors: key, label and the common bounds once;
 * a lab gives its own bounds and, where it says more than the common line, its own explanation.
 */
import { intField, type Field } from '../core/fields';

export const vectorField = {
  seed: (explain: string): Field => intField('seed', 'Seed', 0, 2 ** 31 - 1, explain),
  base: (min: number, max: number, explain = 'Vectors in the index.'): Field => intField('n', 'Base vectors', min, max, explain, 1000),
  queries: (max: number, explain = 'Queries measured for recall and speed.'): Field => intField('queries', 'Queries', 10, max, explain),
  dim: (min: number, max: number, explain = 'Coordinates per vector.', label = 'Dimension'): Field => intField('dim', label, min, max, explain),
  clusters: (max: number, explain = 'Gaussian blobs the vectors are drawn from.'): Field => intField('clusters', 'Clusters in the data', 1, max, explain),
  nlist: (max: number, explain: string): Field => intField('nlist', 'Lists (nlist)', 1, max, explain),
  nprobe: (max: number, explain: string): Field => intField('nprobe', 'Lists probed (nprobe)', 1, max, explain),
  trainRows: (min: number, max: number, step: number, explain: string): Field => intField('trainRows', 'Training rows', min, max, explain, step),
  k: (explain = 'Neighbours per query.'): Field => intField('k', 'k', 1, 100, explain),
};
