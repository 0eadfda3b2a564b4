import { type Kysely, sql } from 'kysely';

/**
 * Who wrote an interaction: the customer (`inbound`: a ticket, a call, an email to us) or the
 * organisation (`outbound`: an invoice, a welcome email, a price notice). Only the customer's
 * words are read as their experience; an invoice's subject is not a feeling. Rows written before
 * keep `inbound`, which is what their text was taken for.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE interactions ADD COLUMN direction text NOT NULL DEFAULT 'inbound'
    CHECK (direction IN ('inbound', 'outbound'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE interactions DROP COLUMN IF EXISTS direction`.execute(db);
}
