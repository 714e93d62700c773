//! The sign-in page: the one page reachable without a session.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::task::spawn_local;
use leptos_meta::Title;

use super::live::Hydrated;
use crate::api::{login, Login};

#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <Title text="Sign in · CRM"/>
        <main class="sign-in">
            <div class="sign-in-card">
                <p class="brand">"CRM"</p>
                <h1>"Sign in"</h1>
                <LoginForm/>
            </div>
        </main>
        <Hydrated/>
    }
}

/// The sign-in form. Before the wasm (or without it) it is a plain form post; once
/// hydrated it signs in without leaving the page, shows a refusal in place, and follows
/// the server's redirect to the contacts when signed in.
#[island]
fn LoginForm() -> impl IntoView {
    let email = NodeRef::<leptos::html::Input>::new();
    let password = NodeRef::<leptos::html::Input>::new();
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let action = <Login as ServerFn>::url();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(email), Some(password)) = (email.get_untracked(), password.get_untracked()) else { return };
        pending.set(true);
        spawn_local(async move {
            let result = login(email.value(), password.value()).await;
            pending.set(false);
            error.set(result.err().map(|e| e.to_string()));
        });
    };
    view! {
        <form method="post" action=action aria-label="Sign in" on:submit=submit>
            <label class="field">
                <span>"Email"</span>
                <input type="email" name="email" autocomplete="username" required node_ref=email/>
            </label>
            <label class="field">
                <span>"Password"</span>
                <input type="password" name="password" autocomplete="current-password" required node_ref=password/>
            </label>
            <p role="alert" class="error">{move || error.get()}</p>
            <button type="submit" class="button primary" disabled=move || pending.get()>
                {move || if pending.get() { "Signing in…" } else { "Sign in" }}
            </button>
        </form>
    }
}
