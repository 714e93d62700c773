//! Who is asking (server only): sign-in with email and password, sessions in the
//! database, and the checks every server function makes on the signed-in user.

pub mod gate;
pub mod origin;
pub mod password;
pub mod sessions;
pub mod throttle;

use std::net::IpAddr;

use axum_login::{AuthManagerLayer, AuthManagerLayerBuilder, AuthUser, AuthnBackend};

use crate::db::users::{self, User};
use crate::db::{now, Db};
use crate::error::AppError;
use crate::team::{Role, NO_BULK_DELETE_REASON};
use sessions::Sessions;

/// The signed-in user (if any) of a request, and the means to sign in and out.
pub type Auth = axum_login::AuthSession<Backend>;

/// The one answer to a failed sign-in, whatever was wrong.
pub const WRONG_CREDENTIALS: &str = "The email or password is not right.";

impl AuthUser for User {
    type Id = i64;

    fn id(&self) -> i64 {
        self.id
    }

    /// Sessions are bound to the password: changing it signs the user out everywhere.
    fn session_auth_hash(&self) -> &[u8] {
        self.password_hash.as_bytes()
    }
}

impl User {
    /// The server's check before a bulk delete (or its preview): 403 without the permission.
    pub fn require_bulk_delete(&self) -> Result<(), AppError> {
        if self.may_bulk_delete() {
            Ok(())
        } else {
            Err(AppError::Forbidden(NO_BULK_DELETE_REASON.into()))
        }
    }

    pub fn require_admin(&self, to_do: &str) -> Result<(), AppError> {
        if self.role() == Role::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("Only an admin can {to_do}.")))
        }
    }

    /// Whose bulk actions the history shows this user: everyone's for an admin.
    pub fn history_filter(&self) -> Option<i64> {
        (self.role() != Role::Admin).then_some(self.id)
    }

    /// Whose deletes this user may restore: any of the account's for an admin, their
    /// own for a user with the bulk-delete permission; 403 otherwise.
    pub fn restore_scope(&self) -> Result<Option<i64>, AppError> {
        if self.role() != Role::Admin {
            self.require_bulk_delete()?;
        }
        Ok(self.history_filter())
    }
}

pub struct Credentials {
    pub email: String,
    pub password: String,
    /// The client's address, for slowing down repeated failures.
    pub address: Option<IpAddr>,
}

#[derive(Clone, Debug)]
pub struct Backend {
    db: Db,
}

impl AuthnBackend for Backend {
    type User = User;
    type Credentials = Credentials;
    type Error = AppError;

    /// `Ok(None)` for a wrong email or password, which take the same time;
    /// `Err(TooManyRequests)` while earlier failures must be waited out.
    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, AppError> {
        let email = users::normalize_email(&creds.email);
        let keys = throttle::Keys::new(&email, creds.address);
        throttle::claim(&self.db, &keys, now()).await?;
        let user = users::by_email(&self.db, &email).await?;
        let matches = password::verify(user.as_ref().map(|u| u.password_hash.clone()), creds.password).await;
        match user {
            Some(user) if matches => {
                throttle::succeeded(&self.db, &keys).await?;
                Ok(Some(user))
            }
            _ => Ok(None),
        }
    }

    async fn get_user(&self, id: &i64) -> Result<Option<User>, AppError> {
        users::by_id(&self.db, *id).await
    }
}

/// How sessions behave.
#[derive(Clone, Copy, Debug)]
pub struct SessionSettings {
    /// Mark the cookie Secure (the app is reached over https, e.g. behind a proxy).
    pub secure_cookie: bool,
    /// A session ends after this long without a request.
    pub idle: std::time::Duration,
}

/// The layer that gives every request its session and signed-in user.
pub async fn layer(db: &Db, settings: SessionSettings) -> Result<AuthManagerLayer<Backend, Sessions>, AppError> {
    // Computed now, so that the first unknown email costs no more than any other.
    tokio::task::spawn_blocking(password::warm_up).await.map_err(AppError::internal)?;
    let sessions = Sessions::open(db).await?;
    sessions.clone().spawn_cleanup(std::time::Duration::from_secs(600));
    let idle = time::Duration::try_from(settings.idle).map_err(AppError::internal)?;
    Ok(AuthManagerLayerBuilder::new(Backend { db: db.clone() }, sessions.layer(settings.secure_cookie, idle)).build())
}
