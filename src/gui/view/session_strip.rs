//! The strip of sessions above a tab: one button per session, "+" to open another, "×" to
//! close one.

use crate::gui::i18n::t;
use egui::{Color32, RichText, Ui};

use crate::gui::app::Tab;
use crate::net::SessionKind;

/// An open session's name is green.
const OPEN: Color32 = Color32::from_rgb(0x3F, 0xB9, 0x50);

pub fn draw(tab: &mut Tab, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        let mut close = None;
        for (index, page) in tab.pages.iter().enumerate() {
            let name = match tab.kind {
                SessionKind::TcpClient => format!("{}:{}", page.config.host, page.config.port),
                _ => format!(":{}", page.config.bind_port),
            };
            let name = if page.is_open() {
                RichText::new(name).color(OPEN)
            } else {
                RichText::new(name)
            };
            if ui.selectable_label(tab.selected == index, name).clicked() {
                tab.selected = index;
            }
            if tab.pages.len() > 1
                && ui
                    .small_button("×")
                    .on_hover_text(t("Close this session"))
                    .clicked()
            {
                close = Some(index);
            }
            ui.separator();
        }
        if let Some(index) = close {
            tab.close_page(index);
        }
        if ui
            .button("+")
            .on_hover_text(t("Another session in this tab"))
            .clicked()
        {
            tab.add_page();
        }
    });
}
