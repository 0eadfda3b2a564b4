import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001_initial.js';
import * as m002 from './002_analytics.js';
import * as m003 from './003_text_models.js';
import * as m004 from './004_closed_loop.js';
import * as m005 from './005_surveys.js';
import * as m006 from './006_analytics_speed.js';
import * as m007 from './007_rollup_triggers.js';
import * as m010 from './010_audit_log.js';
import * as m011 from './011_text_intents.js';
import * as m012 from './012_answer_bucket_statistics.js';
import * as m013 from './013_cover_indexes.js';
import * as m014 from './014_answers_touchpoint_time.js';
import * as m015 from './015_answer_outcomes.js';
import * as m016 from './016_answer_drivers.js';
import * as m017 from './017_answer_driver_rollup.js';
import * as m018 from './018_sentiment_model.js';
import * as m019 from './019_topic_model.js';
import * as m020 from './020_taxonomy_revision.js';
import * as m021 from './021_customer_segment_ci.js';
import * as m022 from './022_topics_config.js';
import * as m023 from './023_audit_words.js';
import * as m024 from './024_interaction_direction.js';
import * as m025 from './025_idempotency_digest.js';

/**
 * Numbered migrations, applied in order at start-up. Add a file NNN_name.ts and list it here;
 * never edit one that has shipped.
 */
const MIGRATIONS: Record<string, Migration> = {
  '001_initial': m001,
  '002_analytics': m002,
  '003_text_models': m003,
  '004_closed_loop': m004,
  '005_surveys': m005,
  '006_analytics_speed': m006,
  '007_rollup_triggers': m007,
  '010_audit_log': m010,
  '011_text_intents': m011,
  '012_answer_bucket_statistics': m012,
  '013_cover_indexes': m013,
  '014_answers_touchpoint_time': m014,
  '015_answer_outcomes': m015,
  '016_answer_drivers': m016,
  '017_answer_driver_rollup': m017,
  '018_sentiment_model': m018,
  '019_topic_model': m019,
  '020_taxonomy_revision': m020,
  '021_customer_segment_ci': m021,
  '022_topics_config': m022,
  '023_audit_words': m023,
  '024_interaction_direction': m024,
  '025_idempotency_digest': m025,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
