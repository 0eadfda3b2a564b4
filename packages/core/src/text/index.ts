export { type AnalyzeContext, analyzeText } from './analyze.js';
export {
  type AspectPolarityExample,
  type ClassifierOptions,
  type LabelScore,
  polarityOf,
  predictAspectPolarity,
  predictLabels,
  scoreLabels,
  type TrainExample,
  type TrainedTextModel,
  trainAspectPolarity,
  trainTextClassifier,
} from './classifier.js';
export { type LabelSentimentReader, labelSentimentReader } from './label-sentiment.js';
export { detectLanguage } from './language.js';
export { findPii, ibanValid, luhnValid, redactPii } from './pii.js';
export {
  analyseSentiment,
  labelFor as sentimentLabelFor,
  SENTIMENT_PARAMS,
  type SentimentDetail,
  type SentimentResult,
  scoreSentiment,
} from './sentiment.js';
export { detectChurnThreat, detectEmotions, detectUrgency, scoreEffort } from './signals.js';
export { DEFAULT_TAXONOMY, TOPIC_KEY_RE } from './taxonomy.js';
export { packAdditions, TAXONOMY_PACKS, type TaxonomyPack } from './taxonomy-packs.js';
export {
  type CompiledTaxonomy,
  compileTaxonomy,
  detectTopics,
  topicsConfigMark,
  topicsFromSentiment as detectTopicsFromSentiment,
} from './topics.js';
export { VADER_LEXICON_TEXT } from './vader-lexicon.js';
