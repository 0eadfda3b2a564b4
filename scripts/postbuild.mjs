// After `npm run build`: the compiled `canopy` CLI must be executable (npm linked it at install,
// before it existed, so npm could not set its mode then).
import { chmodSync, existsSync } from 'node:fs';

const cli = new URL('../packages/server/dist/src/cli/main.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
