//! The Recycle Bin page's SQL: the account's deleted contacts, newest deletion first,
//! searchable; and restoring, or deleting for good, a choice of them, as jobs (see
//! [`super::recycle_bin`]) whose targets are the chosen contacts.

use std::time::Duration;

use super::bulk_delete::{find_record, Accepted};
use super::contacts::validate_search;
use super::jobs::now_ms;
use super::recycle_bin::{count_in_bin, write_down};
use super::search::{push_search, SearchPath};
use super::{history, Db, Sql};
use crate::bulk_action::{self, check_request_key, typed_number_matches, Action};
use crate::error::AppError;
use crate::model::{MAX_SELECTION_IDS, PAGE_SIZE};
use crate::recycle_page::{BinAction, BinContact, BinPage, BinPreview, BinRequest, BinSelection};

/// Appends ` FROM bin_contacts c JOIN bulk_actions b … WHERE …`: the account's contacts
/// in the bin (with `only_user`, those that user deleted) that `selection` means, with
/// the delete that put each there (`b`) and who ran it (`u`).
fn push_selected(sql: &mut Sql, account_id: i64, only_user: Option<i64>, selection: &BinSelection) {
    sql.push(" FROM bin_contacts c JOIN bulk_actions b ON b.id = c.bulk_action_id");
    sql.push(" LEFT JOIN users u ON u.id = b.user_id WHERE c.account_id = ");
    sql.bind(account_id);
    if let Some(user) = only_user {
        sql.push(" AND b.user_id = ").bind(user);
    }
    match selection {
        BinSelection::Ids { ids } => {
            sql.push(" AND ").push_in_ids("c.id", ids);
        }
        // No index serves a search of the bin: it is read as it is (Scan).
        BinSelection::All { search } => push_search(sql, search, SearchPath::Scan),
    }
}

/// One page (from 1) of the contacts in the bin that `search` matches, newest deletion
/// first.
pub async fn page(
    db: &Db,
    account_id: i64,
    only_user: Option<i64>,
    search: &str,
    page: i64,
) -> Result<BinPage, AppError> {
    validate_search(search)?;
    let page = page.max(1);
    let selection = BinSelection::All { search: search.to_string() };
    let mut rows = db.sql(
        "SELECT c.id, c.first_name, c.last_name, c.email, c.phone, COALESCE(b.finished_at, b.started_at) AS deleted_at, \
         u.name AS deleted_by, c.bulk_action_id",
    );
    push_selected(&mut rows, account_id, only_user, &selection);
    rows.push(" ORDER BY c.bulk_action_id DESC, c.id DESC LIMIT ").bind(PAGE_SIZE);
    rows.push(" OFFSET ").bind((page - 1) * PAGE_SIZE);
    let mut total = db.sql("SELECT COUNT(*)");
    push_selected(&mut total, account_id, only_user, &selection);
    let (contacts, total) = futures::try_join!(db.fetch_all::<BinContact>(&rows), db.fetch_i64(&total))?;
    Ok(BinPage { contacts, total, page, search: search.to_string() })
}

/// The ids the selection means now, in order; refuses a malformed selection, and one
/// that names a contact not in the account's bin (or not the user's).
async fn resolve(
    db: &Db,
    account_id: i64,
    only_user: Option<i64>,
    selection: &BinSelection,
) -> Result<Vec<i64>, AppError> {
    match selection {
        BinSelection::Ids { ids } if ids.is_empty() => return Err(AppError::bad_request("No contacts are selected.")),
        BinSelection::Ids { ids } if ids.len() > MAX_SELECTION_IDS => {
            return Err(AppError::bad_request(format!(
                "A selection may name at most {MAX_SELECTION_IDS} contacts one by one; use “Select all” instead."
            )))
        }
        BinSelection::Ids { .. } => {}
        BinSelection::All { search } => validate_search(search)?,
    }
    let mut sql = db.sql("SELECT c.id");
    push_selected(&mut sql, account_id, only_user, selection);
    let ids = db.fetch_ids(&sql).await?;
    if let BinSelection::Ids { ids: named } = selection {
        let named: std::collections::BTreeSet<i64> = named.iter().copied().collect();
        if named.len() != ids.len() {
            return Err(AppError::NotFound(
                "Some of the selected contacts are not in the Recycle Bin any more (they may have just been restored \
                 or removed). Nothing was changed; reload the page and select again."
                    .into(),
            ));
        }
    }
    Ok(ids)
}

/// What restoring, or deleting for good, the selection would do now.
pub async fn preview(
    db: &Db,
    account_id: i64,
    only_user: Option<i64>,
    action: BinAction,
    selection: &BinSelection,
) -> Result<BinPreview, AppError> {
    let ids = resolve(db, account_id, only_user, selection).await?;
    Ok(BinPreview {
        action,
        selection: selection.clone(),
        contacts: ids.len() as i64,
        digest: bulk_action::digest(&ids),
        areas: count_in_bin(db, None, &ids).await?,
    })
}

/// Takes a confirmed action on the bin up as a job held by `worker`: refused unless the
/// selection still means exactly the contacts confirmed (and, to delete for good, their
/// number was typed). `user` is who asks, and whose deletes they may act on.
pub async fn accept(
    db: &Db,
    account_id: i64,
    user: (Option<i64>, Option<i64>),
    request: &BinRequest,
    worker: &str,
    lease: Duration,
) -> Result<Accepted, AppError> {
    let (user_id, only_user) = user;
    check_request_key(&request.request_key)?;
    if let Some(id) = find_record(db, account_id, &request.request_key).await? {
        return Ok(Accepted::Earlier(id));
    }
    let ids = resolve(db, account_id, only_user, &request.selection).await?;
    let contacts = ids.len() as i64;
    if contacts != request.confirmed_count || bulk_action::digest(&ids) != request.digest {
        return Err(bulk_action::refusal(contacts, request.confirmed_count));
    }
    if request.action == BinAction::Purge
        && !request.typed_confirmation.as_deref().is_some_and(|t| typed_number_matches(t, contacts))
    {
        return Err(AppError::bad_request(format!("Type {contacts} to confirm this permanent delete.")));
    }
    let selection = serde_json::to_string(&request.selection).map_err(AppError::internal)?;
    let started = history::Started {
        account_id,
        user_id,
        key: &request.request_key,
        action: match request.action {
            BinAction::Restore => Action::Restore,
            BinAction::Purge => Action::Purge,
        },
        selection,
        description: request.selection.describe(),
        contacts,
        worker,
        lease_until_ms: now_ms() + lease.as_millis() as i64,
        to_bin: false,
        bin_of: None,
    };
    write_down(db, &started, |s| {
        s.push_select_ids(&ids);
    })
    .await
}
