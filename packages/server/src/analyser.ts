import { analyzeText, redactPii } from '@canopy/core';
import type { TextAnalyser } from './pipeline/analyse.js';

/** The built-in text analytics of @canopy/core: CPU, offline, no model download. */
export function defaultAnalyser(): TextAnalyser {
  return {
    analyse: (text) => analyzeText(text),
    redact: (text, analysis) => redactPii(text, analysis.pii),
  };
}
