import { sql } from 'kysely';
import type { Db } from '../ingest/types.js';
import { filterSql, joinsSql, type MetricFilter, withAnalyticsSettings } from './query.js';

/** The outcome rows (015) read like answers: same ids, touchpoint, agent and customer columns. */
const outcomesCtx = {
  family: 'answers' as const,
  rollup: false,
  spec: {
    table: 'answer_outcomes',
    time: 'submitted_at',
    customer: 'customer_id',
    agent: true,
    subjectKind: 'response' as const,
    subjectId: 'response_id',
  },
};

export interface LoyaltyCountsRow {
  box: number;
  n: number;
  retained: number;
  retained_known: number;
  repurchased: number;
  repurchased_known: number;
  referred: number;
  referred_known: number;
}

/**
 * Per score box (each customer's latest answer in the window): what they did in the
 * `horizonDays` after answering. An outcome is known when it happened, when the customer
 * cancelled, or when the horizon has elapsed by `now`. Reads the answers' next-outcome times
 * (answer_outcomes, kept by triggers), so any horizon costs one pass over the window's answers.
 */
export async function loyaltyCounts(
  db: Db,
  orgId: string,
  q: {
    type: 'nps' | 'csat';
    from: Date;
    to: Date;
    filter: MetricFilter;
    horizonDays: number;
    now: Date;
    /** false: pick each customer's last answer by sorting even without a filter (tests, benchmarks). */
    useNextAnswer?: boolean;
  },
): Promise<LoyaltyCountsRow[]> {
  const h = sql`make_interval(days => ${q.horizonDays})`;
  const window = sql`f.org_id = ${orgId}::uuid AND f.type = ${q.type}
    AND f.submitted_at >= ${q.from.toISOString()}::timestamptz AND f.submitted_at < ${q.to.toISOString()}::timestamptz`;
  const filtered =
    q.useNextAnswer === false ||
    Object.values(q.filter).some((v) =>
      Array.isArray(v) ? v.length > 0 : v && typeof v === 'object' && Object.keys(v).length > 0,
    );
  const r = await withAnalyticsSettings(db, 256, (db) =>
    sql<LoyaltyCountsRow>`
    WITH last AS (${
      filtered
        ? sql`SELECT DISTINCT ON (f.customer_id) f.box, f.submitted_at AS t, f.next_cancellation_at AS nc,
        f.next_purchase_at AS np, f.next_referral_at AS nr
      FROM answer_outcomes f ${joinsSql(outcomesCtx, !!q.filter.segment?.length, false)}
      WHERE ${window} ${filterSql(q.filter, outcomesCtx)}
      ORDER BY f.customer_id, f.submitted_at DESC, f.response_id DESC, f.field DESC`
        : // Unfiltered, a customer's last answer in the window is the one whose next answer is not in it.
          sql`SELECT f.box, f.submitted_at AS t, f.next_cancellation_at AS nc, f.next_purchase_at AS np, f.next_referral_at AS nr
      FROM answer_outcomes f
      WHERE ${window} AND (f.next_answer_at IS NULL OR f.next_answer_at >= ${q.to.toISOString()}::timestamptz)`
    }
    ), o AS (
      SELECT box, coalesce(nc <= t + ${h}, false) AS cancelled, coalesce(np <= t + ${h}, false) AS purchased,
        coalesce(nr <= t + ${h}, false) AS referred, t + ${h} <= ${q.now.toISOString()}::timestamptz AS elapsed
      FROM last
    )
    SELECT box, count(*)::int AS n,
      (count(*) FILTER (WHERE elapsed AND NOT cancelled))::int AS retained,
      (count(*) FILTER (WHERE elapsed OR cancelled))::int AS retained_known,
      (count(*) FILTER (WHERE purchased))::int AS repurchased,
      (count(*) FILTER (WHERE purchased OR elapsed OR cancelled))::int AS repurchased_known,
      (count(*) FILTER (WHERE referred))::int AS referred,
      (count(*) FILTER (WHERE referred OR elapsed OR cancelled))::int AS referred_known
    FROM o GROUP BY box ORDER BY box`.execute(db),
  );
  return r.rows;
}
