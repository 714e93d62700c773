//! CRM > Contacts: the account's contacts, 50 a page, searchable. The URL carries the
//! search and the page position, so reload, back and shared links show the same page.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::list_contacts;
use crate::model::{format_date, Contact, ContactPage, ListQuery};

/// The list's URL for a search and an optional page position.
fn list_href(search: &str, position: Option<(&str, &str)>) -> String {
    let mut params = Vec::new();
    if !search.is_empty() {
        params.push(format!("q={}", urlencoding::encode(search)));
    }
    if let Some((name, cursor)) = position {
        params.push(format!("{name}={}", urlencoding::encode(cursor)));
    }
    if params.is_empty() {
        "/contacts".to_string()
    } else {
        format!("/contacts?{}", params.join("&"))
    }
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| ListQuery {
            search: q.get("q").unwrap_or_default(),
            after: q.get("after").filter(|c| !c.is_empty()),
            before: q.get("before").filter(|c| !c.is_empty()),
        })
    });
    let page = Resource::new(move || query.get(), list_contacts);
    let search = move || query.with(|q| q.search.clone());

    view! {
        <header class="page-header">
            <h1>"Contacts"</h1>
            <Form action="/contacts" method="get">
                <div class="search" role="search">
                    <input
                        type="search"
                        name="q"
                        aria-label="Search contacts"
                        placeholder="Search by name, email or phone"
                        prop:value=search
                        value=search
                    />
                    <button type="submit" class="button">"Search"</button>
                </div>
            </Form>
        </header>
        <Transition fallback=|| view! { <p class="muted">"Loading contacts…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <ContactList page search=query.get_untracked().search/> }.into_any(),
                    Err(e) => view! { <p role="alert" class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ContactList(page: ContactPage, search: String) -> impl IntoView {
    let ContactPage { contacts, total, offset, next, prev } = page;
    let summary = if contacts.is_empty() {
        format!("No contacts on this page of {total}")
    } else {
        format!("Showing {}–{} of {total} contacts", offset + 1, offset + contacts.len() as i64)
    };
    let prev_href = prev.map(|c| list_href(&search, Some(("before", &c))));
    let next_href = next.map(|c| list_href(&search, Some(("after", &c))));
    let empty = contacts.is_empty().then(|| {
        let text = if search.trim().is_empty() {
            "There are no contacts here yet.".to_string()
        } else {
            format!("No contacts match “{}”.", search.trim())
        };
        view! { <p class="empty" role="status">{text}</p> }
    });
    let table = (!contacts.is_empty()).then(|| view! { <ContactTable contacts/> });
    view! {
        {empty}
        {table}
        <nav class="pager" aria-label="Pagination">
            <span class="range" role="status">{summary}</span>
            <PageLink href=prev_href label="Previous"/>
            <PageLink href=next_href label="Next"/>
        </nav>
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
        <div class="table-wrap">
            <table class="contacts">
                <thead>
                    <tr>
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
        </div>
    }
}

#[component]
fn ContactRow(contact: Contact) -> impl IntoView {
    let name = contact.display_name();
    let tags = contact.tag_list();
    let created = format_date(contact.created_at);
    let last_activity = contact.last_activity_at.map(format_date).unwrap_or_else(|| "Never".to_string());
    view! {
        <tr>
            <th scope="row" class="name">
                {name}
                {contact.company.clone().map(|c| view! { <span class="company">{c}</span> })}
            </th>
            <td class="email">{contact.email.clone().unwrap_or_default()}</td>
            <td>{contact.phone.clone().unwrap_or_default()}</td>
            <td class="tags">
                {tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}
            </td>
            <td>{created}</td>
            <td>{last_activity}</td>
        </tr>
    }
}
