//! Password hashes: Argon2id with the crate's default cost, stored as PHC strings.

use std::sync::LazyLock;

use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use rand::RngCore;

use crate::error::AppError;

/// The shortest password a new user may be given.
pub const MIN_PASSWORD_CHARS: usize = 8;

pub fn hash(password: &str) -> Result<String, AppError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::bad_request(format!("A password needs at least {MIN_PASSWORD_CHARS} characters.")));
    }
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(AppError::internal)?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(AppError::internal)
}

/// Checked when there is no usable hash (an unknown email, a user without a password),
/// so that such a sign-in costs as much time as a wrong password.
static STAND_IN: LazyLock<String> =
    LazyLock::new(|| hash("stand-in for a missing password").expect("hashing a constant cannot fail"));

/// Computes the stand-in hash ahead of the first sign-in.
pub fn warm_up() {
    LazyLock::force(&STAND_IN);
}

/// Whether `password` matches `phc`. Without a readable hash the password is checked
/// against a stand-in, and the answer is no: the same work, the same time.
pub async fn verify(phc: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let real = phc.as_deref().and_then(|p| PasswordHash::new(p).ok());
        let stand_in = PasswordHash::new(&STAND_IN).expect("the stand-in hash is a valid PHC string");
        let matches =
            Argon2::default().verify_password(password.as_bytes(), real.as_ref().unwrap_or(&stand_in)).is_ok();
        matches && real.is_some()
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse").unwrap();
        assert!(verify(Some(phc.clone()), "correct horse".into()).await);
        assert!(!verify(Some(phc), "correct hors".into()).await);
        assert!(!verify(None, "stand-in for a missing password".into()).await);
        assert!(!verify(Some(String::new()), "".into()).await);
        assert!(hash("short").is_err());
    }
}
