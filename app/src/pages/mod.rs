pub mod bulk_toolbar;
pub mod confirm_delete;
pub mod contacts;
pub mod history;
pub mod selection;
