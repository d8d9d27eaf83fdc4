//! The TCP server's client list: who is connected, since when, bytes each way; pick one to
//! send to, show only its rows, or disconnect it.

use crate::gui::i18n::{t, tf};
use chrono::{DateTime, Local};
use egui::Ui;

use crate::gui::model::page::Page;

pub fn draw(page: &mut Page, ui: &mut Ui) {
    ui.heading(t("Clients"));
    if page.clients.is_empty() {
        ui.label(t("No client connected"));
    }
    let mut disconnect = None;
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("client-list").striped(true).show(ui, |ui| {
            for client in &page.clients {
                let totals = client.counters.totals();
                let selected = page.selected_client == Some(client.id);
                let name = format!("#{} {}", client.id, client.peer);
                if ui.selectable_label(selected, name).clicked() {
                    page.selected_client = if selected { None } else { Some(client.id) };
                }
                let since = DateTime::<Local>::from(client.since).format("%H:%M:%S");
                ui.label(tf("since {since}", &[("since", &since)]))
                    .on_hover_text(t("Connected since"));
                ui.label(tf(
                    "in {rx} B · out {tx} B",
                    &[("rx", &totals.rx_bytes), ("tx", &totals.tx_bytes)],
                ));
                ui.end_row();
            }
        });
    });
    if let Some(id) = page.selected_client {
        ui.separator();
        ui.label(tf("Selected: client #{id}", &[("id", &id)]));
        ui.horizontal(|ui| {
            if ui
                .button(t("Disconnect client"))
                .on_hover_text(t("Close with FIN: the client reads end of stream"))
                .clicked()
            {
                disconnect = Some(id);
            }
            if ui
                .button(t("Reset client"))
                .on_hover_text(t("Close with RST (SO_LINGER 0): the client's next read fails with \"connection reset\""))
                .clicked()
            {
                page.reset_connection(id);
            }
        });
        ui.checkbox(&mut page.only_selected_client, t("Only this client's rows"));
    }
    if let Some(id) = disconnect {
        page.disconnect_client(id);
    }
}
