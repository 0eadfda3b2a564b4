import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001_initial.js';
import * as m002 from './002_analytics.js';

/**
 * Numbered migrations, applied in order at start-up. Add a file NNN_name.ts and list it here;
 * never edit one that has shipped.
 */
const MIGRATIONS: Record<string, Migration> = {
  '001_initial': m001,
  '002_analytics': m002,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
