//! The sessions of a tab, at the start of the status row: one button per session, "+" to open
//! another, "×" to close one.

use crate::gui::i18n::t;
use egui::{RichText, Ui};

use crate::gui::app::Tab;
use crate::gui::view::palette;
use crate::net::SessionKind;

pub fn draw(tab: &mut Tab, ui: &mut Ui) {
    let mut close = None;
    let mut select = None;
    let dark = ui.visuals().dark_mode;
    for (index, page) in tab.pages.iter().enumerate() {
        let config = page.config();
        let name = match tab.kind {
            SessionKind::TcpClient => format!("{}:{}", config.host, config.port),
            _ => format!(":{}", config.bind_port),
        };
        let selected = tab.selected == index;
        // An open session's name is green (a shade readable on the selection's blue too).
        let name = if page.is_open() {
            RichText::new(name).color(palette::open_session(dark, selected))
        } else {
            RichText::new(name)
        };
        if ui.selectable_label(selected, name).clicked() {
            select = Some(index);
        }
        if tab.pages.len() > 1
            && ui
                .small_button("×")
                .on_hover_text(t("Close this session"))
                .clicked()
        {
            close = Some(index);
        }
    }
    if ui
        .small_button("+")
        .on_hover_text(t("Another session in this tab"))
        .clicked()
    {
        tab.add_page();
    }
    ui.separator();
    if let Some(index) = select {
        tab.selected = index;
    }
    if let Some(index) = close {
        tab.close_page(index);
    }
}
