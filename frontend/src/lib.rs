//! The browser side: hydrates the interactive parts (islands) of the server-rendered page.

// The islands' hydration entry points live in `app`; using the crate keeps wasm-bindgen
// exporting them from this one.
pub use app::shell;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // A server function that answers with a redirect (sign-in) leads the whole page there:
    // there is no client-side router to do it.
    let _ = leptos::server_fn::redirect::set_redirect_hook(|to| {
        let _ = leptos::prelude::window().location().set_href(to);
    });
    leptos::mount::hydrate_islands();
}
