//! What differs between SQLite and PostgreSQL: placeholders and argument binding,
//! and the few statements that only one engine needs.

use std::fmt::Write;

use sqlx::{Arguments, Database, Postgres, Sqlite};

use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The most bind parameters one statement may carry, with room to spare
    /// (SQLite's default limit is 32,766; PostgreSQL's 65,535).
    pub fn max_params(self) -> usize {
        match self {
            Dialect::Sqlite => 32_000,
            Dialect::Postgres => 60_000,
        }
    }

    /// The clause that locks selected rows until the transaction ends. PostgreSQL needs
    /// it to keep related rows from being added to contacts being deleted; SQLite's
    /// write lock already covers the whole database.
    pub fn row_lock_clause(self) -> Option<&'static str> {
        match self {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some(" FOR UPDATE"),
        }
    }

    /// The clause that locks a selected row and passes over rows another transaction
    /// has locked (PostgreSQL: workers looking for a job do not queue behind each
    /// other). SQLite has one writer at a time and needs none.
    pub fn skip_locked_clause(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Whether a WITH may hold a DELETE … RETURNING that feeds the statement after it
    /// (PostgreSQL's data-modifying WITH; SQLite has none).
    pub fn has_writing_with(self) -> bool {
        self == Dialect::Postgres
    }

    /// Whether a restore or purge refreshes the bin's statistics before it reads the bin
    /// (`recycle_bin::refresh_statistics`): PostgreSQL takes a delete newer than its last
    /// ANALYZE for one row and planned the restore's reads as scans of the bin. SQLite
    /// estimates a new value from its samples too (see `contacts::page_statement`), but
    /// its restore of 100,000 contacts kept 17,000-19,900 contacts/s without a refresh
    /// (`server bench`).
    pub fn refreshes_bin_statistics(self) -> bool {
        self == Dialect::Postgres
    }

    /// Settings for counting an area's rows of an unfiltered selection (the account's
    /// contacts), set for that count's transaction only. PostgreSQL plans
    /// such a count (1,000,000 contacts, 5,000,000 messages) as parallel hash joins that
    /// spill to disk; walked in id order on both sides (a merge join of two index-only
    /// scans) the same count takes a fifth of the processor time: the preview's eight
    /// counts and ids took 1.7 s instead of 3.9 s on two cores. Not for filtered
    /// selections: there hash joins win (the duplicates filter took 2.6x as long without
    /// them). Measured on one large account; where accounts' ids interleave, the merge
    /// join also walks past the other accounts' rows in the area's index.
    pub fn unfiltered_count_settings(self) -> &'static [&'static str] {
        match self {
            Dialect::Sqlite => &[],
            Dialect::Postgres => &["SET LOCAL enable_hashjoin = off", "SET LOCAL max_parallel_workers_per_gather = 0"],
        }
    }

    /// Contacts per transaction of a bulk delete. SQLite writes every index page a chunk
    /// touched again at each commit, so it gains from bigger chunks (5,000 contacts hold
    /// its write lock about 0.15 s; 1,000 ran at 0.4x the speed of one big statement);
    /// PostgreSQL matches one big statement already at 1,000.
    pub fn delete_chunk_size(self) -> usize {
        match self {
            Dialect::Sqlite => 5_000,
            Dialect::Postgres => 1_000,
        }
    }

    /// How large SQLite's write-ahead log may grow during a long job before the job has
    /// it start over between two chunks (see `wal`). PostgreSQL recycles its own.
    pub fn log_limit(self) -> Option<u64> {
        match self {
            Dialect::Sqlite => Some(super::JOB_LOG_LIMIT),
            Dialect::Postgres => None,
        }
    }

    /// How long one chunk of a bulk delete should take, if the chunk size is to follow it.
    /// SQLite has one writer: while a chunk commits, a user saving a contact waits, so the
    /// chunks shrink as the account's indexes grow, to keep that wait short. PostgreSQL
    /// locks only the chunk's own rows; its chunks keep their size.
    pub fn chunk_time_budget(self) -> Option<std::time::Duration> {
        match self {
            Dialect::Sqlite => Some(std::time::Duration::from_millis(120)),
            Dialect::Postgres => None,
        }
    }

    /// The id column as a watermark compares it (`contacts::push_watermark`): on SQLite
    /// `+id`, the same value offered to no index (its planner took the range of ids over
    /// the account's index); PostgreSQL's planner weighs the range itself. A page of the
    /// unfiltered list compares `id` on both (`contacts::page_statement`).
    pub fn watermark_column(self) -> &'static str {
        match self {
            Dialect::Sqlite => "+id",
            Dialect::Postgres => "id",
        }
    }

    /// The highest id `table`'s generator has handed out, deleted rows included (0 if
    /// none): SQLite keeps it for AUTOINCREMENT tables in sqlite_sequence.
    pub fn id_high_water_statement(self, table: &str) -> String {
        match self {
            Dialect::Sqlite => format!("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0)"),
            Dialect::Postgres => {
                format!("SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass), 0)")
            }
        }
    }

    /// After rows were inserted with explicit ids, makes the id generator continue past
    /// them, never backwards. SQLite's AUTOINCREMENT does so by itself; a PostgreSQL
    /// identity does not.
    pub fn resync_id_statement(self, table: &str) -> Option<String> {
        match self {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(\
                 (SELECT COALESCE(MAX(id), 0) FROM {table}), \
                 COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass), 0), 1))"
            )),
        }
    }
}

/// A value bound to a statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Bool(bool),
    /// A set of ids, bound as one value (see [`Sql::push_in_ids`]).
    IntList(Vec<i64>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::OptInt(v)
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_string())
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::OptText(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

/// A statement being written: SQL text with placeholders in the engine's syntax
/// (`?` for SQLite, `$n` for PostgreSQL) and the values bound to them.
#[derive(Clone, Debug)]
pub struct Sql {
    dialect: Dialect,
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(dialect: Dialect, text: &str) -> Sql {
        Sql { dialect, text: text.to_string(), args: Vec::new() }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        match self.dialect {
            Dialect::Sqlite => self.text.push('?'),
            Dialect::Postgres => {
                let _ = write!(self.text, "${}", self.args.len());
            }
        }
        self
    }

    /// Appends `(v1, v2, …)` with one placeholder per value.
    pub fn bind_tuple<A: Into<Arg>>(&mut self, values: impl IntoIterator<Item = A>) -> &mut Self {
        self.push("(");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self.push(")")
    }

    /// Appends "`column` is one of `ids`". The ids are bound as one value, so the statement
    /// text (and its prepared plan) is the same for any number of them: SQLite reads a
    /// JSON array with json_each; PostgreSQL compares with `= ANY` of a bigint array,
    /// which its planner turns into index lookups.
    pub fn push_in_ids(&mut self, column: &str, ids: &[i64]) -> &mut Self {
        self.push_id_membership(column, ids, true)
    }

    /// Appends "`column` is none of `ids`" (see [`Sql::push_in_ids`]).
    pub fn push_not_in_ids(&mut self, column: &str, ids: &[i64]) -> &mut Self {
        self.push_id_membership(column, ids, false)
    }

    fn push_id_membership(&mut self, column: &str, ids: &[i64], member: bool) -> &mut Self {
        self.push(column);
        match (self.dialect, member) {
            (Dialect::Sqlite, true) => self.push(" IN (SELECT value FROM json_each("),
            (Dialect::Sqlite, false) => self.push(" NOT IN (SELECT value FROM json_each("),
            (Dialect::Postgres, true) => self.push(" = ANY(("),
            (Dialect::Postgres, false) => self.push(" <> ALL(("),
        };
        self.bind(Arg::IntList(ids.to_vec()));
        match self.dialect {
            Dialect::Sqlite => self.push("))"),
            Dialect::Postgres => self.push(")::int8[])"),
        }
    }

    /// Appends a SELECT of one row per id, its column named `id`: the ids are bound as
    /// one value (see [`Sql::push_in_ids`]).
    pub fn push_select_ids(&mut self, ids: &[i64]) -> &mut Self {
        match self.dialect {
            Dialect::Sqlite => self.push("SELECT value AS id FROM json_each("),
            Dialect::Postgres => self.push("SELECT unnest(("),
        };
        self.bind(Arg::IntList(ids.to_vec()));
        match self.dialect {
            Dialect::Sqlite => self.push(")"),
            Dialect::Postgres => self.push(")::int8[]) AS id"),
        }
    }

    /// This statement's plan, as the engine describes it (one row a step).
    pub fn explained(&self) -> Sql {
        let text = match self.dialect {
            Dialect::Sqlite => format!("EXPLAIN QUERY PLAN {}", self.text),
            Dialect::Postgres => format!("EXPLAIN {}", self.text),
        };
        self.with_text(text)
    }

    /// This statement, which selects one column of ids, as one that selects them all in
    /// one JSON array (read by [`parse_id_list`]): one row instead of one per id. A
    /// million rows of one id each took about 1.3 s to come through the driver on SQLite
    /// (the sqlite3 shell builds the array in 0.15 s).
    pub fn as_id_list(&self) -> Sql {
        let text = match self.dialect {
            Dialect::Sqlite => format!("WITH ids(id) AS ({}) SELECT json_group_array(id) FROM ids", self.text),
            Dialect::Postgres => format!("SELECT COALESCE(json_agg(id), '[]')::text FROM ({}) ids(id)", self.text),
        };
        self.with_text(text)
    }

    /// A statement of `text` (this one's, wrapped) with this one's values.
    fn with_text(&self, text: String) -> Sql {
        Sql { dialect: self.dialect, text, args: self.args.clone() }
    }

    pub fn arguments<E: Engine>(&self) -> Result<E::Arguments<'_>, AppError> {
        E::arguments(&self.args)
    }
}

/// The engines [`Sql`] can run on.
pub trait Engine: Database {
    fn arguments(args: &[Arg]) -> Result<<Self as Database>::Arguments<'_>, AppError>;
}

macro_rules! engine {
    ($engine:ty, $id_list:expr) => {
        impl Engine for $engine {
            fn arguments(args: &[Arg]) -> Result<<Self as Database>::Arguments<'_>, AppError> {
                let mut out = <Self as Database>::Arguments::default();
                for arg in args {
                    match arg {
                        Arg::Int(v) => out.add(*v),
                        Arg::OptInt(v) => out.add(*v),
                        Arg::Text(v) => out.add(v.as_str()),
                        Arg::OptText(v) => out.add(v.as_deref()),
                        Arg::Bool(v) => out.add(*v),
                        Arg::IntList(v) => out.add($id_list(v)),
                    }
                    .map_err(|e| AppError::internal(format!("binding an argument: {e}")))?;
                }
                Ok(out)
            }
        }
    };
}

engine!(Sqlite, |ids: &Vec<i64>| serde_json::to_string(ids).expect("ids serialize"));
engine!(Postgres, |ids: &Vec<i64>| ids.clone());

/// The ids of a JSON array selected by [`Sql::as_id_list`] (none if no row came back), in
/// ascending order whatever order the aggregate saw them in.
pub fn parse_id_list(json: Option<&str>) -> Result<Vec<i64>, AppError> {
    let mut ids: Vec<i64> = serde_json::from_str(json.unwrap_or("[]")).map_err(AppError::internal)?;
    ids.sort_unstable();
    Ok(ids)
}
