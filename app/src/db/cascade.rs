//! The one declaration of what goes with a contact. The impact preview, the delete,
//! the generator's report and the tests all read [`AREAS`]; adding an area is one
//! entry here plus a migration.

use super::{Db, Sql};
use crate::error::AppError;

/// How an area's rows point at their contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// The row has a `contact_id` column.
    Contact,
    /// The row belongs to a row of `parent` (through `column`), which has `contact_id`.
    Via { parent: &'static str, column: &'static str },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Area {
    /// Table name, also the key the areas are reported under.
    pub table: &'static str,
    /// Plural noun for people ("manual actions").
    pub label: &'static str,
    /// The same noun for one row ("manual action").
    pub one: &'static str,
    pub link: Link,
    /// A row this area's rows point at outside the contact, which may be removed while
    /// they wait in the Recycle Bin: a restore leaves out the rows whose row is gone.
    pub needs: Option<Needs>,
}

/// See [`Area::needs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs {
    pub column: &'static str,
    pub table: &'static str,
    /// That row, for people ("campaign").
    pub one: &'static str,
}

/// The row that rows of `table` need outside their contact, for people ("campaign").
pub fn needed_row(table: &str) -> Option<&'static str> {
    AREAS.iter().find(|a| a.table == table).and_then(|a| a.needs).map(|n| n.one)
}

/// Where rows are: in the live tables, or in the Recycle Bin's (`bin_` and the live
/// table's name, with the same columns and the bulk action that put the row there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    Live,
    Bin,
}

impl Store {
    /// The name of `table`'s table in this store.
    pub fn table(self, table: &str) -> String {
        match self {
            Store::Live => table.to_string(),
            Store::Bin => format!("bin_{table}"),
        }
    }
}

/// In display order. A `Via` area comes right after its parent; deletes walk the list
/// backwards so that children go before their parents.
pub const AREAS: &[Area] = &[
    Area { table: "conversations", label: "conversations", one: "conversation", link: Link::Contact, needs: None },
    Area {
        table: "messages",
        label: "messages",
        one: "message",
        link: Link::Via { parent: "conversations", column: "conversation_id" },
        needs: None,
    },
    Area { table: "notes", label: "notes", one: "note", link: Link::Contact, needs: None },
    Area { table: "opportunities", label: "opportunities", one: "opportunity", link: Link::Contact, needs: None },
    Area { table: "tasks", label: "tasks", one: "task", link: Link::Contact, needs: None },
    Area { table: "appointments", label: "appointments", one: "appointment", link: Link::Contact, needs: None },
    Area { table: "manual_actions", label: "manual actions", one: "manual action", link: Link::Contact, needs: None },
    Area {
        table: "campaign_enrollments",
        label: "campaign enrollments",
        one: "campaign enrollment",
        link: Link::Contact,
        needs: Some(Needs { column: "campaign_id", table: "campaigns", one: "campaign" }),
    },
];

impl Area {
    /// Appends to `sql` a condition on this area's table in `store` that selects the rows
    /// of some contacts. `contacts` appends the condition "this column holds one of those
    /// contacts' ids", for the column named.
    pub fn push_rows_of(&self, sql: &mut Sql, store: Store, contacts: impl FnOnce(&mut Sql, &str)) {
        match self.link {
            Link::Contact => contacts(sql, "contact_id"),
            Link::Via { parent, column } => {
                sql.push(column).push(" IN (SELECT id FROM ").push(&store.table(parent)).push(" WHERE ");
                contacts(sql, "contact_id");
                sql.push(")");
            }
        }
    }

    /// Appends to `sql` a query of the number of this area's rows that belong to some
    /// contacts. `contacts` appends a query of those contacts' ids (a column `id`, each id
    /// once). A join driven by those ids, not `contact_id IN (…)`: SQLite then walks the
    /// ids' index and looks each contact's rows up, instead of first copying the ids into
    /// a temporary index (0.33 s instead of 0.52 s for 1.5 million notes of a million
    /// contacts).
    pub fn push_count_of(&self, sql: &mut Sql, contacts: impl FnOnce(&mut Sql)) {
        sql.push("SELECT COUNT(*) FROM (");
        contacts(sql);
        sql.push(") selected JOIN ");
        match self.link {
            Link::Contact => sql.push(self.table).push(" r ON r.contact_id = selected.id"),
            Link::Via { parent, column } => {
                sql.push(parent).push(" p ON p.contact_id = selected.id JOIN ").push(self.table);
                sql.push(" r ON r.").push(column).push(" = p.id")
            }
        };
    }
}

/// Rows per area belonging to the contacts of `account_id`.
pub async fn count_for_account(db: &Db, account_id: i64) -> Result<Vec<(Area, i64)>, AppError> {
    let mut counts = Vec::with_capacity(AREAS.len());
    for area in AREAS {
        let mut sql = db.sql("");
        area.push_count_of(&mut sql, |s| {
            s.push("SELECT id FROM contacts WHERE account_id = ").bind(account_id);
        });
        counts.push((*area, db.fetch_i64(&sql).await?));
    }
    Ok(counts)
}
