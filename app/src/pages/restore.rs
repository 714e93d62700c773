//! Restoring a bulk delete from the Bulk Actions history: a Restore button per delete
//! whose contacts are in the Recycle Bin (an island each), and one confirm dialog (an
//! island around the history) that names what comes back, then follows the restore with
//! its progress and Stop. The outcome is shown on the history, loaded afresh.

use leptos::prelude::*;

use super::job_dialog::{alert, follow, new_request_key, open, JobDialog};
use super::live::use_live;
use super::memory::{self, Flash};
use crate::api::{PreviewRestore, RestoreBulkAction};
use crate::bulk_action::Status;
use crate::model::{plural, BulkActionRow};
use crate::recycle::{with_related, RestoreRequest};

/// The history's address, loaded again once a restore ends.
const HISTORY: &str = "/bulk-actions";

/// What the Restore buttons share with the dialog: the delete asked to be restored.
#[derive(Clone, Copy)]
struct Asked(RwSignal<Option<i64>>);

/// What the notice says once a restore (or an Undo) has been taken up.
pub fn restored_message(row: &BulkActionRow) -> String {
    let mut text = match row.status {
        Status::Done => format!("Restored {}.", with_related(row.contacts_done, &row.rows)),
        Status::Running => format!(
            "Restoring {}… Bulk Actions shows its progress.",
            plural(row.contacts_requested, "contact", "contacts")
        ),
        Status::Cancelled => format!(
            "Stopped: restored {} of {}, each with its related records; the others are still in the Recycle Bin.",
            row.contacts_done,
            plural(row.contacts_requested, "contact", "contacts")
        ),
        Status::Failed => format!(
            "The restore stopped part-way: {} of {} were restored, each with its related records. Restore again to bring back the others.",
            row.contacts_done,
            plural(row.contacts_requested, "contact", "contacts")
        ),
    };
    for why in &row.left_out_why {
        text.push(' ');
        text.push_str(why);
    }
    text
}

/// The island around the history: the confirm dialog of a restore, and how the last one
/// went.
#[island]
pub fn Restoring(children: Children) -> impl IntoView {
    let asked = RwSignal::new(None::<i64>);
    provide_context(Asked(asked));
    let message = RwSignal::new(None::<String>);
    Effect::new(move |_| message.set(Flash::History.take()));
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let preview = ServerAction::<PreviewRestore>::new();
    let restore = ServerAction::<RestoreBulkAction>::new();
    let key = RwSignal::new(String::new());
    let job = RwSignal::new(None::<BulkActionRow>);
    let finished = Callback::new(move |row: BulkActionRow| {
        Flash::History.put(&restored_message(&row));
        memory::go(HISTORY);
    });

    Effect::new(move |_| {
        let Some(d) = dialog.get() else { return };
        match asked.get() {
            Some(id) => {
                key.set(new_request_key());
                preview.value().set(None);
                restore.value().set(None);
                preview.dispatch(PreviewRestore { id });
                open(&d);
            }
            None if d.open() && job.with_untracked(Option::is_none) => d.close(),
            None => {}
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(row)) = restore.value().get() {
            restore.value().set(None);
            follow(row, job, finished);
        }
    });
    let previewed = move || {
        preview.value().with(|v| {
            v.as_ref().and_then(|r| r.as_ref().ok()).filter(|p| asked.with(|a| *a == Some(p.bulk_action_id))).cloned()
        })
    };
    let can_restore = move || previewed().is_some_and(|p| p.contacts > 0) && !restore.pending().get();
    let confirm = move |_| {
        let Some(p) = previewed() else { return };
        let request = RestoreRequest { bulk_action_id: p.bulk_action_id, request_key: key.get_untracked() };
        restore.dispatch(RestoreBulkAction { request });
    };
    let question = move || previewed().map_or_else(|| "Restore these contacts?".to_string(), |p| p.question());
    view! {
        <p role="status" class="notice">{move || message.get()}</p>
        {children()}
        <JobDialog
            node_ref=dialog
            title_id="restore-title"
            question=Signal::derive(question)
            job
            on_close=Callback::new(move |()| asked.set(None))
        >
            {move || match (preview.value().get(), previewed()) {
                (Some(Err(e)), _) => alert(e).into_any(),
                (_, Some(_)) => comes_back().into_any(),
                _ => view! { <p class="muted" role="status">"Counting what is in the Recycle Bin…"</p> }.into_any(),
            }}
            {move || restore.value().get().and_then(Result::err).map(alert)}
            <div class="actions">
                <button type="button" class="button" autofocus on:click=move |_| asked.set(None)>
                    "Cancel"
                </button>
                <button type="button" class="button primary" disabled=move || !can_restore() on:click=confirm>
                    {move || if restore.pending().get() { "Restoring…" } else { "Restore" }}
                </button>
            </div>
        </JobDialog>
    }
}

/// What a restore's dialog promises.
pub(super) fn comes_back() -> impl IntoView {
    view! { <p>"Each contact comes back as it was, with its related records and the same id."</p> }
}

/// A delete's Restore button in the history: opens the dialog for it.
#[island]
pub fn RestoreButton(id: i64) -> impl IntoView {
    let Asked(asked) = expect_context::<Asked>();
    // Its own: the island around it may have come alive before this one hydrates.
    let live = use_live();
    view! {
        <button type="button" class="button small" disabled=move || !live.get() on:click=move |_| asked.set(Some(id))>
            "Restore"
        </button>
    }
}
