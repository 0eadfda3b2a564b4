import { type Kysely, sql } from 'kysely';

/**
 * Raw answer aggregates by day and week bucket with `date_bin` on the stored instant (integer
 * arithmetic, no per-row time zone conversion) instead of `date_trunc(…, submitted_at AT TIME
 * ZONE 'UTC')`, and count per (bucket, touchpoint, value). These statistics tell the planner how
 * many groups those expressions yield — without them it assumes one per row and picks a serial,
 * spilling aggregate. 006's statistics on the date_trunc day/week expressions have no query left.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP STATISTICS IF EXISTS answers_week_tp;
DROP STATISTICS IF EXISTS answers_day;
CREATE STATISTICS answers_week_bin (ndistinct)
  ON (date_bin('7 days', submitted_at, '2000-01-03 00:00:00+00')), touchpoint_id, value_num FROM answers;
CREATE STATISTICS answers_day_bin (ndistinct)
  ON (date_bin('1 day', submitted_at, '2000-01-03 00:00:00+00')), touchpoint_id, value_num FROM answers;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP STATISTICS IF EXISTS answers_week_bin;
DROP STATISTICS IF EXISTS answers_day_bin;
CREATE STATISTICS IF NOT EXISTS answers_week_tp (ndistinct) ON (date_trunc('week', submitted_at AT TIME ZONE 'UTC')), touchpoint_id FROM answers;
CREATE STATISTICS IF NOT EXISTS answers_day (ndistinct) ON (date_trunc('day', submitted_at AT TIME ZONE 'UTC')), touchpoint_id FROM answers;
`.execute(db);
}
