//! The confirm dialog of a bulk delete: a native modal <dialog> (its role, focus trap,
//! Escape and inert background come from the browser). It shows what the server counted
//! for this exact selection, and for large or whole-account deletes asks the user to
//! type the number. A delete that takes more than a moment shows its progress here,
//! with Stop.

use leptos::prelude::*;

use super::bulk_toolbar::{Icon, TRASH};
use super::selection::Ticked;
use crate::api::{bulk_action, stop_bulk_action, DeleteContacts, PreviewDelete};
use crate::bulk_action::typed_number_matches;
use crate::model::{plural, BulkActionRow, DeletePreview, DeleteRequest, Selection};
use crate::recycle::delete_permanence;

/// How often a running delete's progress is read.
const POLL_EVERY: std::time::Duration = std::time::Duration::from_millis(400);

/// Shows a running delete until it finishes, then hands it to `finished`. Stops quietly
/// if the page went away meanwhile.
pub(super) fn follow(row: BulkActionRow, job: RwSignal<Option<BulkActionRow>>, finished: Callback<BulkActionRow>) {
    if !row.is_running() {
        if job.try_set(None).is_none() {
            finished.run(row);
        }
        return;
    }
    let id = row.id;
    if job.try_set(Some(row)).is_some() {
        return;
    }
    poll(id, job, finished, POLL_EVERY);
}

/// Reads the record of delete `id` after `delay`, then follows it (see [`follow`]).
pub(super) fn poll(
    id: i64,
    job: RwSignal<Option<BulkActionRow>>,
    finished: Callback<BulkActionRow>,
    delay: std::time::Duration,
) {
    set_timeout(
        move || {
            leptos::task::spawn_local(async move {
                match bulk_action(id).await {
                    Ok(row) => follow(row, job, finished),
                    // A hiccup reading progress: try again (the job goes on regardless).
                    Err(_) => {
                        if let Some(row) = job.try_get_untracked().flatten() {
                            follow(row, job, finished);
                        }
                    }
                }
            });
        },
        delay,
    );
}

/// Keeps Tab and Shift+Tab cycling through the dialog's controls. A modal dialog makes
/// the page behind it inert, but the browser would still let focus leave for its own UI.
pub(super) fn keep_focus_inside(ev: leptos::ev::KeyboardEvent, dialog: &web_sys::HtmlDialogElement) {
    use wasm_bindgen::JsCast;
    if ev.key() != "Tab" {
        return;
    }
    let Ok(nodes) = dialog.query_selector_all("button:not([disabled]), input:not([disabled]), a[href]") else { return };
    let controls: Vec<web_sys::HtmlElement> =
        (0..nodes.length()).filter_map(|i| nodes.item(i)).filter_map(|n| n.dyn_into().ok()).collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else { return };
    let active = document().active_element();
    let on = |el: &web_sys::HtmlElement| active.as_ref().is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>());
    if ev.shift_key() && on(first) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && on(last) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

/// A fresh key per opened dialog: repeats of the same confirmation delete only once.
pub(super) fn new_request_key() -> String {
    let random = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
    format!("{random:016x}-{:x}", js_sys::Date::now() as u64)
}

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
    let stop_error = RwSignal::new(None::<String>);
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
                    if !d.open() {
                        let _ = d.show_modal();
                    }
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
            stop_error.set(None);
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
            if !d.open() {
                let _ = d.show_modal();
            }
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
    let running = move || job.with(Option::is_some);
    let stop = move |_| {
        let Some(id) = job.with_untracked(|j| j.as_ref().map(|r| r.id)) else { return };
        leptos::task::spawn_local(async move {
            match stop_bulk_action(id).await {
                Ok(row) => {
                    let _ = job.try_update(|j| {
                        if j.is_some() {
                            *j = Some(row);
                        }
                    });
                }
                Err(e) => {
                    let _ = stop_error.try_set(Some(e.to_string()));
                }
            }
        });
    };
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

    view! {
        <dialog
            node_ref=dialog
            class="confirm"
            aria-labelledby="confirm-delete-title"
            aria-describedby="confirm-delete-warning"
            on:close=move |_| confirming.set(false)
            // While a delete runs, Escape does not hide it: Stop does.
            on:cancel=move |ev: leptos::ev::Event| {
                if running() {
                    ev.prevent_default();
                }
            }
            on:keydown=move |ev| {
                if let Some(d) = dialog.get_untracked() {
                    keep_focus_inside(ev, &d);
                }
            }
        >
            <h2 id="confirm-delete-title">
                {move || match job.get() {
                    Some(row) => format!("Deleting {}…", plural(row.contacts_requested, "contact", "contacts")),
                    None => format!("Delete {}?", plural(count(), "contact", "contacts")),
                }}
            </h2>
            <p class="from">
                {move || {
                    selection
                        .with(|s| s.as_ref().map(Selection::describe))
                        .or_else(|| job.with(|j| j.as_ref().map(|r| r.description.clone())))
                }}
            </p>
            <Show when=move || previewed().is_some_and(|p| p.whole_account)>
                <p class="warning">"This is every contact in your account."</p>
            </Show>
            {move || job.get().map(|row| view! { <Progress row/> })}
            {move || stop_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Show when=move || !running()>
            {move || match (preview.value().get(), previewed()) {
                (Some(Err(e)), _) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                (_, Some(p)) => view! { <Impact preview=p/> }.into_any(),
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
                            super::export::download(s, move |why| stop_error.set(Some(why)));
                        }
                    }
                >
                    "Export these contacts first"
                </a>
            </p>
            <Show when=needs_typing>
                <div class="typed">
                    <label for="confirm-delete-typed">{move || format!("Type {} to confirm", count())}</label>
                    <input
                        id="confirm-delete-typed"
                        type="text"
                        inputmode="numeric"
                        autocomplete="off"
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev))
                    />
                </div>
            </Show>
            {move || delete.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
            <div class="actions">
                <button type="button" class="button" autofocus on:click=move |_| confirming.set(false)>
                    "Cancel"
                </button>
                <button type="button" class="button danger" disabled=move || !can_delete() on:click=confirm>
                    <Icon path=TRASH/>
                    {move || if delete.pending().get() { "Deleting…" } else { "Delete" }}
                </button>
            </div>
            </Show>
            <Show when=running>
                <div class="actions">
                    <button
                        type="button"
                        class="button"
                        disabled=move || job.with(|j| j.as_ref().is_some_and(|r| r.stopping))
                        on:click=stop
                    >
                        {move || if job.with(|j| j.as_ref().is_some_and(|r| r.stopping)) { "Stopping…" } else { "Stop" }}
                    </button>
                </div>
            </Show>
        </dialog>
    }
}

/// A running delete's progress: contacts deleted so far, of how many.
#[component]
fn Progress(row: BulkActionRow) -> impl IntoView {
    view! {
        <progress
            class="progress"
            aria-label="Deleting contacts"
            max=row.contacts_requested
            value=row.contacts_done
        ></progress>
        <p role="status">
            {format!("{} of {} deleted", row.contacts_done, plural(row.contacts_requested, "contact", "contacts"))}
            {row.stopping.then_some(" · stopping after this batch")}
        </p>
    }
}

/// The related records that go with the contacts, as counted by the server.
#[component]
fn Impact(preview: DeletePreview) -> impl IntoView {
    view! {
        <p>{if preview.keep_days > 0 { "Moved to the Recycle Bin with them:" } else { "Deleted with them, permanently:" }}</p>
        <ul class="impact" aria-label="Related records deleted with them">
            {preview
                .areas
                .into_iter()
                .map(|a| view! { <li>{a.phrase()}</li> })
                .collect_view()}
        </ul>
    }
}
