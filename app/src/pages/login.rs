//! The sign-in page: the one page reachable without a session.

use leptos::prelude::*;
use leptos_meta::Title;

use super::live::Hydrated;
use crate::api::Login;

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

/// The sign-in form. Signed in, the server's redirect leads to the contacts.
#[island]
fn LoginForm() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || login.value().get().and_then(Result::err).map(|e| e.to_string());
    let pending = login.pending();
    view! {
        <ActionForm action=login attr:aria-label="Sign in">
            <label class="field">
                <span>"Email"</span>
                <input type="email" name="email" autocomplete="username" required/>
            </label>
            <label class="field">
                <span>"Password"</span>
                <input type="password" name="password" autocomplete="current-password" required/>
            </label>
            <p role="alert" class="error">{error}</p>
            <button type="submit" class="button primary" disabled=pending>
                {move || if pending.get() { "Signing in…" } else { "Sign in" }}
            </button>
        </ActionForm>
    }
}
