import type postgres from "postgres";

/** A connection pool or an open transaction: write queries run in either. */
export type Queryable = postgres.Sql | postgres.TransactionSql;
