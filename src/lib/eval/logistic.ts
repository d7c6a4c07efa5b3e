/** Logistic regression lives in math/ (one fitter for every layer); these names stay for eval's callers. */
export { trainLogistic, fitStandardizer, type LogisticOptions, type LogisticModel, type Standardizer } from '../math/logistic';
