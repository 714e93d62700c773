//! Keyset cursors of the contacts list. The list is ordered newest first by
//! (created_at, id); a cursor is the key of a page's edge row, written "created_at.id".
//! A cursor is a position, not a page of one particular search: applied to another
//! search it yields that search's rows past the same position.

use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cursor {
    pub created_at: i64,
    pub id: i64,
}

impl Cursor {
    /// The key of `contact`'s place in the list.
    pub fn of(contact: &crate::model::Contact) -> Cursor {
        Cursor { created_at: contact.created_at, id: contact.id }
    }

    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }

    pub fn decode(text: &str) -> Result<Cursor, AppError> {
        let invalid = || {
            AppError::bad_request(
                "This page link is not valid (its page position is malformed). Go back to the first page.",
            )
        };
        let (created_at, id) = text.split_once('.').ok_or_else(invalid)?;
        let created_at: i64 = created_at.parse().map_err(|_| invalid())?;
        let id: i64 = id.parse().map_err(|_| invalid())?;
        if id <= 0 || created_at < 0 {
            return Err(invalid());
        }
        Ok(Cursor { created_at, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let c = Cursor { created_at: 1_700_000_000, id: 42 };
        assert_eq!(Cursor::decode(&c.encode()), Ok(c));
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["", "abc", "1.", ".1", "1.0", "-5.3", "1.2.3", "99999999999999999999.1", "1 .2"] {
            assert!(matches!(Cursor::decode(bad), Err(AppError::BadRequest(_))), "{bad:?} accepted");
        }
    }
}
