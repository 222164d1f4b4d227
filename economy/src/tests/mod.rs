//! Tests of planning and of the replies, through the crate's own entry points.

mod plan;
mod reply;
