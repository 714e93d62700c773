//! Hydration in islands mode: the page arrives as server-rendered HTML and its islands
//! come alive one by one, in document order, once the wasm has loaded.

use leptos::prelude::*;

/// True once the island calling it is hydrated (effects run only in the browser). Its
/// controls are disabled until then, so a click that comes before the wasm waits for
/// it instead of changing a checkbox no code is listening to. Each island needs its own:
/// an island inside another may hydrate after the outer one's effects ran, and
/// hydration does not touch an attribute the server already wrote.
pub fn use_live() -> ReadSignal<bool> {
    let (live, set_live) = signal(false);
    Effect::new(move |_| set_live.set(true));
    live
}

/// The last island of every page: marks the body as hydrated (`data-hydrated="true"`)
/// once every island before it is.
#[island]
pub fn Hydrated() -> impl IntoView {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
