//! The shell the confirm dialogs of bulk actions share (a delete, a restore, the Recycle
//! Bin's restore and permanent delete): a native modal <dialog> (its role, Escape and
//! inert background come from the browser) that keeps focus inside. While nothing runs
//! it shows what the dialog asks; once the server has taken the job up it shows the job's
//! progress with Stop until it ends, and Escape no longer hides it.

use leptos::prelude::*;

use crate::api::{bulk_action, stop_bulk_action};
use crate::bulk_action::Action;
use crate::model::{plural, AreaCount, BulkActionRow};

/// How often a running job's progress is read.
const POLL_EVERY: std::time::Duration = std::time::Duration::from_millis(400);

/// Shows a running job until it finishes, then hands it to `finished`. Stops quietly if
/// the page went away meanwhile.
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

/// Reads the record of job `id` after `delay`, then follows it (see [`follow`]).
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
fn keep_focus_inside(ev: leptos::ev::KeyboardEvent, dialog: NodeRef<leptos::html::Dialog>) {
    use wasm_bindgen::JsCast;
    let Some(dialog) = dialog.get_untracked() else { return };
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

/// A fresh key per opened dialog: repeats of the same confirmation act only once.
pub(super) fn new_request_key() -> String {
    let random = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
    format!("{random:016x}-{:x}", js_sys::Date::now() as u64)
}

/// Shows the dialog as a modal, unless it is open already.
pub(super) fn open(dialog: &web_sys::HtmlDialogElement) {
    if !dialog.open() {
        let _ = dialog.show_modal();
    }
}

/// How a running job of `action` is named: its heading's verb and its progress' word.
fn words(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Delete | Action::Purge => ("Deleting", "deleted"),
        Action::Restore => ("Restoring", "restored"),
        Action::Export => ("Exporting", "exported"),
    }
}

/// The dialog; only what depends on the body's type is here, so that each dialog adds
/// little code of its own to the wasm (see [`JobStatus`]).
#[component]
pub(super) fn JobDialog<C>(
    node_ref: NodeRef<leptos::html::Dialog>,
    /// The id of its heading, which names the dialog.
    title_id: &'static str,
    /// The id of the sentence that describes it, if it has one.
    #[prop(optional)]
    described_by: Option<&'static str>,
    /// The heading while nothing runs: the question the dialog asks.
    #[prop(into)]
    question: Signal<String>,
    /// The job the server took up, while it runs.
    job: RwSignal<Option<BulkActionRow>>,
    /// Closed by the user (Cancel, Escape) or by the page.
    on_close: Callback<()>,
    /// What the dialog shows and asks while nothing runs (typed: an erased view would
    /// bring its server-side rendering into the wasm).
    children: TypedChildrenFn<C>,
) -> impl IntoView
where
    C: IntoView + 'static,
{
    let children = children.into_inner();
    view! {
        <dialog
            node_ref=node_ref
            class="confirm"
            aria-labelledby=title_id
            aria-describedby=described_by
            on:close=move |_| on_close.run(())
            on:cancel=move |ev| keep_open_while_running(ev, job)
            on:keydown=move |ev| keep_focus_inside(ev, node_ref)
        >
            <JobStatus title_id question job/>
            <Show when=move || job.with(Option::is_none)>{children()}</Show>
        </dialog>
    }
}

/// While a job runs, Escape does not hide its dialog: Stop does.
fn keep_open_while_running(ev: leptos::ev::Event, job: RwSignal<Option<BulkActionRow>>) {
    if job.with_untracked(Option::is_some) {
        ev.prevent_default();
    }
}

/// The dialog's heading; while its job runs, the job's progress and Stop.
#[component]
fn JobStatus(title_id: &'static str, question: Signal<String>, job: RwSignal<Option<BulkActionRow>>) -> impl IntoView {
    let stop_error = RwSignal::new(None::<String>);
    let stopping = move || job.with(|j| j.as_ref().is_some_and(|r| r.stopping));
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
    view! {
        <h2 id=title_id>
            {move || match job.get() {
                Some(row) => format!("{} {}…", words(row.action).0, plural(row.contacts_requested, "contact", "contacts")),
                None => question.get(),
            }}
        </h2>
        {move || job.get().map(|row| view! { <p class="from">{row.description.clone()}</p> <Progress row/> })}
        {move || stop_error.get().map(alert)}
        <Show when=move || job.with(Option::is_some)>
            <div class="actions">
                <button type="button" class="button" disabled=stopping on:click=stop>
                    {move || if stopping() { "Stopping…" } else { "Stop" }}
                </button>
            </div>
        </Show>
    }
}

/// A running job's progress: contacts done so far, of how many.
#[component]
fn Progress(row: BulkActionRow) -> impl IntoView {
    let (doing, done) = words(row.action);
    view! {
        <progress
            class="progress"
            aria-label=format!("{doing} contacts")
            max=row.contacts_requested
            value=row.contacts_done
        ></progress>
        <p role="status">
            {format!("{} of {} {done}", row.contacts_done, plural(row.contacts_requested, "contact", "contacts"))}
            {row.stopping.then_some(" · stopping after this batch")}
        </p>
    }
}

/// The related records that go with the contacts, as counted by the server.
#[component]
pub(super) fn Impact(areas: Vec<AreaCount>, into_bin: bool) -> impl IntoView {
    view! {
        <p>{if into_bin { "Moved to the Recycle Bin with them:" } else { "Deleted with them, permanently:" }}</p>
        <ul
            class="impact"
            aria-label=if into_bin { "Related records moved with them" } else { "Related records deleted with them" }
        >
            {areas.into_iter().map(|a| view! { <li>{a.phrase()}</li> }).collect_view()}
        </ul>
    }
}

/// The field a large or irreversible action asks its number to be typed into.
#[component]
pub(super) fn TypedNumber(
    /// The input's id (its label points at it).
    id: &'static str,
    /// The number to type.
    #[prop(into)]
    number: Signal<i64>,
    typed: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="typed">
            <label for=id>{move || format!("Type {} to confirm", number.get())}</label>
            <input
                id=id
                type="text"
                inputmode="numeric"
                autocomplete="off"
                prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev))
            />
        </div>
    }
}

/// An error the server answered, announced at once.
pub(super) fn alert(error: impl std::fmt::Display) -> impl IntoView {
    view! { <p class="error" role="alert">{error.to_string()}</p> }
}
