//! Recycle Bin: the account's deleted contacts, newest deletion first, 50 a page,
//! searchable by name, email or phone, each with when and by which bulk action it was
//! deleted. Ticked contacts (or all that match) can be restored, or deleted for good
//! after typing their number. The page is rendered on the server; the list with its
//! checkboxes, toolbar and confirm dialog is one island.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::frame::SignedIn;
use super::job_dialog::{alert, follow, new_request_key, open, Impact, JobDialog, TypedNumber};
use super::live::use_live;
use super::memory::{self, Flash};
use super::page_checkbox::PageCheckbox;
use super::restore::{comes_back, restored_message};
use super::table_box::TableBox;
use crate::api::{list_bin, ActOnBin, PreviewBin};
use crate::bulk_action::{typed_number_matches, Status};
use crate::dates::format_moment;
use crate::model::{page_summary, plural, BulkActionRow, MAX_SEARCH_CHARS, PAGE_SIZE};
use crate::recycle::with_related;
use crate::recycle_page::{BinAction, BinContact, BinPage, BinRequest, BinSelection};
use crate::team::Role;

/// The page's address for a search and a page number.
fn bin_href(search: &str, page: i64) -> String {
    let mut params = Vec::new();
    if !search.is_empty() {
        params.push(format!("q={}", urlencoding::encode(search)));
    }
    if page > 1 {
        params.push(format!("page={page}"));
    }
    match params.is_empty() {
        true => "/recycle-bin".into(),
        false => format!("/recycle-bin?{}", params.join("&")),
    }
}

#[component]
pub fn RecycleBinPage() -> impl IntoView {
    let query_map = use_query_map();
    let wanted = Memo::new(move |_| {
        query_map.with(|q| {
            let page = q.get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(1);
            (q.get("q").unwrap_or_default(), page)
        })
    });
    let bin = Resource::new(move || wanted.get(), |(search, page)| list_bin(search, page));
    let signed_in = SignedIn::get();
    view! {
        <header class="page-header">
            <h1>"Recycle Bin"</h1>
            <form action="/recycle-bin" method="get">
                <div class="search" role="search">
                    <input
                        type="search"
                        name="q"
                        maxlength=MAX_SEARCH_CHARS
                        aria-label="Search the Recycle Bin"
                        placeholder="Search by name, email or phone"
                        value=move || wanted.with(|w| w.0.clone())
                    />
                    <button type="submit" class="button">"Search"</button>
                </div>
            </form>
        </header>
        <p class="muted">"Deleted contacts wait here, with their related records, until they are restored or their days are over."</p>
        <Transition fallback=|| view! { <p class="muted">"Loading the Recycle Bin…"</p> }>
            {move || Suspend::new(async move {
                // The server refuses what the user may not do, whatever the page shows.
                let may_act = match signed_in {
                    Some(s) => s.0.await.is_ok_and(|v| v.role == Role::Admin || v.may_bulk_delete),
                    None => false,
                };
                match bin.await {
                    Ok(page) => view! { <BinList page may_act/> }.into_any(),
                    Err(e) => view! { <p role="alert" class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What is ticked: some contacts of the page, or every contact the search matches.
#[derive(Clone, Debug, Default, PartialEq)]
enum Ticked {
    #[default]
    None,
    Some(BTreeSet<i64>),
    All,
}

impl Ticked {
    fn has(&self, id: i64) -> bool {
        match self {
            Ticked::None => false,
            Ticked::Some(ids) => ids.contains(&id),
            Ticked::All => true,
        }
    }

    fn set(&mut self, ids: &[i64], on: bool) {
        let mut now = match std::mem::take(self) {
            Ticked::Some(set) => set,
            _ => BTreeSet::new(),
        };
        for id in ids {
            if on {
                now.insert(*id);
            } else {
                now.remove(id);
            }
        }
        *self = if now.is_empty() { Ticked::None } else { Ticked::Some(now) };
    }

    fn count(&self, total: i64) -> i64 {
        match self {
            Ticked::None => 0,
            Ticked::Some(ids) => ids.len() as i64,
            Ticked::All => total,
        }
    }

    fn selection(&self, search: &str) -> Option<BinSelection> {
        match self {
            Ticked::None => None,
            Ticked::Some(ids) => Some(BinSelection::Ids { ids: ids.iter().copied().collect() }),
            Ticked::All => Some(BinSelection::All { search: search.to_string() }),
        }
    }
}

/// What the notice says once an action on the bin has been taken up.
fn done_message(row: &BulkActionRow) -> String {
    match (row.action, row.status) {
        (crate::bulk_action::Action::Purge, Status::Done) => {
            format!("Deleted {} permanently.", with_related(row.contacts_done, &row.rows))
        }
        (crate::bulk_action::Action::Purge, Status::Running) => format!(
            "Deleting {} permanently… Bulk Actions shows its progress.",
            plural(row.contacts_requested, "contact", "contacts")
        ),
        (crate::bulk_action::Action::Purge, _) => format!(
            "Stopped: {} of {} were deleted permanently; the others are still in the Recycle Bin.",
            row.contacts_done,
            plural(row.contacts_requested, "contact", "contacts")
        ),
        _ => restored_message(row),
    }
}

/// What the checkboxes of a page share with the island around them.
#[derive(Clone, Copy)]
struct Pick {
    ticked: RwSignal<Ticked>,
    message: RwSignal<Option<String>>,
    page_ids: StoredValue<Vec<i64>>,
    may_act: bool,
}

impl Pick {
    /// Whether all, and whether any, of the page's contacts are ticked.
    fn coverage(self) -> (bool, bool) {
        self.ticked.with(|t| {
            self.page_ids.with_value(|ids| (ids.iter().all(|id| t.has(*id)), ids.iter().any(|id| t.has(*id))))
        })
    }

    fn set(self, ids: &[i64], on: bool) {
        self.ticked.update(|t| t.set(ids, on));
        self.message.set(None);
    }
}

/// The page of the bin, rendered on the server: the rows and the pager, and around them
/// the island that acts on them.
#[component]
fn BinList(page: BinPage, may_act: bool) -> impl IntoView {
    let BinPage { contacts, total, page, search } = page;
    let empty = contacts.is_empty().then(|| {
        let text = match search.trim() {
            "" => "The Recycle Bin is empty.".to_string(),
            s => format!("No deleted contacts match “{s}”."),
        };
        view! { <p class="empty" role="status">{text}</p> }
    });
    let first = (page - 1) * PAGE_SIZE;
    let summary = page_summary(first, contacts.len(), total);
    let prev = (page > 1).then(|| bin_href(&search, page - 1));
    let next = (first + (contacts.len() as i64) < total).then(|| bin_href(&search, page + 1));
    let page_ids: Vec<i64> = contacts.iter().map(|c| c.id).collect();
    let here = bin_href(&search, page);
    let any = !contacts.is_empty();
    view! {
        <BinPicking page_ids total search here may_act>
            {empty}
            // Built inside the island's children (lazily), where the checkboxes find its context.
            {any.then(|| view! { <BinTable contacts/> })}
            <nav class="pager" aria-label="Pagination">
                <span class="range" role="status">{summary}</span>
                {match prev {
                    Some(href) => view! { <a class="button" href=href>"Previous"</a> }.into_any(),
                    None => view! { <span class="button disabled" aria-disabled="true">"Previous"</span> }.into_any(),
                }}
                {match next {
                    Some(href) => view! { <a class="button" href=href>"Next"</a> }.into_any(),
                    None => view! { <span class="button disabled" aria-disabled="true">"Next"</span> }.into_any(),
                }}
            </nav>
        </BinPicking>
    }
}

/// The rows of a page of the bin, each with its checkbox island.
#[component]
fn BinTable(contacts: Vec<BinContact>) -> impl IntoView {
    view! {
        <TableBox label="Deleted contacts">
            <table class="contacts bin">
                <caption class="visually-hidden">"Deleted contacts, newest deletion first"</caption>
                <thead>
                    <tr>
                        <th scope="col" class="check"><BinPageBox/></th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Phone"</th>
                        <th scope="col">"Deleted"</th>
                        <th scope="col">"By"</th>
                    </tr>
                </thead>
                <tbody>{contacts.into_iter().map(|contact| view! { <BinRow contact/> }).collect_view()}</tbody>
            </table>
        </TableBox>
    }
}

/// The island around a page of the bin: the notice, the toolbar, the select-all banner
/// and the confirm dialog; its checkboxes are islands inside it.
#[island]
fn BinPicking(
    page_ids: Vec<i64>,
    total: i64,
    search: String,
    here: String,
    may_act: bool,
    children: Children,
) -> impl IntoView {
    let ticked = RwSignal::new(Ticked::None);
    let message = RwSignal::new(None::<String>);
    let pick = Pick { ticked, message, page_ids: StoredValue::new(page_ids), may_act };
    provide_context(pick);
    Effect::new(move |_| message.set(Flash::Bin.take()));
    let on_page = pick.page_ids.with_value(Vec::len) as i64;
    let count = move || ticked.with(|t| t.count(total));
    let asked = RwSignal::new(None::<BinAction>);
    let finished = Callback::new(move |row: BulkActionRow| {
        Flash::Bin.put(&done_message(&row));
        memory::go(&here);
    });
    view! {
        <p class="notice" role="status">{move || message.get()}</p>
        <Show when=move || count() != 0>
            <div class="toolbar" role="toolbar" aria-label="Recycle Bin actions">
                <span>{move || format!("{} selected", count())}</span>
                <button type="button" class="button" on:click=move |_| asked.set(Some(BinAction::Restore))>"Restore"</button>
                <button type="button" class="button danger" on:click=move |_| asked.set(Some(BinAction::Purge))>
                    "Delete permanently"
                </button>
            </div>
        </Show>
        {move || match ticked.get() {
            Ticked::All => Some(view! {
                <div class="banner" role="region" aria-label="Selection">
                    <span>{format!("All {} in the Recycle Bin are selected.", plural(total, "contact", "contacts"))}</span>
                    <button type="button" class="link" on:click=move |_| ticked.set(Ticked::None)>"Clear selection"</button>
                </div>
            }.into_any()),
            _ if pick.coverage().0 && on_page > 0 && total > on_page => Some(view! {
                <div class="banner" role="region" aria-label="Selection">
                    <span>{format!("All {} on this page are selected.", plural(on_page, "contact", "contacts"))}</span>
                    <button type="button" class="link" on:click=move |_| ticked.set(Ticked::All)>
                        {format!("Select all {} in the Recycle Bin", plural(total, "contact", "contacts"))}
                    </button>
                </div>
            }.into_any()),
            _ => None,
        }}
        {children()}
        <BinDialog asked ticked search finished count=Signal::derive(count)/>
    }
}

/// The header checkbox: ticks or unticks the whole page.
#[island]
fn BinPageBox() -> impl IntoView {
    let pick = expect_context::<Pick>();
    let live = use_live();
    let tick = Callback::new(move |on| pick.page_ids.with_value(|ids| pick.set(ids, on)));
    let disabled = Signal::derive(move || !live.get() || !pick.may_act);
    view! { <PageCheckbox coverage=Signal::derive(move || pick.coverage()) disabled on_change=tick/> }
}

/// A row's checkbox.
#[island]
fn BinBox(id: i64, name: String) -> impl IntoView {
    let pick = expect_context::<Pick>();
    let live = use_live();
    view! {
        <input
            type="checkbox"
            aria-label=format!("Select {name}")
            disabled=move || !live.get() || !pick.may_act
            prop:checked=move || pick.ticked.with(|t| t.has(id))
            on:change=move |ev| pick.set(&[id], event_target_checked(&ev))
        />
    }
}

/// A contact's row.
#[component]
fn BinRow(contact: BinContact) -> impl IntoView {
    let name = contact.display_name();
    view! {
        <tr>
        <td class="check"><BinBox id=contact.id name=name.clone()/></td>
        <th scope="row">{name}</th>
        <td>{contact.email.unwrap_or_default()}</td>
        <td>{contact.phone.unwrap_or_default()}</td>
        <td>{format_moment(contact.deleted_at)}</td>
        <td>{format!("Bulk action #{}{}", contact.bulk_action_id, contact.deleted_by.map(|u| format!(" by {u}")).unwrap_or_default())}</td>
        </tr>
    }
}

/// The confirm dialog of a restore or a permanent delete of the ticked contacts.
#[component]
fn BinDialog(
    asked: RwSignal<Option<BinAction>>,
    ticked: RwSignal<Ticked>,
    search: String,
    finished: Callback<BulkActionRow>,
    count: Signal<i64>,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let preview = ServerAction::<PreviewBin>::new();
    let act = ServerAction::<ActOnBin>::new();
    let typed = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let job = RwSignal::new(None::<BulkActionRow>);
    let search = StoredValue::new(search);
    Effect::new(move |_| {
        let Some(d) = dialog.get() else { return };
        match (asked.get(), ticked.with_untracked(|t| t.selection(&search.get_value()))) {
            (Some(action), Some(selection)) => {
                typed.set(String::new());
                key.set(new_request_key());
                preview.value().set(None);
                act.value().set(None);
                preview.dispatch(PreviewBin { action, selection });
                open(&d);
            }
            _ if d.open() && job.with_untracked(Option::is_none) => d.close(),
            _ => {}
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(row)) = act.value().get() {
            act.value().set(None);
            follow(row, job, finished);
        }
    });
    let previewed = move || {
        preview.value().with(|v| {
            v.as_ref().and_then(|r| r.as_ref().ok()).filter(|p| asked.with(|a| *a == Some(p.action))).cloned()
        })
    };
    let purging = move || asked.with(|a| *a == Some(BinAction::Purge));
    let shown = move || previewed().map_or_else(|| count.get(), |p| p.contacts);
    let typed_ok = move || !purging() || typed.with(|t| typed_number_matches(t, shown()));
    let can_act = move || previewed().is_some_and(|p| p.contacts > 0) && typed_ok() && !act.pending().get();
    let confirm = move |_| {
        let Some(p) = previewed() else { return };
        act.dispatch(ActOnBin {
            request: BinRequest {
                action: p.action,
                selection: p.selection,
                confirmed_count: p.contacts,
                digest: p.digest,
                typed_confirmation: purging().then(|| typed.get_untracked()),
                request_key: key.get_untracked(),
            },
        });
    };
    let question = move || match (previewed(), purging()) {
        (Some(p), false) => format!("Restore {}?", with_related(p.contacts, &p.areas)),
        (_, true) => format!("Delete {} permanently?", plural(shown(), "contact", "contacts")),
        (None, false) => format!("Restore {}?", plural(count.get(), "contact", "contacts")),
    };
    view! {
        <JobDialog
            node_ref=dialog
            title_id="bin-dialog-title"
            question=Signal::derive(question)
            job
            on_close=Callback::new(move |()| asked.set(None))
        >
            {move || match (preview.value().get(), previewed()) {
                (Some(Err(e)), _) => alert(e).into_any(),
                (_, Some(p)) if p.action == BinAction::Purge => view! {
                    <Impact areas=p.areas into_bin=false/>
                    <p class="warning"><strong>"This action cannot be undone."</strong></p>
                }.into_any(),
                (_, Some(_)) => comes_back().into_any(),
                _ => view! { <p class="muted" role="status">"Counting…"</p> }.into_any(),
            }}
            <Show when=purging>
                <TypedNumber id="bin-typed" number=Signal::derive(shown) typed/>
            </Show>
            {move || act.value().get().and_then(Result::err).map(alert)}
            <div class="actions">
                <button type="button" class="button" autofocus on:click=move |_| asked.set(None)>"Cancel"</button>
                <button
                    type="button"
                    class=move || if purging() { "button danger" } else { "button primary" }
                    disabled=move || !can_act()
                    on:click=confirm
                >
                    {move || if purging() { "Delete permanently" } else { "Restore" }}
                </button>
            </div>
        </JobDialog>
    }
}
