import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context';

/**
 * Moves a query's resolvers onto the query pool once the operation is known to be a
 * query: whatever a caller makes a query cost in the database, the main pool stays free
 * for verification and mutations (see DatabasePools in config.ts). The credential was
 * already checked on the main pool, before this runs.
 */
export const queryPoolPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, contextValue }) {
        const { runtime } = contextValue;
        if (operation?.operation === 'query' && runtime.queryOrm !== runtime.orm) contextValue.em = runtime.queryOrm.em.fork();
      },
    };
  },
};
