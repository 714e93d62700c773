//! Team: the account's users, their role, and the "Bulk delete contacts" permission,
//! which an admin grants or takes back with one checkbox per user (an island).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::job_dialog::TypedNumber;
use super::live::use_live;
use super::table_box::TableBox;
use crate::api::{list_team, set_bulk_delete_permission, set_keep_deleted_days};
use crate::model::plural;
use crate::team::{Role, Team, TeamMember, BULK_DELETE_PERMISSION};

/// The last change's outcome: a confirmation or an error.
type Outcome = RwSignal<Option<Result<String, String>>>;

#[component]
pub fn TeamPage() -> impl IntoView {
    let team = Resource::new(|| (), |_| list_team());
    view! {
        <header class="page-header">
            <h1>"Team"</h1>
        </header>
        <p class="muted">
            "Admins may always bulk delete contacts. Users may once an admin grants them “"
            {BULK_DELETE_PERMISSION} "”."
        </p>
        <Transition fallback=|| view! { <p class="muted">"Loading the team…"</p> }>
            {move || Suspend::new(async move {
                match team.await {
                    Ok(team) => {
                        let (days, in_bin, can_manage) = (team.keep_deleted_days, team.in_bin, team.can_manage);
                        view! {
                            <TeamTable team/>
                            <section class="settings" aria-labelledby="recycle-bin-heading">
                                <h2 id="recycle-bin-heading">"Recycle Bin"</h2>
                                <KeepDeleted days in_bin can_manage/>
                            </section>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <p role="alert" class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The users with their permission checkboxes, and how the last change went.
#[component]
fn TeamTable(team: Team) -> impl IntoView {
    let can_manage = team.can_manage;
    view! {
        <TeamChanges>
            <TableBox label="Users">
                <table class="contacts team">
                    <caption class="visually-hidden">"Users of the account"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Role"</th>
                            <th scope="col">{BULK_DELETE_PERMISSION}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {team.members.into_iter().map(|member| view! { <MemberRow member can_manage/> }).collect_view()}
                    </tbody>
                </table>
            </TableBox>
            {(!can_manage).then(|| view! { <p class="muted">"Only an admin can change permissions."</p> })}
        </TeamChanges>
    }
}

/// What the permission checkboxes (islands inside it) share: how the last change went.
#[derive(Clone, Copy)]
struct Changes {
    outcome: Outcome,
}

/// The island around the team table: shows how the last change went.
#[island]
fn TeamChanges(children: Children) -> impl IntoView {
    let outcome: Outcome = RwSignal::new(None);
    provide_context(Changes { outcome });
    view! {
        {children()}
        <p role="status" class="notice">{move || outcome.get().and_then(Result::ok)}</p>
        <p role="alert" class="error">{move || outcome.get().and_then(Result::err)}</p>
    }
}

#[component]
fn MemberRow(member: TeamMember, can_manage: bool) -> impl IntoView {
    let permission = if member.role == Role::Admin {
        view! { <span>"Always (admin)"</span> }.into_any()
    } else {
        view! { <Grant id=member.id name=member.name.clone() granted=member.granted_bulk_delete can_manage/> }
            .into_any()
    };
    view! {
        <tr>
            <th scope="row" id=member_cell(member.id)>{member.name}</th>
            <td>{member.email}</td>
            <td>{member.role.label()}</td>
            <td>{permission}</td>
        </tr>
    }
}

/// The account's "Keep deleted contacts for N days" setting (admins change it).
#[island]
fn KeepDeleted(days: i64, in_bin: i64, can_manage: bool) -> impl IntoView {
    let live = use_live();
    let typed = RwSignal::new(days.to_string());
    let confirmation = RwSignal::new(String::new());
    // Going to 0 deletes what waits in the bin: its number must be typed.
    let emptying = move || in_bin > 0 && typed.with(|t| t.trim() == "0");
    let outcome: Outcome = RwSignal::new(None);
    let saving = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(days) = typed.get_untracked().trim().parse::<i64>() else {
            outcome.set(Some(Err("Type a whole number of days, from 0 to 365.".into())));
            return;
        };
        saving.set(true);
        let typed_confirmation = emptying().then(|| confirmation.get_untracked());
        spawn_local(async move {
            let result = set_keep_deleted_days(days, typed_confirmation).await;
            saving.set(false);
            outcome.set(Some(match result {
                Ok(0) if in_bin > 0 => Ok(format!(
                    "Deletes are permanent from now on; the {} in the Recycle Bin are being deleted permanently.",
                    plural(in_bin, "contact", "contacts")
                )),
                Ok(0) => Ok("Deletes are permanent from now on.".into()),
                Ok(1) => Ok("Deleted contacts are kept for 1 day.".into()),
                Ok(n) => Ok(format!("Deleted contacts are kept for {n} days.")),
                Err(e) => Err(e.to_string()),
            }));
        });
    };
    view! {
        // The server checks the number (and says why it refuses one), not the browser.
        <form class="keep-deleted" novalidate on:submit=save>
            <label>
                "Keep deleted contacts for "
                <input
                    type="number"
                    min="0"
                    max="365"
                    step="1"
                    inputmode="numeric"
                    value=days
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                    disabled=move || !can_manage || !live.get()
                />
                " days"
            </label>
            <Show when=emptying>
                <TypedNumber id="keep-deleted-typed" number=in_bin typed=confirmation/>
                <p class="warning">
                    {format!("The {} in the Recycle Bin will be deleted permanently.", plural(in_bin, "contact", "contacts"))}
                </p>
            </Show>
            <button type="submit" class="button" disabled=move || !can_manage || saving.get() || !live.get()>
                "Save"
            </button>
        </form>
        <p class="muted">
            {if can_manage {
                "0 means a delete is permanent. Until then, a delete can be restored from Bulk Actions."
            } else {
                "Only an admin can change how long deleted contacts are kept."
            }}
        </p>
        <p role="status" class="notice">{move || outcome.get().and_then(Result::ok)}</p>
        <p role="alert" class="error">{move || outcome.get().and_then(Result::err)}</p>
    }
}

/// The id of the cell naming a member: it describes the checkbox on the member's row
/// (whose name is the permission's), so a screen reader says whose it is.
fn member_cell(id: i64) -> String {
    format!("member-{id}")
}

/// A user's "Bulk delete contacts" checkbox: saved as soon as it changes.
#[island]
fn Grant(id: i64, name: String, granted: bool, can_manage: bool) -> impl IntoView {
    let Changes { outcome } = expect_context::<Changes>();
    // Its own: the island around it may have come alive before this one hydrates.
    let live = use_live();
    // The attribute shows the state before the wasm; the property follows changes.
    let initially = granted;
    let granted = RwSignal::new(granted);
    let saving = RwSignal::new(false);
    let toggle = move |ev: leptos::ev::Event| {
        let want = event_target_checked(&ev);
        let name = name.clone();
        granted.set(want);
        saving.set(true);
        spawn_local(async move {
            let result = set_bulk_delete_permission(id, want).await;
            saving.set(false);
            match result {
                Ok(saved) => {
                    granted.set(saved.granted_bulk_delete);
                    let now = if saved.granted_bulk_delete { "may now" } else { "may no longer" };
                    outcome.set(Some(Ok(format!("{name} {now} bulk delete contacts."))));
                }
                Err(e) => {
                    granted.set(!want);
                    outcome.set(Some(Err(e.to_string())));
                }
            }
        });
    };
    view! {
        <input
            type="checkbox"
            aria-label=BULK_DELETE_PERMISSION
            aria-describedby=member_cell(id)
            checked=initially
            prop:checked=move || granted.get()
            disabled=move || !can_manage || saving.get() || !live.get()
            on:change=toggle
        />
    }
}
