//! The bulk-action toolbar: slides in above the table once something is ticked, says how
//! many, and holds the bulk actions menu (a native popover: light dismiss for free).

use leptos::prelude::*;

use super::selection::Ticked;
use crate::team::NO_BULK_DELETE_REASON;

const MENU_ID: &str = "bulk-actions-menu";
const NO_DELETE_ID: &str = "delete-not-allowed";

#[component]
pub fn BulkToolbar(
    ticked: RwSignal<Ticked>,
    confirming: RwSignal<bool>,
    notice: RwSignal<Option<String>>,
    // The server refuses a delete without the permission whatever this shows.
    may_delete: bool,
) -> impl IntoView {
    let count = move || ticked.with(|t| t.count());
    let may_delete = move || may_delete;
    view! {
        <Show when=move || { count() > 0 }>
            <div role="toolbar" aria-label="Bulk actions" class="bulk-toolbar">
                <span class="selected-count">{move || format!("{} selected", count())}</span>
                <button type="button" class="button" popovertarget=MENU_ID aria-haspopup="menu">
                    "Bulk actions"
                    <span aria-hidden="true">" ▾"</span>
                </button>
                <a class="history-link" href="/bulk-actions">"History"</a>
                <div id=MENU_ID popover="auto" role="menu" aria-label="Bulk actions" class="menu">
                    <button
                        type="button"
                        role="menuitem"
                        class="menu-item"
                        popovertarget=MENU_ID
                        popovertargetaction="hide"
                        on:click=move |_| {
                            if let Some(selection) = ticked.with_untracked(Ticked::selection) {
                                super::export::download(selection, move |why| notice.set(Some(why)));
                            }
                        }
                    >
                        <Icon path=DOWNLOAD/>
                        "Export"
                    </button>
                    <button
                        type="button"
                        role="menuitem"
                        class="menu-item danger"
                        popovertarget=MENU_ID
                        popovertargetaction="hide"
                        aria-disabled=move || (!may_delete()).then_some("true")
                        aria-describedby=move || (!may_delete()).then_some(NO_DELETE_ID)
                        on:click=move |_| {
                            if may_delete() {
                                confirming.set(true);
                            }
                        }
                    >
                        <Icon path=TRASH/>
                        "Delete"
                    </button>
                    <Show when=move || !may_delete()>
                        <p id=NO_DELETE_ID class="menu-note">{NO_BULK_DELETE_REASON}</p>
                    </Show>
                </div>
            </div>
        </Show>
    }
}

/// Drawings of the bulk actions (24×24 paths), decorative: the text beside names them.
pub const DOWNLOAD: &str = "M11 3h2v9.6l3.3-3.3 1.4 1.4L12 16.4l-5.7-5.7 1.4-1.4 3.3 3.3V3zM4 18h16v2H4v-2z";
pub const TRASH: &str = "M9 3h6l1 2h4v2H4V5h4l1-2zM6 9h12l-1 12H7L6 9zm4 2v8h1.5v-8H10zm2.5 0v8H14v-8h-1.5z";

#[component]
pub fn Icon(path: &'static str) -> impl IntoView {
    view! {
        <svg class="icon" aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="currentColor">
            <path d=path/>
        </svg>
    }
}
