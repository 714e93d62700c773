pub mod bulk_toolbar;
pub mod confirm_delete;
pub mod contacts;
pub mod frame;
pub mod history;
pub mod login;
pub mod selection;
pub mod team;
