//! The box a table scrolls in when it is wider or longer than the screen.

use leptos::prelude::*;

/// A named region that takes keyboard focus, so that a keyboard user can scroll it with
/// the arrow keys even where the table holds nothing focusable (the history).
#[component]
pub fn TableBox(label: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap" role="region" aria-label=label tabindex="0">
            {children()}
        </div>
    }
}
