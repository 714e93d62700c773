//! The HTML document, the app's frame (navigation) and its routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Redirect, Route, Router, Routes, A};
use leptos_router::{path, SsrMode};

use crate::pages::contacts::ContactsPage;
use crate::pages::history::BulkActionsPage;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser: this marks the page as hydrated (interactive).
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/crm.css"/>
        <Title text="Contacts · CRM"/>
        <Router>
            <div class="layout">
                <nav class="sidebar" aria-label="Main">
                    <span class="brand">"CRM"</span>
                    <ul>
                        <li><A href="/contacts">"Contacts"</A></li>
                        <li><A href="/bulk-actions">"Bulk Actions"</A></li>
                    </ul>
                </nav>
                <main class="main">
                    <Routes fallback=|| view! { <p role="alert">"This page does not exist."</p> }>
                        <Route path=path!("/") view=|| view! { <Redirect path="/contacts"/> }/>
                        <Route path=path!("/contacts") view=ContactsPage ssr=SsrMode::Async/>
                        <Route path=path!("/bulk-actions") view=BulkActionsPage ssr=SsrMode::Async/>
                    </Routes>
                </main>
            </div>
        </Router>
    }
}
