//! The HTML document and the app's routes (every page but sign-in inside the frame).
//! Pages are rendered on the server only; their interactive parts are islands.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::pages::contacts::ContactsPage;
use crate::pages::frame::Frame;
use crate::pages::history::BulkActionsPage;
use crate::pages::login::LoginPage;
use crate::pages::recycle_bin::RecycleBinPage;
use crate::pages::team::TeamPage;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy: scripts only from the app (the inline hydration
/// script carries this response's nonce) and the wasm compiled from them; styles,
/// requests and forms to the app only; and no framing by any site, so that the delete
/// dialog cannot be clicked through from a page that frames it. Without a nonce (the
/// server was built without Leptos's `nonce` feature) no policy is sent.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use axum::http::{header, HeaderValue};
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
         base-uri 'none'; object-src 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/crm.css"/>
        <Title text="Contacts · CRM"/>
        <Router>
            <Routes fallback=|| view! { <Frame><p role="alert">"This page does not exist."</p></Frame> }>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/") view=|| view! { <Redirect path="/contacts"/> }/>
                <Route path=path!("/contacts") view=|| view! { <Frame><ContactsPage/></Frame> } ssr=SsrMode::Async/>
                <Route path=path!("/bulk-actions") view=|| view! { <Title text="Bulk Actions · CRM"/><Frame><BulkActionsPage/></Frame> } ssr=SsrMode::Async/>
                <Route path=path!("/recycle-bin") view=|| view! { <Title text="Recycle Bin · CRM"/><Frame><RecycleBinPage/></Frame> } ssr=SsrMode::Async/>
                <Route path=path!("/team") view=|| view! { <Title text="Team · CRM"/><Frame><TeamPage/></Frame> } ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
