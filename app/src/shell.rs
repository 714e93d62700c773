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
use crate::pages::team::TeamPage;

pub fn shell(options: LeptosOptions) -> impl IntoView {
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
                <Route path=path!("/bulk-actions") view=|| view! { <Frame><BulkActionsPage/></Frame> } ssr=SsrMode::Async/>
                <Route path=path!("/team") view=|| view! { <Frame><TeamPage/></Frame> } ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
