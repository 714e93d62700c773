//! Export of a selection: the browser posts it to `/export` as a plain form, and the
//! server's answer (a CSV attachment) becomes a download; the page stays as it is.

use crate::api::check_export;
use crate::model::Selection;

/// Where the server streams the CSV from.
pub const EXPORT_PATH: &str = "/export";

/// Starts the download of `selection` as CSV once the server agrees to it; otherwise
/// hands the reason to `refused`.
pub fn download(selection: Selection, refused: impl Fn(String) + 'static) {
    leptos::task::spawn_local(async move {
        match check_export(selection.clone()).await {
            Ok(_) => submit(&selection),
            Err(e) => refused(format!("The export did not start: {e}")),
        }
    });
}

fn submit(selection: &Selection) {
    use wasm_bindgen::JsCast;
    let Ok(json) = serde_json::to_string(selection) else { return };
    let document = leptos::prelude::document();
    let (Ok(form), Ok(input)) = (document.create_element("form"), document.create_element("input")) else { return };
    let (Ok(form), Ok(input)) =
        (form.dyn_into::<web_sys::HtmlFormElement>(), input.dyn_into::<web_sys::HtmlInputElement>())
    else {
        return;
    };
    form.set_method("post");
    form.set_action(EXPORT_PATH);
    form.set_hidden(true);
    input.set_type("hidden");
    input.set_name("selection");
    input.set_value(&json);
    let _ = form.append_child(&input);
    if let Some(body) = document.body() {
        let _ = body.append_child(&form);
        let _ = form.submit();
        form.remove();
    }
}
