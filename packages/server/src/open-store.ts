import { openStore, type Store } from '@canopy/store';
import type { Config } from './config.js';
import { lockDataDir } from './datadir-lock.js';

/** Opens the configured store: PostgreSQL when DATABASE_URL is set, else PGlite in the data folder (locked). */
export async function openConfiguredStore(config: Config): Promise<Store> {
  if (config.databaseUrl) return openStore({ databaseUrl: config.databaseUrl });
  const unlock = lockDataDir(config.dataDir);
  try {
    const store = await openStore({ dataDir: config.dataDir });
    const close = store.close;
    store.close = async () => {
      await close();
      unlock();
    };
    return store;
  } catch (err) {
    unlock();
    throw err;
  }
}
