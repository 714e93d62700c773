//! The CRM contacts app: components, shared types and server functions. Everything
//! that needs the database or the server is behind the `ssr` feature.
#![recursion_limit = "512"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod bulk_action;
pub mod cursor;
pub mod dates;
pub mod error;
pub mod filter;
#[cfg(feature = "ssr")]
pub mod jobs;
pub mod model;
pub mod pages;
pub mod recycle;
pub mod recycle_page;
pub mod shell;
pub mod smart_list;
pub mod team;

#[cfg(feature = "ssr")]
pub mod db;

pub use shell::{shell, App};
