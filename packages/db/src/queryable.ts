import type postgres from "postgres";

/** A connection pool or an open transaction: queries run in either. */
export type Queryable = postgres.ISql;
