//! The desktop app (eframe/egui): the app and its wake-ups, the interface language, the model
//! of what the window shows (no drawing), and the views that draw it.

pub mod app;
pub mod i18n;
pub mod model;
pub mod view;
pub mod wake;
