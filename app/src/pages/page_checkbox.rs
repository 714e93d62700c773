//! The header checkbox of a page of rows: ticks or unticks every row of the page, and
//! shows a partly ticked page as indeterminate.

use leptos::prelude::*;

#[component]
pub fn PageCheckbox(
    /// Whether all, and whether any, of the page's rows are ticked.
    #[prop(into)]
    coverage: Signal<(bool, bool)>,
    #[prop(into)] disabled: Signal<bool>,
    /// Ticks (`true`) or unticks every row of the page.
    on_change: Callback<bool>,
) -> impl IntoView {
    view! {
        <input
            type="checkbox"
            aria-label="Select all on this page"
            disabled=move || disabled.get()
            prop:checked=move || coverage.get().0
            prop:indeterminate=move || {
                let (all, some) = coverage.get();
                some && !all
            }
            on:change=move |_| on_change.run(!coverage.get_untracked().0)
        />
    }
}
