//! CRM > Contacts: the account's contacts, 50 a page, searchable, with checkboxes for
//! bulk actions. The URL carries the search and the page position, so reload, back and
//! shared links show the same page. The page is rendered on the server; the list with
//! its checkboxes, toolbar and confirm dialog is an island, and what is ticked survives
//! moving to another page of the list (see [`super::memory`]).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::bulk_toolbar::BulkToolbar;
use super::confirm_delete::ConfirmDelete;
use super::filters::{list_href, FilterChips, FilterFields, FilterPanel};
use super::frame::SignedIn;
use super::job_dialog::new_request_key;
use super::live::use_live;
use super::memory::{self, Flash};
use super::page_checkbox::PageCheckbox;
use super::restore::restored_message;
use super::selection::{shift_range, Ticked};
use super::smart_lists::{SmartListControls, SmartListsNav};
use super::table_box::TableBox;
use crate::api::{list_contacts, restore_bulk_action, running_delete, smart_lists};
use crate::bulk_action::Status;
use crate::dates::format_date;
use crate::error::AppError;
use crate::filter::{param, Filter};
use crate::model::{page_summary, plural, BulkActionRow, Contact, ContactPage, ListQuery, MAX_SEARCH_CHARS};
use crate::recycle::RestoreRequest;
use crate::smart_list::SmartListRef;

#[component]
pub fn ContactsPage() -> impl IntoView {
    let query_map = use_query_map();
    // A malformed filter in the URL is reported, not guessed at.
    let parsed = Memo::new(move |_| {
        query_map.with(|q| {
            let filter = Filter::from_query(q.into_iter().map(|(k, v)| (k.as_ref(), v)));
            if q.get(param::SMART_LIST).is_some_and(|l| l.parse::<i64>().is_err()) {
                return Err("This Smart List link is not valid. Choose the Smart List again.".to_string());
            }
            filter.map(|filter| ListQuery {
                search: q.get(param::SEARCH).unwrap_or_default(),
                filter,
                after: q.get(param::AFTER).filter(|c| !c.is_empty()),
                before: q.get(param::BEFORE).filter(|c| !c.is_empty()),
            })
        })
    });
    let query = Memo::new(move |_| parsed.get().unwrap_or_default());
    let open_list =
        Memo::new(move |_| query_map.with(|q| q.get(param::SMART_LIST).and_then(|l| l.parse::<i64>().ok())));
    let lists = Resource::new(|| (), |_| smart_lists());
    let running = Resource::new(|| (), |_| running_delete());
    let signed_in = SignedIn::get();
    let page = Resource::new(
        move || parsed.get(),
        |parsed| async move {
            match parsed {
                Ok(query) => list_contacts(query).await,
                Err(message) => {
                    let refused = AppError::BadRequest(message);
                    #[cfg(feature = "ssr")]
                    crate::api::context::set_status(&refused);
                    Err(refused)
                }
            }
        },
    );
    let search = move || query.with(|q| q.search.clone());

    view! {
        <header class="page-header">
            <h1>"Contacts"</h1>
            <form action="/contacts" method="get">
                <div class="search" role="search">
                    <input
                        type="search"
                        name=param::SEARCH
                        maxlength=MAX_SEARCH_CHARS
                        aria-label="Search contacts"
                        placeholder="Search by name, email or phone"
                        value=search
                    />
                    <button type="submit" class="button">"Search"</button>
                </div>
                {move || view! { <FilterFields filter=query.with(|q| q.filter.clone())/> }}
            </form>
        </header>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let all = lists.await.unwrap_or_default();
                let ListQuery { search, filter, .. } = query.get();
                let open = open_list.get().and_then(|id| all.iter().find(|l| l.id == id));
                let missing = open_list.get().is_some() && open.is_none();
                let modified = open.is_some_and(|l| l.search != search.trim() || l.filter != filter);
                let open = open.map(|l| SmartListRef { id: l.id, name: l.name.clone() });
                view! {
                    <SmartListsNav lists=all.clone() open=open_list.get()/>
                    {missing.then(|| view! { <p role="alert" class="error">"There is no such Smart List in your account."</p> })}
                    <SmartListControls search filter open modified/>
                }
            })}
        </Transition>
        {move || query.with(|q| view! {
            <FilterPanel search=q.search.clone() filter=q.filter.clone() smart_list=open_list.get()/>
            <FilterChips search=q.search.clone() filter=q.filter.clone()/>
        })}
        <Transition fallback=|| view! { <p class="muted">"Loading contacts…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let ListQuery { search, filter, .. } = query.get_untracked();
                        // Made in an unchanged Smart List, a selection says so.
                        let all = lists.await.unwrap_or_default();
                        let smart_list = open_list
                            .get_untracked()
                            .and_then(|id| all.into_iter().find(|l| l.id == id))
                            .filter(|l| l.search == search.trim() && l.filter == filter)
                            .map(|l| SmartListRef { id: l.id, name: l.name });
                        // The server refuses a delete without the permission whatever the page shows.
                        let may_delete = match signed_in {
                            Some(s) => s.0.await.is_ok_and(|v| v.may_bulk_delete),
                            None => false,
                        };
                        // A delete of this user's still running: its progress, again.
                        let running = running.await.ok().flatten().map(|row| row.id);
                        view! { <ContactList page search filter smart_list may_delete running/> }.into_any()
                    }
                    Err(e) => view! { <p role="alert" class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The list's notice after a bulk action, shown on the page loaded next, and the
/// delete its Undo restores (one whose contacts are in the Recycle Bin).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Notice {
    text: String,
    undo: Option<i64>,
}

impl Notice {
    /// Once a delete has finished.
    fn finished(row: &BulkActionRow) -> Notice {
        Notice { text: finished_message(row), undo: (row.to_bin && row.in_bin).then_some(row.id) }
    }
}

/// What the notice says once a delete has finished.
fn finished_message(row: &BulkActionRow) -> String {
    let deleted = plural(row.contacts_done, "contact", "contacts");
    match row.status {
        Status::Done => format!("Deleted {deleted}"),
        Status::Cancelled => format!(
            "Stopped: deleted {} of {}, with their related records. The others were not touched.",
            row.contacts_done,
            plural(row.contacts_requested, "contact", "contacts")
        ),
        _ => format!(
            "The delete stopped part-way: {} of {} were deleted, with their related records. Please try again.",
            row.contacts_done,
            plural(row.contacts_requested, "contact", "contacts")
        ),
    }
}

/// The page of contacts, rendered on the server: the rows, the pager, and around them
/// the island that acts on them.
#[component]
fn ContactList(
    page: ContactPage,
    search: String,
    filter: Filter,
    smart_list: Option<SmartListRef>,
    may_delete: bool,
    running: Option<i64>,
) -> impl IntoView {
    let ContactPage { contacts, total, offset, next, prev, watermark } = page;
    let list_id = smart_list.as_ref().map(|l| l.id);
    let summary = page_summary(offset, contacts.len(), total);
    let prev_href = prev.map(|c| list_href(&search, &filter, list_id, Some((param::BEFORE, &c))));
    let next_href = next.map(|c| list_href(&search, &filter, list_id, Some((param::AFTER, &c))));
    let page_ids: Vec<i64> = contacts.iter().map(|c| c.id).collect();
    let empty = contacts.is_empty().then(|| {
        let text = match (search.trim(), filter.is_empty()) {
            ("", true) => "There are no contacts here yet.".to_string(),
            (search, true) => format!("No contacts match “{search}”."),
            ("", false) => "No contacts match these filters.".to_string(),
            (search, false) => format!("No contacts match “{search}” with these filters."),
        };
        view! { <p class="empty" role="status">{text}</p> }
    });
    // Built inside the island's children (lazily), where the checkboxes find its context.
    let any = !contacts.is_empty();
    view! {
        <Picking page_ids search filter smart_list total watermark may_delete running>
            {empty}
            {any.then(|| view! { <ContactTable contacts/> })}
            <nav class="pager" aria-label="Pagination">
                <span class="range" role="status">{summary}</span>
                <PageLink href=prev_href label="Previous"/>
                <PageLink href=next_href label="Next"/>
            </nav>
        </Picking>
    }
}

/// What the checkboxes of a page share with the island around them.
#[derive(Clone, Copy)]
struct Pick {
    ticked: RwSignal<Ticked>,
    done_message: RwSignal<Option<String>>,
    page_ids: StoredValue<Vec<i64>>,
    /// The row clicked last: a shift-click ticks or clears the rows from it.
    anchor: RwSignal<Option<i64>>,
}

impl Pick {
    /// Ticks or unticks contacts; the last outcome message goes.
    fn set(self, ids: &[i64], on: bool) {
        self.ticked.update(|t| t.set_many(ids, on));
        self.done_message.set(None);
    }

    /// A row's checkbox was clicked (or toggled with Space) to `on`; with Shift, the
    /// rows from the last clicked one follow it, as in Gmail.
    fn click_row(self, id: i64, on: bool, shift: bool) {
        let anchor = shift.then(|| self.anchor.get_untracked()).flatten();
        self.page_ids.with_value(|ids| self.set(shift_range(ids, anchor, id), on));
        self.anchor.set(Some(id));
    }

    /// Whether all, and whether any, of the page's contacts are ticked.
    fn coverage(self) -> (bool, bool) {
        self.page_ids.with_value(|ids| self.ticked.with(|t| t.coverage(ids)))
    }
}

/// The island around a page of contacts: ticking (its checkboxes are islands inside
/// it), the toolbar, the select-all banner, the outcome notice and the confirm dialog.
#[island]
fn Picking(
    page_ids: Vec<i64>,
    search: String,
    filter: Filter,
    smart_list: Option<SmartListRef>,
    total: i64,
    watermark: i64,
    may_delete: bool,
    /// The user's delete still running when the page was made (its id only: the
    /// dialog reads its progress, and the island's props stay small in the wasm).
    running: Option<i64>,
    children: Children,
) -> impl IntoView {
    let ticked = RwSignal::new(Ticked::default());
    let confirming = RwSignal::new(false);
    let done_message = RwSignal::new(None::<String>);
    let undo = RwSignal::new(None::<i64>);
    let undoing = RwSignal::new(false);
    provide_context(Pick { ticked, done_message, page_ids: StoredValue::new(page_ids), anchor: RwSignal::new(None) });
    let list_id = smart_list.as_ref().map(|l| l.id);
    let first_page = StoredValue::new(list_href(&search, &filter, list_id, None));

    // Once hydrated: what was ticked on other pages of this list, and how the delete
    // that led here ended. From then on, what is ticked is kept for the other pages.
    Effect::new(move |_| {
        if let Some(kept) = first_page.with_value(|list| memory::ticked(list)) {
            ticked.set(kept);
        }
        if let Some(notice) = Flash::Contacts.take::<Notice>() {
            done_message.set(Some(notice.text));
            undo.set(notice.undo);
        }
    });
    Effect::watch(
        move || ticked.get(),
        move |t, _, _| first_page.with_value(|list| memory::keep_ticked(list, t)),
        false,
    );
    // Done: say how it went on the list's first page, loaded afresh.
    let on_finished = Callback::new(move |row: BulkActionRow| {
        Flash::Contacts.put(&Notice::finished(&row));
        memory::forget_ticked();
        first_page.with_value(|href| memory::go(href));
    });
    // Undo: the delete's contacts come back from the Recycle Bin at once.
    let undo_delete = move |_| {
        let Some(id) = undo.get_untracked() else { return };
        undoing.set(true);
        leptos::task::spawn_local(async move {
            let request = RestoreRequest { bulk_action_id: id, request_key: new_request_key() };
            match restore_bulk_action(request).await {
                Ok(row) => {
                    Flash::Contacts.put(&Notice { text: restored_message(&row), undo: None });
                    first_page.with_value(|href| memory::go(href));
                }
                Err(e) => {
                    undoing.set(false);
                    undo.set(None);
                    done_message.set(Some(e.to_string()));
                }
            }
        });
    };
    let offers_undo = move || done_message.with(Option::is_some) && undo.with(Option::is_some);
    view! {
        <p class="notice" role="status">
            {move || done_message.get()}
            <Show when=offers_undo>
                " "
                <button type="button" class="button small" disabled=move || undoing.get() on:click=undo_delete>
                    {move || if undoing.get() { "Undoing…" } else { "Undo" }}
                </button>
            </Show>
        </p>
        <BulkToolbar ticked confirming notice=done_message may_delete/>
        <SelectAllBanner search filter smart_list total watermark/>
        {children()}
        <ConfirmDelete ticked confirming on_finished resume=running/>
    }
}

/// The header checkbox: ticks or unticks the whole page.
#[island]
fn PageBox() -> impl IntoView {
    let pick = expect_context::<Pick>();
    // Its own: the island around it may have come alive before this one hydrates.
    let live = use_live();
    let tick = Callback::new(move |on| pick.page_ids.with_value(|ids| pick.set(ids, on)));
    view! { <PageCheckbox coverage=Signal::derive(move || pick.coverage()) disabled=Signal::derive(move || !live.get()) on_change=tick/> }
}

/// A row's checkbox.
#[island]
fn RowBox(id: i64, name: String) -> impl IntoView {
    let pick = expect_context::<Pick>();
    let live = use_live();
    view! {
        <input
            type="checkbox"
            aria-label=format!("Select {name}")
            disabled=move || !live.get()
            prop:checked=move || pick.ticked.with(|t| t.is_ticked(id))
            // A click, by mouse or by Space, comes with the box already toggled and
            // with the state of the Shift key.
            on:click=move |ev| pick.click_row(id, event_target_checked(&ev), ev.shift_key())
        />
    }
}

/// Once a whole page is ticked: the offer to tick every contact of the list.
#[component]
fn SelectAllBanner(
    search: String,
    filter: Filter,
    smart_list: Option<SmartListRef>,
    total: i64,
    watermark: i64,
) -> impl IntoView {
    let Pick { ticked, page_ids, .. } = expect_context::<Pick>();
    let on_page = page_ids.with_value(Vec::len);
    let list = StoredValue::new((search, filter, smart_list));
    let select_all = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let (search, filter, smart_list) = list.get_value();
        ticked.set(Ticked::All { search, filter, smart_list, except: Default::default(), watermark, total });
    };
    let clear = move |_| ticked.set(Ticked::default());
    move || {
        let t = ticked.get();
        if let Ticked::All { total, .. } = &t {
            let text = if t.count() == *total {
                format!("All {} are selected.", plural(*total, "contact", "contacts"))
            } else {
                format!("{} of {total} contacts are selected.", t.count())
            };
            return Some(
                view! {
                    <div class="banner" role="region" aria-label="Selection">
                        <span>{text}</span>
                        <button type="button" class="link" on:click=clear>"Clear selection"</button>
                    </div>
                }
                .into_any(),
            );
        }
        let whole_page = page_ids.with_value(|ids| t.coverage(ids).0);
        whole_page.then(|| {
            view! {
                <div class="banner" role="region" aria-label="Selection">
                    <span>{format!("All {} on this page are selected.", plural(on_page as i64, "contact", "contacts"))}</span>
                    <a href="#" class="link" on:click=select_all>{format!("Select all {}", plural(total, "contact", "contacts"))}</a>
                </div>
            }
            .into_any()
        })
    }
}

/// A pager link; without a target it is shown, greyed, as plain text.
#[component]
fn PageLink(href: Option<String>, label: &'static str) -> impl IntoView {
    match href {
        Some(href) => view! { <a class="button" href=href>{label}</a> }.into_any(),
        None => view! { <span class="button disabled" aria-disabled="true">{label}</span> }.into_any(),
    }
}

#[component]
fn ContactTable(contacts: Vec<Contact>) -> impl IntoView {
    view! {
        <TableBox label="Contacts table">
            <table class="contacts">
                <thead>
                    <tr>
                        <th scope="col" class="check"><PageBox/></th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Phone"</th>
                        <th scope="col">"Tags"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Last activity"</th>
                    </tr>
                </thead>
                <tbody>
                    {contacts.into_iter().map(|c| view! { <ContactRow contact=c/> }).collect_view()}
                </tbody>
            </table>
        </TableBox>
    }
}

#[component]
fn ContactRow(contact: Contact) -> impl IntoView {
    let id = contact.id;
    let name = contact.display_name();
    let tags = contact.tag_list();
    let created = format_date(contact.created_at);
    let last_activity = contact.last_activity_at.map(format_date).unwrap_or_else(|| "Never".to_string());
    view! {
        <tr>
            <td class="check"><RowBox id name=name.clone()/></td>
            <th scope="row" class="name">
                {name}
                {contact.company.map(|c| view! { <span class="company">{c}</span> })}
            </th>
            <td class="email">{contact.email.unwrap_or_default()}</td>
            <td>{contact.phone.unwrap_or_default()}</td>
            <td class="tags">
                {tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}
            </td>
            <td>{created}</td>
            <td>{last_activity}</td>
        </tr>
    }
}
