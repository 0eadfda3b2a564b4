import type { DepartmentKey, SevenP } from '../domain.js';

/**
 * What text analytics finds in one customer text. One shape for every source: survey verbatims,
 * ticket and email bodies, chat lines, reviews, social posts. Stored as typed rows by the store.
 */
export type SentimentLabel = 'negative' | 'neutral' | 'positive';

export const EMOTIONS = [
  'anger',
  'frustration',
  'disappointment',
  'confusion',
  'joy',
  'gratitude',
  'trust',
  'surprise',
] as const;
export type Emotion = (typeof EMOTIONS)[number];

export const PII_KINDS = ['email', 'phone', 'card', 'iban', 'address', 'ip', 'national_id'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export interface Sentiment {
  /** −1 (very negative) .. 1 (very positive). */
  score: number;
  label: SentimentLabel;
}

export interface SentenceSentiment extends Sentiment {
  /** Character offsets into the original text, end exclusive. */
  start: number;
  end: number;
}

export interface TopicMention {
  /** Taxonomy key, e.g. "billing.error". */
  topic: string;
  /** Sentiment of this aspect only ("food great but the waiter was rude": staff → negative). */
  sentiment: Sentiment;
  /** The text span that triggered the topic, offsets into the original text, end exclusive. */
  start: number;
  end: number;
  /**
   * A classifier that found the topic (its span is then the whole text): ORG_TOPIC_MODEL for the
   * org's own trained one; absent for the taxonomy phrases.
   */
  detectedBy?: string;
}

/** `detectedBy` of topics the org's own trained topic classifier found. */
export const ORG_TOPIC_MODEL = 'org-topic-model';

export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
}

export interface TextAnalysis {
  /** ISO 639-1 code, or 'und' when too short to tell. */
  language: string;
  /** False when the text is not English: its sentiment and topics are not trustworthy and are left neutral/empty. */
  analysable: boolean;
  sentiment: Sentiment;
  sentences: SentenceSentiment[];
  emotions: Emotion[];
  topics: TopicMention[];
  /** 0..1: how hard the customer had to try (repeat contact, transfers, waiting). */
  effort: number;
  /** The customer threatens to leave ("I'm cancelling", "switching to …"). */
  churnThreat: boolean;
  /** Needs a fast answer (safety, legal threat, money lost, "urgent"). */
  urgent: boolean;
  pii: PiiMatch[];
  /** Labels from the org's trained classifier (when one was given), best first. */
  labels?: { label: string; score: number }[];
  /** The best intent from the org's trained intent classifier (when one is active). */
  intents?: { label: string; score: number }[];
  /** Where the sentiment came from: the built-in lexicon, or the org's trained sentiment model. */
  sentimentSource?: 'lexicon' | 'model';
}

/** One topic of a taxonomy: a tree by key ("delivery" → "delivery.late"). */
export interface TaxonomyTopic {
  key: string;
  label: string;
  parent: string | null;
  sevenP: SevenP;
  department: DepartmentKey;
  /**
   * Phrases that signal the topic (lower-case; matched on word boundaries, simple inflections). A
   * phrase starting with "~" is a qualifier: it counts only in a sentence that also mentions its
   * family (the topics under the same top-level topic) by another phrase — "~nice" for staff
   * attitude finds "the waiter was nice" but not "nice dress".
   */
  phrases: string[];
}

export interface Taxonomy {
  version: string;
  topics: TaxonomyTopic[];
}
