//! The frame of every signed-in page: the navigation, who is signed in, and Sign out.
//! It also shares the signed-in user with the page inside it.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;

use super::live::Hydrated;
use crate::api::{who_am_i, Logout};
use crate::error::AppError;
use crate::team::Viewer;

/// The signed-in user, loaded once per page by the frame.
#[derive(Clone, Copy)]
pub struct SignedIn(pub Resource<Result<Viewer, AppError>>);

impl SignedIn {
    pub fn get() -> Option<SignedIn> {
        use_context::<SignedIn>()
    }
}

#[component]
pub fn Frame(children: Children) -> impl IntoView {
    let viewer = Resource::new(|| (), |_| who_am_i());
    provide_context(SignedIn(viewer));
    let logout_url = <Logout as ServerFn>::url();
    view! {
        <div class="layout">
            <nav class="sidebar" aria-label="Main">
                <span class="brand">"CRM"</span>
                <ul>
                    <li><A href="/contacts">"Contacts"</A></li>
                    <li><A href="/bulk-actions">"Bulk Actions"</A></li>
                    <li><A href="/recycle-bin">"Recycle Bin"</A></li>
                    <li><A href="/team">"Team"</A></li>
                </ul>
                <div class="signed-in">
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            viewer.await.ok().map(|v| view! {
                                <p class="who">
                                    <span class="visually-hidden">"Signed in as "</span>
                                    <strong>{v.name}</strong>
                                    <span class="muted">{format!("{} · {}", v.role.label(), v.account)}</span>
                                </p>
                            })
                        })}
                    </Transition>
                    // A plain form: the server signs out and answers with a redirect.
                    <form method="post" action=logout_url>
                        <button type="submit" class="button subtle">"Sign out"</button>
                    </form>
                </div>
            </nav>
            <main class="main">{children()}</main>
        </div>
        <Hydrated/>
    }
}
