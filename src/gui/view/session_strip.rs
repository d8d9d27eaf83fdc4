//! The sessions of a tab, at the start of the status row: "+" to open another (first, so it
//! stays put), one button per session, "×" to close one. When they do not fit beside the status (4 sessions on a
//! projector), the selected one stays and the others are in a "Sessions: N" menu, so nothing is
//! drawn over "Hide tools".

use crate::gui::i18n::{t, tf};
use egui::{RichText, Ui};

use crate::gui::app::Tab;
use crate::gui::view::{palette, widest};

/// The share of the status row the strip may take; the status and its error keep the rest.
const STRIP_SHARE: f32 = 0.6;

/// What a click in the strip asks for.
enum Click {
    Select(usize),
    Close(usize),
}

pub fn draw(tab: &mut Tab, ui: &mut Ui) {
    let names = tab.session_names();
    let closable = tab.pages.len() > 1;
    let padding = 2.0 * ui.spacing().button_padding.x + ui.spacing().item_spacing.x;
    let close_width = if closable {
        widest(ui, &["×"], egui::TextStyle::Button) + padding
    } else {
        0.0
    };
    let needed: f32 = names
        .iter()
        .map(|name| widest(ui, &[name.as_str()], egui::TextStyle::Button) + padding + close_width)
        .sum::<f32>()
        + widest(ui, &["+"], egui::TextStyle::Button)
        + padding;
    let all_fit = needed <= ui.available_width() * STRIP_SHARE;
    // "+" first, where it stays: clicked again and again it opens sessions, never lands on
    // a session's "×" that took its place.
    let added = ui
        .small_button("+")
        .on_hover_text(t("Another session in this tab"))
        .clicked();
    let mut click = None;
    for (index, name) in names.iter().enumerate() {
        if (all_fit || index == tab.selected)
            && let Some(c) = session_button(tab, index, name, closable, ui)
        {
            click = Some(c);
        }
    }
    if !all_fit {
        let menu = tf("Sessions: {n}", &[("n", &names.len())]);
        ui.menu_button(menu, |ui| {
            for (index, name) in names.iter().enumerate() {
                ui.horizontal(|ui| {
                    if let Some(c) = session_button(tab, index, name, closable, ui) {
                        click = Some(c);
                        ui.close();
                    }
                });
            }
        })
        .response
        .on_hover_text(t("Every session of this tab"));
    }
    ui.separator();
    if added {
        tab.add_page();
    }
    let pending_id = egui::Id::unique(("close-session", tab.kind));
    match click {
        Some(Click::Select(index)) => tab.selected = index,
        // An open session (a connection, a listening port) and its log are not dropped on a
        // click that may have been meant for its neighbour: asked first.
        Some(Click::Close(index)) if tab.pages[index].is_open() => {
            ui.data_mut(|d| d.insert_temp(pending_id, index));
        }
        Some(Click::Close(index)) => tab.close_page(index),
        None => {}
    }
    let pending = ui.data(|d| d.get_temp::<usize>(pending_id));
    if let Some(index) = pending.filter(|&i| i < names.len()) {
        let mut answer = None;
        let modal = egui::Modal::new(pending_id.with("modal")).show(ui.ctx(), |ui| {
            ui.label(tf(
                "Close the open session {name}? Its connection and its log go with it.",
                &[("name", &names[index])],
            ));
            ui.horizontal(|ui| {
                if ui.button(t("Close session")).clicked() {
                    answer = Some(true);
                }
                if ui.button(t("Keep it")).clicked() {
                    answer = Some(false);
                }
            });
        });
        // Escape or a click beside it keeps the session.
        if modal.should_close() && answer.is_none() {
            answer = Some(false);
        }
        if let Some(close) = answer {
            ui.data_mut(|d| d.remove::<usize>(pending_id));
            if close {
                tab.close_page(index);
            }
        }
    }
}

/// A session's button (its name, green while open) and its "×".
fn session_button(
    tab: &Tab,
    index: usize,
    name: &str,
    closable: bool,
    ui: &mut Ui,
) -> Option<Click> {
    let dark = ui.visuals().dark_mode;
    let selected = tab.selected == index;
    // An open session's name is green (a shade readable on the selection's blue too).
    let text = if tab.pages[index].is_open() {
        RichText::new(name).color(palette::open_session(dark, selected))
    } else {
        RichText::new(name)
    };
    let mut click = None;
    if ui.selectable_label(selected, text).clicked() {
        click = Some(Click::Select(index));
    }
    if closable
        && ui
            .small_button("×")
            .on_hover_text(t("Close this session"))
            .clicked()
    {
        click = Some(Click::Close(index));
    }
    click
}
