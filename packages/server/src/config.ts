import { resolve } from 'node:path';

/** Settings from the environment; every one has a default that runs on a laptop. */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  demo: boolean;
  demoCustomers: number;
  logRequests: boolean;
  /** SMTP port for customers' emails as interactions (CANOPY_SMTP_INBOUND_PORT); off when unset. */
  inboundEmailPort: number | undefined;
  /** An ONNX sentiment model folder that re-scores ingested texts (CANOPY_SENTIMENT_MODEL); off when unset. */
  sentimentModel: string | undefined;
  /** An ONNX aspect-sentiment model folder that re-scores topic mentions (CANOPY_ASPECT_MODEL); off when unset. */
  aspectModel: string | undefined;
  /** An ONNX topic classifier folder whose labels are taxonomy keys (CANOPY_TOPIC_MODEL); off when unset. */
  topicModel: string | undefined;
  /** Probability from which the topic model's label counts as found (CANOPY_TOPIC_THRESHOLD, default 0.5). */
  topicThreshold: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 4680);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got '${env.PORT}'`);
  const demoCustomers = Number(env.CANOPY_DEMO_CUSTOMERS ?? 1500);
  if (!Number.isInteger(demoCustomers) || demoCustomers < 1 || demoCustomers > 1_000_000) {
    throw new Error(
      `CANOPY_DEMO_CUSTOMERS must be a whole number from 1 to 1000000, got '${env.CANOPY_DEMO_CUSTOMERS}'`,
    );
  }
  const inbound = env.CANOPY_SMTP_INBOUND_PORT ? Number(env.CANOPY_SMTP_INBOUND_PORT) : undefined;
  if (inbound !== undefined && (!Number.isInteger(inbound) || inbound < 0 || inbound > 65535)) {
    throw new Error(`CANOPY_SMTP_INBOUND_PORT must be a port number, got '${env.CANOPY_SMTP_INBOUND_PORT}'`);
  }
  // Unset or empty: the default, as for the other settings.
  const topicThreshold = env.CANOPY_TOPIC_THRESHOLD ? Number(env.CANOPY_TOPIC_THRESHOLD) : 0.5;
  if (!(topicThreshold > 0 && topicThreshold < 1))
    throw new Error(`CANOPY_TOPIC_THRESHOLD must be a number between 0 and 1, got '${env.CANOPY_TOPIC_THRESHOLD}'`);
  return {
    inboundEmailPort: inbound,
    port,
    host: env.HOST ?? 'localhost',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.CANOPY_DATA_DIR ?? '.canopy-data'),
    demo: !['0', 'false', 'no', 'off'].includes((env.CANOPY_DEMO ?? '1').toLowerCase()),
    demoCustomers,
    logRequests: ['1', 'true', 'yes'].includes((env.CANOPY_LOG ?? '').toLowerCase()),
    sentimentModel: env.CANOPY_SENTIMENT_MODEL ? resolve(env.CANOPY_SENTIMENT_MODEL) : undefined,
    aspectModel: env.CANOPY_ASPECT_MODEL ? resolve(env.CANOPY_ASPECT_MODEL) : undefined,
    topicModel: env.CANOPY_TOPIC_MODEL ? resolve(env.CANOPY_TOPIC_MODEL) : undefined,
    topicThreshold,
  };
}
