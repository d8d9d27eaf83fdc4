//! What the window shows, without drawing: testable without a display.

pub mod chart;
pub mod demo;
pub mod folder;
pub mod log;
pub mod page;
pub mod python_peer;
pub mod recording;
pub mod stress;
pub mod traffic;
