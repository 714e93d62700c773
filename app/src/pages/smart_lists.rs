//! Smart Lists on the contacts page: the saved lists with their counts (opening one
//! shows its contacts, where selection, select all and delete work as anywhere), and
//! the controls to save the current search and filters, update, rename or delete one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::filters::list_href;
use crate::api::{delete_smart_list, rename_smart_list, save_smart_list, update_smart_list};
use crate::error::AppError;
use crate::model::ListQuery;
use crate::smart_list::SmartList;

/// The account's Smart Lists; `open` is the one shown, if any.
#[component]
pub fn SmartListsNav(lists: Vec<SmartList>, open: Option<i64>) -> impl IntoView {
    let current = |on: bool| on.then_some("page");
    view! {
        <nav class="smart-lists" aria-label="Smart Lists">
            <ul>
                <li>
                    <a href="/contacts" aria-current=current(open.is_none())>"All contacts"</a>
                </li>
                {lists
                    .into_iter()
                    .map(|l| {
                        let href = list_href(&l.search, &l.filter, Some(l.id), None);
                        view! {
                            <li>
                                <a href=href aria-current=current(open == Some(l.id))>
                                    {l.name}
                                    <span class="count">{format!(" ({})", l.contacts)}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// How the last change to a Smart List went, and whether a name is being typed.
#[derive(Clone, Copy)]
pub struct ListOutcome {
    naming: RwSignal<bool>,
    message: RwSignal<Option<Result<String, String>>>,
}

impl Default for ListOutcome {
    fn default() -> Self {
        ListOutcome { naming: RwSignal::new(false), message: RwSignal::new(None) }
    }
}

/// Where a change to a Smart List reports to.
#[derive(Clone, Copy)]
struct Outcome {
    naming: RwSignal<bool>,
    message: RwSignal<Option<Result<String, String>>>,
    changed: Callback<()>,
}

impl Outcome {
    /// Runs a change on the server; then reports it, refreshes the lists and goes to
    /// the URL it names.
    fn run(
        self,
        navigate: impl Fn(&str, leptos_router::NavigateOptions) + 'static,
        work: impl std::future::Future<Output = Result<(String, Option<String>), AppError>> + 'static,
    ) {
        spawn_local(async move {
            match work.await {
                Ok((done, href)) => {
                    self.naming.set(false);
                    self.message.set(Some(Ok(done)));
                    self.changed.run(());
                    if let Some(href) = href {
                        navigate(&href, Default::default());
                    }
                }
                Err(e) => self.message.set(Some(Err(e.to_string()))),
            }
        });
    }
}

/// Save as / update / rename / delete, for the list as it is shown now.
#[component]
pub fn SmartListControls(query: ListQuery, open: Option<SmartList>, changed: Callback<()>, outcome: ListOutcome) -> impl IntoView {
    let navigate = use_navigate();
    let ListOutcome { naming, message } = outcome;
    let name = RwSignal::new(open.as_ref().map(|l| l.name.clone()).unwrap_or_default());
    let query = StoredValue::new(query);
    let open = StoredValue::new(open);
    let modified = open.with_value(|o| {
        o.as_ref().is_some_and(|l| query.with_value(|q| l.search != q.search.trim() || l.filter != q.filter))
    });
    let narrowed = query.with_value(|q| !q.search.trim().is_empty() || !q.filter.is_empty());

    let outcome = Outcome { naming, message, changed };
    let save = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let wanted = name.get_untracked();
            let (search, filter) = query.with_value(|q| (q.search.clone(), q.filter.clone()));
            let existing = open.get_value();
            outcome.run(navigate.clone(), async move {
                let list = match existing {
                    Some(l) => rename_smart_list(l.id, wanted).await?,
                    None => save_smart_list(wanted, search, filter).await?,
                };
                let href = list_href(&list.search, &list.filter, Some(list.id), None);
                Ok((format!("Saved as Smart List “{}”.", list.name), Some(href)))
            });
        }
    };
    let update = {
        let navigate = navigate.clone();
        move |_| {
            let Some(l) = open.get_value() else { return };
            let (search, filter) = query.with_value(|q| (q.search.clone(), q.filter.clone()));
            outcome.run(navigate.clone(), async move {
                let list = update_smart_list(l.id, search, filter).await?;
                Ok((format!("Smart List “{}” now holds these contacts.", list.name), None))
            });
        }
    };
    let delete = move |_| {
        let Some(l) = open.get_value() else { return };
        let (search, filter) = query.with_value(|q| (q.search.clone(), q.filter.clone()));
        outcome.run(navigate.clone(), async move {
            delete_smart_list(l.id).await?;
            let href = list_href(&search, &filter, None, None);
            Ok((format!("Smart List “{}” deleted. Its contacts were not touched.", l.name), Some(href)))
        });
    };
    let heading = open.with_value(|o| o.as_ref().map(|l| format!("Smart List: {}", l.name)));
    let is_open = heading.is_some();
    let name_label = if is_open { "New name" } else { "Smart List name" };
    view! {
        <div class="smart-list-controls" role="group" aria-label="Smart List">
            {heading.map(|h| view! { <h2 class="smart-list-name">{h}</h2> })}
            <Show when=move || !naming.get()>
                {(narrowed && !is_open).then(|| view! {
                    <button type="button" class="button" on:click=move |_| naming.set(true)>"Save as Smart List"</button>
                })}
                {is_open.then(|| view! {
                    <button type="button" class="button" disabled=!modified on:click=update.clone()>"Update Smart List"</button>
                    <button type="button" class="button" on:click=move |_| naming.set(true)>"Rename"</button>
                    <button type="button" class="button" on:click=delete.clone()>"Delete Smart List"</button>
                })}
            </Show>
            <Show when=move || naming.get()>
                <form class="inline-form" on:submit=save.clone()>
                    <label class="field">
                        <span>{name_label}</span>
                        <input
                            type="text"
                            required
                            maxlength="80"
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))
                        />
                    </label>
                    <button type="submit" class="button primary">{if is_open { "Save name" } else { "Save" }}</button>
                    <button type="button" class="button" on:click=move |_| naming.set(false)>"Cancel"</button>
                </form>
            </Show>
            <p role="status" class="notice">{move || message.get().and_then(Result::ok)}</p>
            <p role="alert" class="error">{move || message.get().and_then(Result::err)}</p>
        </div>
    }
}
