//! The contacts list's filters: a plain GET form (so the URL carries the filter, and
//! it works without JavaScript) and the active filters as removable chips.

use leptos::prelude::*;

use crate::dates::Day;
use crate::filter::{param, DuplicateKey, Filter, MAX_INACTIVE_DAYS, MAX_LIST_CHARS};

/// The list's URL for a search, a filter, the Smart List they come from, and an
/// optional page position.
pub fn list_href(search: &str, filter: &Filter, smart_list: Option<i64>, position: Option<(&str, &str)>) -> String {
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(id) = smart_list {
        params.push((param::SMART_LIST, id.to_string()));
    }
    if !search.is_empty() {
        params.push((param::SEARCH, search.to_string()));
    }
    params.extend(filter.to_query());
    if let Some((name, cursor)) = position {
        params.push((name, cursor.to_string()));
    }
    if params.is_empty() {
        return "/contacts".to_string();
    }
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", urlencoding::encode(v))).collect();
    format!("/contacts?{}", query.join("&"))
}

/// Hidden fields that carry the filter through another form (the search).
#[component]
pub fn FilterFields(filter: Filter) -> impl IntoView {
    filter
        .to_query()
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
        .collect_view()
}

/// The active filters, each removable; and "Clear filters".
#[component]
pub fn FilterChips(search: String, filter: Filter) -> impl IntoView {
    let chips = filter.chips();
    (!chips.is_empty()).then(|| {
        let clear = list_href(&search, &Filter::default(), None, None);
        view! {
            <div class="chips">
                <ul aria-label="Active filters">
                    {chips
                        .into_iter()
                        .map(|chip| {
                            let href = list_href(&search, &chip.without, None, None);
                            let remove = format!("Remove filter: {}", chip.label);
                            view! {
                                <li class="chip">
                                    <span>{chip.label}</span>
                                    <a href=href aria-label=remove.clone() title=remove>"×"</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <a href=clear class="link">"Clear filters"</a>
            </div>
        }
    })
}

fn yes_no_value(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// A yes/no/either choice as a select.
#[component]
fn YesNo(
    name: &'static str,
    label: &'static str,
    yes: &'static str,
    no: &'static str,
    value: Option<bool>,
) -> impl IntoView {
    let current = yes_no_value(value);
    view! {
        <label class="field">
            <span>{label}</span>
            <select name=name>
                <option value="" selected=current.is_empty()>"Any"</option>
                <option value="yes" selected=current == "yes">{yes}</option>
                <option value="no" selected=current == "no">{no}</option>
            </select>
        </label>
    }
}

/// The filter form, in a disclosure that opens by itself when a filter is active.
#[component]
pub fn FilterPanel(search: String, filter: Filter, smart_list: Option<i64>) -> impl IntoView {
    let joined = |v: &[String]| v.join(", ");
    let dup = filter.duplicates;
    let active = !filter.is_empty();
    let day = |d: Option<Day>| d.map(|d| d.to_string()).unwrap_or_default();
    let (created_from, created_before) = (day(filter.created_from), day(filter.created_before));
    let inactive = filter.inactive_days.map(|d| d.to_string()).unwrap_or_default();
    view! {
        <details class="filters" open=active>
            <summary>"Filters"</summary>
            <form action="/contacts" method="get">
                <div class="filter-grid" role="group" aria-label="Filters">
                    <input type="hidden" name=param::SEARCH value=search/>
                    {smart_list.map(|id| view! { <input type="hidden" name=param::SMART_LIST value=id/> })}
                    <label class="field">
                        <span>"Tag is"</span>
                        <input type="text" name=param::TAG maxlength=MAX_LIST_CHARS value=joined(&filter.tags) placeholder="lead, vip"/>
                    </label>
                    <label class="field">
                        <span>"Tag is not"</span>
                        <input type="text" name=param::NOT_TAG maxlength=MAX_LIST_CHARS value=joined(&filter.not_tags)/>
                    </label>
                    <label class="field">
                        <span>"Source"</span>
                        <input type="text" name=param::SOURCE maxlength=MAX_LIST_CHARS value=joined(&filter.sources) placeholder="Referral"/>
                    </label>
                    <label class="field">
                        <span>"Created on or after"</span>
                        <input type="date" name=param::CREATED_FROM value=created_from/>
                    </label>
                    <label class="field">
                        <span>"Created before"</span>
                        <input type="date" name=param::CREATED_BEFORE value=created_before/>
                    </label>
                    <label class="field">
                        <span>"Last activity older than (days)"</span>
                        <input
                            type="number"
                            name=param::INACTIVE
                            min="1"
                            max=MAX_INACTIVE_DAYS
                            value=inactive
                        />
                    </label>
                    <label class="check-field">
                        <input type="checkbox" name=param::NEVER_ACTIVE value="yes" checked=filter.never_active/>
                        <span>"Never active"</span>
                    </label>
                    <YesNo name=param::HAS_EMAIL label="Email" yes="Has email" no="No email" value=filter.has_email/>
                    <YesNo name=param::HAS_PHONE label="Phone" yes="Has phone" no="No phone" value=filter.has_phone/>
                    <label class="field">
                        <span>"Duplicates"</span>
                        <select name=param::DUPLICATES>
                            <option value="" selected=dup.is_none()>"Any contact"</option>
                            {DuplicateKey::ALL
                                .into_iter()
                                .map(|k| {
                                    let text = format!("Duplicates: {}", k.label());
                                    view! { <option value=k.as_str() selected=dup.is_some_and(|d| d.by == k)>{text}</option> }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label class="check-field">
                        <input type="checkbox" name=param::KEEP_OLDEST value="yes" checked=dup.is_some_and(|d| d.all_but_oldest)/>
                        <span>"All but the oldest of each group"</span>
                    </label>
                </div>
                <button type="submit" class="button">"Apply filters"</button>
            </form>
        </details>
    }
}
