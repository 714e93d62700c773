//! The confirm dialog of a bulk delete: a native modal <dialog> (its role, focus trap,
//! Escape and inert background come from the browser). It shows what the server counted
//! for this exact selection, and for large or whole-account deletes asks the user to
//! type the number. A delete that takes more than a moment shows its progress here,
//! with Stop.

use leptos::prelude::*;

use super::bulk_toolbar::{Icon, TRASH};
use super::job_dialog::{alert, follow, new_request_key, open, poll, Impact, JobDialog, TypedNumber};
use super::selection::Ticked;
use crate::api::{DeleteContacts, PreviewDelete};
use crate::bulk_action::typed_number_matches;
use crate::model::{plural, BulkActionRow, DeleteRequest, Selection};
use crate::recycle::delete_permanence;

#[component]
pub fn ConfirmDelete(
    ticked: RwSignal<Ticked>,
    confirming: RwSignal<bool>,
    on_finished: Callback<BulkActionRow>,
    /// A delete already running (started before the page was loaded): shown at once.
    resume: Option<i64>,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let preview = ServerAction::<PreviewDelete>::new();
    let delete = ServerAction::<DeleteContacts>::new();
    let selection = RwSignal::new(None::<Selection>);
    let typed = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    // The delete running on the server, while it runs.
    let job = RwSignal::new(None::<BulkActionRow>);
    let export_error = RwSignal::new(None::<String>);
    let finished = Callback::new(move |row: BulkActionRow| {
        confirming.set(false);
        on_finished.run(row);
    });

    // Opening: take the selection as it is now, ask the server what it means, show the
    // modal. Closing (Cancel, Escape, done) resets nothing the user ticked.
    Effect::new(move |_| {
        let Some(d) = dialog.get() else { return };
        if confirming.get() {
            match ticked.get_untracked().selection() {
                Some(s) => {
                    selection.set(Some(s.clone()));
                    typed.set(String::new());
                    key.set(new_request_key());
                    preview.value().set(None);
                    delete.value().set(None);
                    preview.dispatch(PreviewDelete { selection: s });
                    open(&d);
                }
                None => confirming.set(false),
            }
        } else if d.open() {
            d.close();
        }
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(row)) => {
            delete.value().set(None);
            export_error.set(None);
            follow(row, job, finished);
        }
        // Refused or stopped: count again, so the dialog shows the data as it is now, and
        // take a new key, so that confirming again is a new request.
        Some(Err(_)) => {
            key.set(new_request_key());
            if let Some(s) = selection.get_untracked() {
                preview.dispatch(PreviewDelete { selection: s });
            }
        }
        None => {}
    });

    // A delete that was running when the page loaded: open on its progress.
    if let Some(id) = resume {
        Effect::new(move |_| poll(id, job, finished, std::time::Duration::ZERO));
    }
    // Whenever a delete is running, the dialog shows it.
    Effect::new(move |_| {
        if let (Some(d), true) = (dialog.get(), job.with(Option::is_some)) {
            open(&d);
        }
    });

    // The server's count for the selection on show; an answer for an older selection
    // (a slow preview from an earlier opening) is ignored.
    let previewed = move || {
        preview.value().with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().ok())
                .filter(|p| selection.with(|s| s.as_ref() == Some(&p.selection)))
                .cloned()
        })
    };
    let count = move || previewed().map(|p| p.contacts).unwrap_or_else(|| ticked.with_untracked(|t| t.count()));
    let needs_typing = move || previewed().is_some_and(|p| p.needs_typed_confirmation);
    let typed_ok = move || !needs_typing() || typed.with(|t| typed_number_matches(t, count()));
    let can_delete = move || previewed().is_some_and(|p| p.contacts > 0) && typed_ok() && !delete.pending().get();
    let confirm = move |_| {
        // The selection as the preview pinned it, and the fingerprint of what it counted.
        let Some(p) = previewed() else { return };
        delete.dispatch(DeleteContacts {
            request: DeleteRequest {
                selection: p.selection.pinned_at(p.as_of),
                digest: p.digest,
                confirmed_count: p.contacts,
                typed_confirmation: p.needs_typed_confirmation.then(|| typed.get_untracked()),
                request_key: key.get_untracked(),
            },
        });
    };

    let question = move || format!("Delete {}?", plural(count(), "contact", "contacts"));

    view! {
        <JobDialog
            node_ref=dialog
            title_id="confirm-delete-title"
            described_by="confirm-delete-warning"
            question=Signal::derive(question)
            job
            on_close=Callback::new(move |()| confirming.set(false))
        >
            <p class="from">{move || selection.with(|s| s.as_ref().map(Selection::describe))}</p>
            <Show when=move || previewed().is_some_and(|p| p.whole_account)>
                <p class="warning">"This is every contact in your account."</p>
            </Show>
            {move || match (preview.value().get(), previewed()) {
                (Some(Err(e)), _) => alert(e).into_any(),
                (_, Some(p)) => view! { <Impact areas=p.areas into_bin=p.keep_days != 0/> }.into_any(),
                _ => view! { <p class="muted" role="status">"Counting what goes with them…"</p> }.into_any(),
            }}
            <p id="confirm-delete-warning" class="warning">
                <strong>{move || previewed().map(|p| delete_permanence(p.keep_days))}</strong>
            </p>
            <p>
                <a
                    href="#"
                    class="link"
                    on:click=move |ev| {
                        ev.prevent_default();
                        if let Some(s) = selection.get_untracked() {
                            super::export::download(s, move |why| export_error.set(Some(why)));
                        }
                    }
                >
                    "Export these contacts first"
                </a>
            </p>
            {move || export_error.get().map(alert)}
            <Show when=needs_typing>
                <TypedNumber id="confirm-delete-typed" number=Signal::derive(count) typed/>
            </Show>
            {move || delete.value().get().and_then(Result::err).map(alert)}
            <div class="actions">
                <button type="button" class="button" autofocus on:click=move |_| confirming.set(false)>
                    "Cancel"
                </button>
                <button type="button" class="button danger" disabled=move || !can_delete() on:click=confirm>
                    <Icon path=TRASH/>
                    {move || if delete.pending().get() { "Deleting…" } else { "Delete" }}
                </button>
            </div>
        </JobDialog>
    }
}
