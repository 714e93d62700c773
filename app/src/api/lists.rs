//! Server functions of Smart Lists: shared by the account's users; deleting one never
//! deletes its contacts.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::context;
use crate::error::AppError;
use crate::filter::Filter;
use crate::smart_list::SmartList;

/// The account's Smart Lists (names and what they mean; counted one by one with
/// [`smart_list_count`], so that the page never waits for the counts).
#[server(endpoint = "smart_lists", input = Json)]
pub async fn smart_lists() -> Result<Vec<SmartList>, AppError> {
    use crate::db::smart_lists;
    context::as_caller(|db, user| async move { smart_lists::list(&db, user.account_id).await }).await
}

/// Saves a search and filter as a new Smart List.
#[server(endpoint = "save_smart_list", input = Json)]
pub async fn save_smart_list(name: String, search: String, filter: Filter) -> Result<SmartList, AppError> {
    use crate::db::smart_lists;
    context::as_caller(|db, user| async move {
        smart_lists::create(&db, user.account_id, Some(user.id), &name, &search, &filter).await
    })
    .await
}

/// Makes a Smart List mean this search and filter.
#[server(endpoint = "update_smart_list", input = Json)]
pub async fn update_smart_list(id: i64, search: String, filter: Filter) -> Result<SmartList, AppError> {
    use crate::db::smart_lists;
    context::as_caller(|db, user| async move { smart_lists::update(&db, user.account_id, id, &search, &filter).await })
        .await
}

#[server(endpoint = "rename_smart_list", input = Json)]
pub async fn rename_smart_list(id: i64, name: String) -> Result<SmartList, AppError> {
    use crate::db::smart_lists;
    context::as_caller(|db, user| async move { smart_lists::rename(&db, user.account_id, id, &name).await }).await
}

/// Deletes the Smart List, never its contacts.
#[server(endpoint = "delete_smart_list", input = Json)]
pub async fn delete_smart_list(id: i64) -> Result<(), AppError> {
    use crate::db::smart_lists;
    context::as_caller(|db, user| async move { smart_lists::delete(&db, user.account_id, id).await }).await
}

/// How many contacts a Smart List of the caller's account holds now.
#[server(endpoint = "smart_list_count", input = Json)]
pub async fn smart_list_count(id: i64) -> Result<i64, AppError> {
    use crate::db::smart_lists;
    context::as_caller(|db, user| async move { smart_lists::count_of(&db, user.account_id, id).await }).await
}
