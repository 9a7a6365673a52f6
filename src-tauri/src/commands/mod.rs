//! The app's commands, one module per domain. Each is thin: arguments in, one call into
//! insisst-core, a DTO out.

mod dialog;
pub mod exchange;
pub mod home;
pub mod interop;
pub mod learning;
pub mod links;
pub mod notes;
pub mod privacy;
pub mod records;
pub mod search;
pub mod settings;
pub mod workspace;
