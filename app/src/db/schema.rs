//! Questions about the schema itself, asked of each engine's catalog.

use super::{Db, Pool};
use crate::error::AppError;

/// Foreign-key columns that no index leads with, as (table, column). Without such an
/// index every delete of a parent row scans the child table.
pub async fn unindexed_foreign_keys(db: &Db) -> Result<Vec<(String, String)>, AppError> {
    let sql = match db.pool() {
        // pragma_foreign_key_list / pragma_index_list / pragma_index_info are SQLite's
        // table-valued catalog functions; seqno 0 is an index's leading column. A
        // column that is the table's whole INTEGER PRIMARY KEY is its rowid: the table
        // itself is ordered by it.
        Pool::Sqlite(_) => db.sql(
            "SELECT m.name, f.\"from\" FROM sqlite_master m \
             JOIN pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' AND NOT EXISTS ( \
                 SELECT 1 FROM pragma_index_list(m.name) il \
                 JOIN pragma_index_info(il.name) ii \
                 WHERE ii.seqno = 0 AND ii.name = f.\"from\") \
             AND NOT EXISTS ( \
                 SELECT 1 FROM pragma_table_info(m.name) ti \
                 WHERE ti.name = f.\"from\" AND ti.pk = 1 AND upper(ti.type) = 'INTEGER' \
                   AND (SELECT COUNT(*) FROM pragma_table_info(m.name) WHERE pk > 0) = 1) \
             ORDER BY 1, 2",
        ),
        // conkey is the FK's column list (1-based array); indkey an index's (0-based vector).
        Pool::Postgres(_) => db.sql(
            "SELECT c.conrelid::regclass::text, a.attname::text FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace \
               AND NOT EXISTS (SELECT 1 FROM pg_index i \
                   WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]) \
             ORDER BY 1, 2",
        ),
    };
    db.fetch_all::<(String, String)>(&sql).await
}

/// How many foreign keys the schema declares (so a check over them is not vacuous).
pub async fn foreign_key_count(db: &Db) -> Result<i64, AppError> {
    let sql = match db.pool() {
        Pool::Sqlite(_) => {
            db.sql("SELECT COUNT(*) FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'")
        }
        Pool::Postgres(_) => db.sql(
            "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
        ),
    };
    db.fetch_i64(&sql).await
}

/// The tables of the schema (without the migrations' own bookkeeping).
pub async fn tables(db: &Db) -> Result<Vec<String>, AppError> {
    let sql = match db.pool() {
        Pool::Sqlite(_) => db.sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
        ),
        Pool::Postgres(_) => db.sql(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' ORDER BY 1",
        ),
    };
    Ok(db.fetch_all::<(String,)>(&sql).await?.into_iter().map(|(t,)| t).collect())
}

/// The columns of `table`, in the table's order.
pub async fn columns(db: &Db, table: &str) -> Result<Vec<String>, AppError> {
    let mut sql = match db.pool() {
        // pragma_table_info: SQLite's table-valued form of PRAGMA table_info; cid is the
        // column's position.
        Pool::Sqlite(_) => db.sql("SELECT name FROM pragma_table_info("),
        Pool::Postgres(_) => db.sql(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = (",
        ),
    };
    sql.bind(table);
    sql.push(match db.pool() {
        Pool::Sqlite(_) => ") ORDER BY cid",
        Pool::Postgres(_) => ") ORDER BY ordinal_position",
    });
    Ok(db.fetch_all::<(String,)>(&sql).await?.into_iter().map(|(c,)| c).collect())
}

/// The tables with a foreign key to `table`, by name.
pub async fn referencing(db: &Db, table: &str) -> Result<Vec<String>, AppError> {
    let mut sql = match db.pool() {
        // f."table" is the table a foreign key points at.
        Pool::Sqlite(_) => db.sql(
            "SELECT DISTINCT m.name FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' AND f.\"table\" = ",
        ),
        // confrelid is the referenced table.
        Pool::Postgres(_) => db.sql(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint \
             WHERE contype = 'f' AND connamespace = current_schema()::regnamespace AND confrelid::regclass::text = ",
        ),
    };
    sql.bind(table).push(" ORDER BY 1");
    Ok(db.fetch_all::<(String,)>(&sql).await?.into_iter().map(|(t,)| t).collect())
}
