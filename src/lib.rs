//! reachdiff library.
pub mod delta;
pub mod error;
pub mod header_space;
pub mod model;
pub mod report;
pub mod source;
pub mod warning;
