//! Server functions of signing in and out, the signed-in user, and the Team page.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::context;
use crate::error::AppError;
use crate::team::{Team, TeamMember, Viewer};

/// Signs in and goes to the contacts. A wrong email and a wrong password get the
/// same answer after the same time; repeated failures must wait (429).
#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::auth::{gate, Credentials, WRONG_CREDENTIALS};
    use axum_login::AuthnBackend;
    context::answer(async {
        let mut auth = context::auth().await?;
        let address = context::client_address().await;
        let user = auth
            .backend
            .authenticate(Credentials { email, password, address })
            .await?
            .ok_or_else(|| AppError::Unauthorized(WRONG_CREDENTIALS.into()))?;
        // A new session id at every sign-in (also over an existing session): an id
        // known before signing in is worth nothing after.
        auth.session.cycle_id().await.map_err(AppError::internal)?;
        auth.login(&user).await.map_err(AppError::internal)?;
        leptos_axum::redirect(gate::HOME);
        Ok(())
    })
    .await
}

/// Ends the session and goes to the sign-in page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::auth::gate;
    context::answer(async {
        let mut auth = context::auth().await?;
        auth.logout().await.map_err(AppError::internal)?;
        leptos_axum::redirect(gate::SIGN_IN_PAGE);
        Ok(())
    })
    .await
}

/// Who is signed in.
#[server(endpoint = "viewer", input = Json)]
pub async fn who_am_i() -> Result<Viewer, AppError> {
    context::as_caller(|_, user| async move { Ok(user.viewer()) }).await
}

/// The account's users, their role and permission.
#[server(endpoint = "team", input = Json)]
pub async fn list_team() -> Result<Team, AppError> {
    use crate::db::{accounts, recycle_bin, users};
    use crate::team::Role;
    context::as_caller(|db, user| async move {
        Ok(Team {
            members: users::team(&db, user.account_id).await?,
            can_manage: user.role() == Role::Admin,
            keep_deleted_days: accounts::keep_deleted_days(&db, user.account_id).await?,
            in_bin: recycle_bin::contacts_in_bin(&db, user.account_id).await?,
        })
    })
    .await
}

/// Grants (or takes back) a user's "Bulk delete contacts" permission. Admins only.
#[server(endpoint = "set_bulk_delete_permission", input = Json)]
pub async fn set_bulk_delete_permission(user_id: i64, granted: bool) -> Result<TeamMember, AppError> {
    use crate::db::users;
    context::as_caller(|db, user| async move {
        user.require_admin("change permissions")?;
        users::set_bulk_delete(&db, user.account_id, user_id, granted).await
    })
    .await
}
