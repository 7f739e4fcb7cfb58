// Postgres' one-byte `"char"` catalog columns, which adapter-pg cannot read, let through as
// characters for the schema engine.
import { ColumnTypeEnum, type SqlResultSet, type Transaction } from '@prisma/driver-adapter-utils';
import pg from 'pg';

const CHAR_OID = 18;
const TEXT_OID = 25;
/** Result rows (the array adapter-pg passes on as is) → indexes of their `"char"` columns. */
const charColumns = new WeakMap<object, number[]>();

function noteCharColumns<T>(result: T): T {
  for (const one of Array.isArray(result) ? result : [result]) {
    const { fields, rows } = (one ?? {}) as { fields?: { dataTypeID: number }[]; rows?: object };
    const indexes: number[] = [];
    fields?.forEach((field, index) => {
      if (field.dataTypeID !== CHAR_OID) return;
      field.dataTypeID = TEXT_OID; // so that adapter-pg accepts the column
      indexes.push(index);
    });
    if (indexes.length > 0 && rows) charColumns.set(rows, indexes);
  }
  return result;
}

/**
 * The engine reads catalog columns of Postgres' one-byte `"char"` type (pg_class.relkind,
 * pg_constraint.contype, ...) as characters, which adapter-pg cannot express: it rejects the
 * type ("Column type 'char' could not be deserialized"), and reporting it as text makes the
 * engine panic on Postgres 18, whose catalog lists NOT NULL constraints (contype 'n'). So the
 * client lets the column through as text and notes where it is; {@link withCharColumns} then
 * marks it as a character column. Covers both calling styles: the pool's (callback) and a
 * checked-out client's (promise).
 */
export class CharColumnsClient extends pg.Client {
  override query(...args: unknown[]): any {
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: unknown, result: unknown) => callback(error, error ? result : noteCharColumns(result));
    }
    const returned: unknown = Reflect.apply(super.query, this, args);
    return returned instanceof Promise ? returned.then(noteCharColumns) : returned;
  }
}

export function withCharColumns(result: SqlResultSet): SqlResultSet {
  for (const index of charColumns.get(result.rows) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
  return result;
}

export function charAwareTransaction(inner: Transaction): Transaction {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    options: inner.options,
    queryRaw: async (query) => withCharColumns(await inner.queryRaw(query)),
    executeRaw: (query) => inner.executeRaw(query),
    commit: () => inner.commit(),
    rollback: () => inner.rollback(),
    ...(inner.createSavepoint && { createSavepoint: (name: string) => inner.createSavepoint!(name) }),
    ...(inner.rollbackToSavepoint && { rollbackToSavepoint: (name: string) => inner.rollbackToSavepoint!(name) }),
    ...(inner.releaseSavepoint && { releaseSavepoint: (name: string) => inner.releaseSavepoint!(name) }),
  };
}
