pub mod bulk_toolbar;
pub mod confirm_delete;
pub mod contacts;
pub mod selection;
