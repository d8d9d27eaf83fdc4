use egui::Ui;

use crate::app::Tab;
use crate::net::SessionKind;

pub fn draw(tab: &mut Tab, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        let mut close = None;
        for (index, page) in tab.pages.iter().enumerate() {
            let open = if page.is_open() { "● " } else { "" };
            let name = match tab.kind {
                SessionKind::TcpClient => {
                    format!("{open}{}:{}", page.config.host, page.config.port)
                }
                _ => format!("{open}:{}", page.config.bind_port),
            };
            if ui.selectable_label(tab.selected == index, name).clicked() {
                tab.selected = index;
            }
            if tab.pages.len() > 1
                && ui
                    .small_button("✕")
                    .on_hover_text("Close this session")
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
            .on_hover_text("Another session in this tab")
            .clicked()
        {
            tab.add_page();
        }
    });
}
