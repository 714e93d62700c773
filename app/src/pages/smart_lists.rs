//! Smart Lists on the contacts page: the saved lists with their counts (opening one
//! shows its contacts, where selection, select all and delete work as anywhere), and
//! the controls to save the current search and filters, update, rename or delete one
//! (an island: after a change the page loads afresh, with the new counts).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::filters::list_href;
use super::live::use_live;
use super::memory::{self, Flash};
use crate::api::{delete_smart_list, rename_smart_list, save_smart_list, smart_list_count, update_smart_list};
use crate::error::AppError;
use crate::filter::Filter;
use crate::smart_list::{SmartList, SmartListRef, MAX_NAME_CHARS};

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
                                    <ListCount list=l.id/>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// A Smart List's number of contacts, " (12)", asked for once the page is shown: the
/// page never waits for the counts, and each tab shows its own as soon as it is known
/// (a count that cannot be made shows nothing).
#[island]
fn ListCount(list: i64) -> impl IntoView {
    let count = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        spawn_local(async move { count.set(smart_list_count(list).await.ok()) });
    });
    view! { <span class="count">{move || count.get().map(|n| format!(" ({n})"))}</span> }
}

/// Runs a change on the server; done, loads `href` (the list as it now is) and says
/// there how it went. A refusal is shown in `message`.
fn run(
    message: RwSignal<Option<Result<String, String>>>,
    work: impl std::future::Future<Output = Result<(String, String), AppError>> + 'static,
) {
    spawn_local(async move {
        match work.await {
            Ok((done, href)) => {
                Flash::SmartList.put(&Ok::<String, String>(done));
                memory::go(&href);
            }
            Err(e) => message.set(Some(Err(e.to_string()))),
        }
    });
}

/// Save as / update / rename / delete, for the list as it is shown now.
#[island]
pub fn SmartListControls(
    search: String,
    filter: Filter,
    /// The Smart List shown, if any…
    open: Option<SmartListRef>,
    /// …and whether the search or filters now differ from what it holds.
    modified: bool,
) -> impl IntoView {
    let naming = RwSignal::new(false);
    // How the last change went: a confirmation or a refusal.
    let message = RwSignal::new(None::<Result<String, String>>);
    let live = use_live();
    Effect::new(move |_| message.set(Flash::SmartList.take()));
    let name = RwSignal::new(open.as_ref().map(|l| l.name.clone()).unwrap_or_default());
    let narrowed = !search.trim().is_empty() || !filter.is_empty();
    let shown = StoredValue::new((search, filter));
    let shown = move || shown.get_value();
    let open = StoredValue::new(open);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wanted = name.get_untracked();
        let (search, filter) = shown();
        let existing = open.get_value();
        run(message, async move {
            let list = match existing {
                Some(l) => rename_smart_list(l.id, wanted).await?,
                None => save_smart_list(wanted, search, filter).await?,
            };
            let href = list_href(&list.search, &list.filter, Some(list.id), None);
            Ok((format!("Saved as Smart List “{}”.", list.name), href))
        });
    };
    let update = move |_| {
        let Some(l) = open.get_value() else { return };
        let (search, filter) = shown();
        run(message, async move {
            let list = update_smart_list(l.id, search, filter).await?;
            let href = list_href(&list.search, &list.filter, Some(list.id), None);
            Ok((format!("Smart List “{}” now holds these contacts.", list.name), href))
        });
    };
    let delete = move |_| {
        let Some(l) = open.get_value() else { return };
        let (search, filter) = shown();
        run(message, async move {
            delete_smart_list(l.id).await?;
            let href = list_href(&search, &filter, None, None);
            Ok((format!("Smart List “{}” deleted. Its contacts were not touched.", l.name), href))
        });
    };
    let heading = open.with_value(|o| o.as_ref().map(|l| format!("Smart List: {}", l.name)));
    let is_open = heading.is_some();
    let name_label = if is_open { "New name" } else { "Smart List name" };
    let idle = move || !live.get();
    view! {
        <div class="smart-list-controls" role="group" aria-label="Smart List">
            {heading.map(|h| view! { <h2 class="smart-list-name">{h}</h2> })}
            <Show when=move || !naming.get()>
                {(narrowed && !is_open).then(|| view! {
                    <button type="button" class="button" disabled=idle on:click=move |_| naming.set(true)>"Save as Smart List"</button>
                })}
                {is_open.then(|| view! {
                    <button type="button" class="button" disabled=move || !modified || idle() on:click=update>"Update Smart List"</button>
                    <button type="button" class="button" disabled=idle on:click=move |_| naming.set(true)>"Rename"</button>
                    <button type="button" class="button" disabled=idle on:click=delete>"Delete Smart List"</button>
                })}
            </Show>
            <Show when=move || naming.get()>
                <form class="inline-form" on:submit=save>
                    <label class="field">
                        <span>{name_label}</span>
                        <input
                            type="text"
                            required
                            maxlength=MAX_NAME_CHARS
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
