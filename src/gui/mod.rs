//! The desktop app (eframe/egui): the app and its wake-ups, the interface language, the model
//! of what the window shows (no drawing, no egui: it builds without the `gui` feature), and
//! the views that draw it.

#[cfg(feature = "gui")]
pub mod app;
pub mod i18n;
pub mod model;
#[cfg(feature = "gui")]
pub mod view;
pub mod wake;
