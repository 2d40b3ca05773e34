import { PostgresDialect, type DatabaseConnection, type Dialect, type Driver, type PostgresDialectConfig } from 'kysely';
import { isUnavailableError, toStateError } from './state-errors.js';

/**
 * Kysely's PostgreSQL dialect, except that a query or a connect that fails because the
 * server cannot be reached rejects with STATE_DB_UNAVAILABLE (the server answers 503),
 * wherever it was made. Every other error stays node-postgres's own, SQLSTATE and all
 * (a unique violation is `23505` for the caller to branch on).
 */
export function createStatePostgresDialect(config: PostgresDialectConfig, location: string): Dialect {
  const dialect = new PostgresDialect(config);
  return {
    createDriver: () => codedDriver(dialect.createDriver(), location),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}

function codedDriver(driver: Driver, location: string): Driver {
  // The driver keeps private state on its own connection objects: hand those back to it.
  const originals = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const original = (connection: DatabaseConnection): DatabaseConnection => originals.get(connection) ?? connection;
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw isUnavailableError(error) ? toStateError(error, location, 'reach the database') : error;
    }
  };

  return {
    init: (options) => driver.init(options),
    acquireConnection: async (options) => {
      const connection = await guard(() => driver.acquireConnection(options));
      const coded: DatabaseConnection = {
        executeQuery: (query, queryOptions) => guard(() => connection.executeQuery(query, queryOptions)),
        streamQuery: (query, chunkSize, queryOptions) => connection.streamQuery(query, chunkSize, queryOptions),
        cancelQuery: connection.cancelQuery?.bind(connection),
        collectSessionInfo: connection.collectSessionInfo?.bind(connection),
        killSession: connection.killSession?.bind(connection),
      };
      originals.set(coded, connection);
      return coded;
    },
    beginTransaction: (connection, settings) => guard(() => driver.beginTransaction(original(connection), settings)),
    commitTransaction: (connection) => guard(() => driver.commitTransaction(original(connection))),
    rollbackTransaction: (connection) => guard(() => driver.rollbackTransaction(original(connection))),
    savepoint: (connection, name, compile) => guard(async () => driver.savepoint?.(original(connection), name, compile)),
    rollbackToSavepoint: (connection, name, compile) => guard(async () => driver.rollbackToSavepoint?.(original(connection), name, compile)),
    releaseSavepoint: (connection, name, compile) => guard(async () => driver.releaseSavepoint?.(original(connection), name, compile)),
    releaseConnection: (connection, options) => driver.releaseConnection(original(connection), options),
    destroy: (options) => driver.destroy(options),
  };
}
