/** Statistics for the experimentation labs: tests, power, CUPED, sequential testing, simulations, bandits. */
export { StatsInputError } from './errors';
export {
  lnGamma,
  lnBeta,
  gammaP,
  gammaQ,
  betaInc,
  normalCdf,
  normalSf,
  normalPdf,
  normalQuantile,
  studentTCdf,
  studentTSf,
  studentTTwoSided,
  studentTPdf,
  studentTQuantile,
  chiSquareCdf,
  chiSquareSf,
} from './dist';
export { normalSampler, sampleGamma, sampleBeta, sampleBinomial, type NormalSampler } from '../math/random';
export {
  twoProportionZTest,
  welchTTest,
  srmTest,
  type IntervalOptions,
  type TwoProportionResult,
  type WelchResult,
  type SrmResult,
} from './hypothesis';
export { requiredSampleSize, type SampleSizeOptions } from './power';
export { cuped, type CupedOptions, type CupedResult } from './cuped';
export { bonferroni, benjaminiHochberg, type MultipleTestResult } from './multiple';
export {
  msprtLogLikelihoodRatio,
  msprtTwoProportion,
  optimalMixingRatio,
  defaultMixingVariance,
  type MsprtResult,
} from './sequential';
export { simulateAATests, type AATestOptions, type AATestResult } from './simulate';
export { simulateBandit, type BanditOptions, type BanditResult, type BanditPolicy } from './bandit';
// The experimentation labs' simulations (each a pure function of its settings and seed).
export { histogram, shareBelow, sizeForPower } from './sim-stats';
export { simulateAbTest, validateAbTest, type AbTestSettings, type AbTestResult } from './experiment';
export { simulatePitfalls, simulateSrm, validatePitfalls, SRM_ALERT_P, type PitfallSettings, type PitfallResult } from './pitfalls';
export { simulateSimpson, expectedOverallRates, type SimpsonSettings, type SimpsonResult } from './simpson';
export { simulateNovelty, trueLiftOnDay, expectedCumulativeLift, type NoveltySettings, type NoveltyResult } from './novelty';
export { teamDraftInterleave, examineProbability, simulateInterleaving, validateInterleaving, type TeamDraft, type InterleavingSettings, type InterleavingResult } from './interleaving';
export { fitLogistic, predictLogistic, sigmoid, type LogisticOptions } from '../math/logistic';
export { simulateUplift, validateUplift, qiniCurve, upliftTruth, type UpliftSettings, type UpliftResult } from './uplift';
