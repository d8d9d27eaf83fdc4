//! Lecture mode: "What the Python peer saw". The switch of the log's Python column, "Copy as
//! Python program", and the Demo's list of Python calls under each chart.

use egui::{RichText, ScrollArea, Ui};

use crate::gui::i18n::t;
use crate::gui::model::log::Direction;
use crate::gui::model::page::Page;
use crate::gui::model::python_peer;
use crate::gui::view::palette;

/// Rows of a Demo page read for its Python list (its newest).
const DEMO_ROWS: usize = 200;

/// The switch of the Python view, named `label`.
pub fn switch(python: &mut bool, label: &str, ui: &mut Ui) {
    ui.checkbox(python, label).on_hover_text(t(
        "Show each row as the call a Python program on the other end would make, and what it gets",
    ));
}

/// "Copy as Python": the program that plays the other end of the session, to the clipboard;
/// where there is none yet, why (until the next click).
pub fn copy_button(page: &Page, ui: &mut Ui) {
    let why_id = egui::Id::unique(("python-copy-why", page.kind()));
    let clicked = ui
        .small_button(t("Copy as Python program"))
        .on_hover_text(t(
            "A Python program, in a course's style, that plays the other end of this session",
        ))
        .clicked();
    if clicked {
        match python_peer::program(page) {
            Ok(program) => {
                ui.ctx().copy_text(program);
                ui.data_mut(|d| d.remove::<&'static str>(why_id));
            }
            Err(why) => {
                ui.data_mut(|d| d.insert_temp(why_id, why));
            }
        }
    }
    if let Some(why) = ui.data(|d| d.get_temp::<&'static str>(why_id)) {
        ui.colored_label(palette::error(ui.visuals().dark_mode), t(why));
    }
}

/// The Demo's list under a chart: the page's newest rows as its Python peer's calls.
pub fn demo_list(page: &Page, ui: &mut Ui) {
    ui.horizontal(|ui| {
        ui.strong(t("Python peer"))
            .on_hover_text(t("What the Python peer saw"));
        copy_button(page, ui);
    });
    let Some(context) = python_peer::context(page) else {
        return;
    };
    let log = page.log();
    let dark = ui.visuals().dark_mode;
    ScrollArea::vertical()
        .id_salt("python-peer-list")
        .auto_shrink(false)
        .stick_to_bottom(true)
        .show(ui, |ui| {
            for i in log.len().saturating_sub(DEMO_ROWS)..log.len() {
                let words = python_peer::words_at(log, i, &context);
                if words.is_empty() {
                    continue;
                }
                let color = match log.direction(i) {
                    Direction::Rx => palette::received(dark),
                    Direction::Tx => palette::sent(dark),
                    Direction::Info => palette::note(dark),
                    Direction::Error => palette::error(dark),
                };
                ui.add(egui::Label::new(RichText::new(words).monospace().color(color)).truncate());
            }
        });
}
