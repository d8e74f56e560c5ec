import 'reflect-metadata';
import { loadConfig } from './src/config';
import { ormOptions } from './src/database/orm';

/**
 * For the MikroORM CLI (`npx mikro-orm ...`, needs a TypeScript loader). Keygate itself
 * builds the same options in src/database/orm.ts; prefer `keygate migrate` and
 * `npm run migration:create -- <Name>`, which write both dialects' migrations.
 */
export default ormOptions(loadConfig().database);
