import { predictLabels, scoreLabels, type TrainedTextModel } from './classifier.js';
import { languageOfTokens } from './language.js';
import { findPii } from './pii.js';
import { analyseSentiment } from './sentiment.js';
import { detectSignals } from './signals.js';
import { DEFAULT_TAXONOMY } from './taxonomy.js';
import { tokenize } from './tokenize.js';
import { compileTaxonomy, topicsFromSentiment } from './topics.js';
import { ORG_TOPIC_MODEL, type Taxonomy, type TextAnalysis, type TopicMention } from './types.js';
import { tokenInfos } from './words.js';

export interface AnalyzeContext {
  taxonomy?: Taxonomy;
  /** An org's trained topic classifier; its labels are reported, and labels that are taxonomy keys become topics. */
  model?: TrainedTextModel;
  /** The org's trained models by kind (`topics` is the same as `model`). */
  models?: { topics?: TrainedTextModel; intents?: TrainedTextModel; sentiment?: TrainedTextModel };
}

const TAXONOMY_KEYS = new WeakMap<Taxonomy, Set<string>>();
function taxonomyKeys(t: Taxonomy): Set<string> {
  let s = TAXONOMY_KEYS.get(t);
  if (!s) {
    s = new Set(t.topics.map((x) => x.key));
    TAXONOMY_KEYS.set(t, s);
  }
  return s;
}

/**
 * Everything text analytics finds in one text, in one pass: language, sentiment (text and
 * sentences), topics with aspect sentiment, emotions, effort, churn threat, urgency and PII.
 * Non-English text is flagged `analysable: false` and left neutral and topic-less; PII is still found.
 */
export function analyzeText(text: string, ctx: AnalyzeContext = {}): TextAnalysis {
  const pii = findPii(text);
  const tokens = tokenize(text);
  const infos = tokenInfos(tokens);
  const language = languageOfTokens(text, tokens, infos);
  const analysable = language === 'en' || language === 'und';
  if (!analysable) {
    return {
      language,
      analysable,
      sentiment: { score: 0, label: 'neutral' },
      sentences: [],
      emotions: [],
      topics: [],
      effort: 0,
      churnThreat: false,
      urgent: false,
      pii,
    };
  }
  const taxonomy = ctx.taxonomy ?? DEFAULT_TAXONOMY;
  const d = analyseSentiment(text, tokens, infos);
  const topics = topicsFromSentiment(d, compileTaxonomy(taxonomy));
  const sig = detectSignals(text, d);
  const out: TextAnalysis = {
    language,
    analysable,
    sentiment: { score: d.score, label: d.label },
    sentences: d.sentences,
    emotions: sig.emotions,
    topics,
    effort: sig.effort,
    churnThreat: sig.churnThreat,
    urgent: sig.urgent,
    pii,
  };
  const topicModel = ctx.models?.topics ?? ctx.model;
  if (topicModel) {
    const labels = predictLabels(topicModel, text, d);
    out.labels = labels;
    const keys = taxonomyKeys(taxonomy);
    const have = new Set(topics.map((t) => t.topic));
    for (const l of labels) {
      if (!keys.has(l.label) || have.has(l.label)) continue;
      const m: TopicMention = {
        topic: l.label,
        sentiment: { score: d.score, label: d.label },
        start: 0,
        end: text.length,
        detectedBy: ORG_TOPIC_MODEL,
      };
      topics.push(m);
    }
  }
  if (ctx.models?.intents) out.intents = predictLabels(ctx.models.intents, text, d).slice(0, 1);
  const sm = ctx.models?.sentiment;
  if (sm) {
    // The org's own sentiment model: score = P(positive) − P(negative), label = the most likely.
    const all = scoreLabels(sm, text, undefined, d);
    const p = (l: string) => all.find((x) => x.label === l)?.score ?? 0;
    const best = all[0]?.label;
    if (best === 'positive' || best === 'negative' || best === 'neutral') {
      out.sentiment = { score: Math.round((p('positive') - p('negative')) * 1e4) / 1e4, label: best };
      out.sentimentSource = 'model';
    }
  }
  return out;
}
