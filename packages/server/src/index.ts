export { defaultAnalyser } from './analyser.js';
export { type AppOptions, buildApp } from './app.js';
export { loadDemo } from './demo.js';
export { MissingPackageError, onnxAvailable } from './onnx/runtime.js';
export { SENTIMENT_JOB, SentimentModel, sentimentJobHandler } from './onnx/sentiment-model.js';
export {
  loadOnnxTextClassifier,
  type OnnxLoadOptions,
  OnnxModelError,
  type OnnxTextClassifier,
} from './onnx/text-classifier.js';
export { backfill, type TextModel } from './onnx/text-model.js';
export { TopicModel } from './onnx/topic-model.js';
export type { TextAnalyser } from './pipeline/analyse.js';
export { TextAnalysisStep } from './pipeline/analyse.js';
export { ingestBatch } from './pipeline/ingest.js';
export { validateBatch } from './pipeline/validate.js';
export { Problem } from './problem.js';
export { exportRecords } from './transfer/export.js';
export { importFile } from './transfer/import.js';
