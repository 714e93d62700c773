//! Bulk Actions: the history of the account's bulk deletes, newest first.

use leptos::prelude::*;

use super::frame::SignedIn;
use super::restore::{RestoreButton, Restoring};
use super::table_box::TableBox;
use crate::api::list_bulk_actions;
use crate::bulk_action::{Action, Status};
use crate::dates::format_moment;
use crate::model::{plural, BulkActionRow};
use crate::team::Role;

#[component]
pub fn BulkActionsPage() -> impl IntoView {
    let history = Resource::new(|| (), |_| list_bulk_actions());
    view! {
        <header class="page-header">
            <h1>"Bulk Actions"</h1>
        </header>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let viewer = match SignedIn::get() {
                    Some(signed_in) => signed_in.0.await.ok(),
                    None => None,
                };
                viewer.map(|v| view! {
                    <p class="muted">
                        {match v.role {
                            Role::Admin => format!("Every bulk action in {}, newest first.", v.account),
                            Role::User => "Your bulk actions, newest first.".to_string(),
                        }}
                    </p>
                })
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="muted">"Loading the history…"</p> }>
            {move || Suspend::new(async move {
                let may_restore = match SignedIn::get() {
                    Some(signed_in) => signed_in.0.await.is_ok_and(|v| v.role == Role::Admin || v.may_bulk_delete),
                    None => false,
                };
                match history.await {
                    Ok(rows) if rows.is_empty() => {
                        view! { <p class="empty" role="status">"No bulk actions yet."</p> }.into_any()
                    }
                    Ok(rows) => view! { <Restoring><HistoryTable rows may_restore/></Restoring> }.into_any(),
                    Err(e) => view! { <p role="alert" class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn HistoryTable(rows: Vec<BulkActionRow>, may_restore: bool) -> impl IntoView {
    view! {
        <TableBox label="Bulk actions history">
            <table class="contacts history">
                <caption class="visually-hidden">"Bulk actions, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Selection"</th>
                        <th scope="col">"Contacts"</th>
                        <th scope="col">"Related records"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Duration"</th>
                        <th scope="col">"Recycle Bin"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| view! { <HistoryRow row=r may_restore/> }).collect_view()}
                </tbody>
            </table>
        </TableBox>
    }
    .into_any()
}

#[component]
fn HistoryRow(row: BulkActionRow, may_restore: bool) -> impl IntoView {
    let mut related = row.rows.iter().filter(|a| a.rows > 0).map(|a| a.phrase()).collect::<Vec<_>>().join(", ");
    for why in &row.left_out_why {
        related.push(' ');
        related.push_str(why);
    }
    let bin = match (row.action, row.in_bin) {
        (Action::Delete, true) if may_restore && !row.is_running() => view! { <RestoreButton id=row.id/> }.into_any(),
        (Action::Delete, true) => "In the Recycle Bin".into_any(),
        (Action::Delete, false) if row.to_bin => "Restored or removed".into_any(),
        _ => "—".into_any(),
    };
    let contacts = if row.status == Status::Done {
        row.contacts_done.to_string()
    } else {
        format!("{} of {}", row.contacts_done, row.contacts_requested)
    };
    let status = match row.resumed {
        0 => row.status.label(row.stopping).to_string(),
        _ => format!("{} · resumed after a restart", row.status.label(row.stopping)),
    };
    let duration = row
        .finished_at
        .map(|f| match f - row.started_at {
            s if s < 1 => "under a second".to_string(),
            s => plural(s, "second", "seconds"),
        })
        .unwrap_or_else(|| "—".into());
    let action = row.action.label();
    view! {
        <tr>
            <td>{format_moment(row.started_at)}</td>
            <td>{row.user.clone().unwrap_or_else(|| "—".into())}</td>
            <th scope="row">{action}</th>
            <td>{row.description.clone()}</td>
            <td>{contacts}</td>
            <td class="related">{related}</td>
            <td class=format!("status {}", row.status.as_str())>{status}</td>
            <td>{duration}</td>
            <td>{bin}</td>
        </tr>
    }
}
