//! The TCP server's client list: who is connected, since when, bytes each way; pick one to
//! send to, show only its rows, or disconnect it.

use crate::gui::i18n::{t, tf};
use crate::gui::model::log::grouped;
use chrono::{DateTime, Local};
use egui::{RichText, Ui};

use crate::gui::model::page::{Page, PageAction};

pub fn draw(page: &Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    ui.vertical(|ui| {
        if page.clients().is_empty() {
            ui.label(t("No client connected"));
        }
        for client in page.clients() {
            let totals = client.counters.totals();
            let selected = page.selected_client() == Some(client.id);
            let name = format!("#{} {}", client.id, client.peer);
            if ui
                .add(egui::Button::selectable(selected, name).truncate())
                .clicked()
            {
                let choice = if selected { None } else { Some(client.id) };
                actions.push(PageAction::SelectClient(choice));
            }
            let since = DateTime::<Local>::from(client.since).format("%H:%M:%S");
            let figures = tf("since {since}", &[("since", &since)])
                + " · "
                + &tf(
                    "in {rx} B · out {tx} B",
                    &[
                        ("rx", &grouped(totals.rx_bytes)),
                        ("tx", &grouped(totals.tx_bytes)),
                    ],
                );
            // Body size, in the weak colour: readable on a projector, quieter than the name.
            let figures = RichText::new(figures).color(ui.visuals().weak_text_color());
            ui.add(egui::Label::new(figures).truncate());
        }
        let Some(id) = page.selected_client() else {
            return;
        };
        ui.separator();
        ui.label(tf("Selected: client #{id}", &[("id", &id)]));
        ui.horizontal_wrapped(|ui| {
            if ui
                .button(t("Disconnect client"))
                .on_hover_text(t("Close with FIN: the client reads end of stream"))
                .clicked()
            {
                actions.push(PageAction::DisconnectClient(id));
            }
            if ui
                .button(t("Reset client"))
                .on_hover_text(t("Close with RST (SO_LINGER 0): the client's next read fails with \"connection reset\""))
                .clicked()
            {
                actions.push(PageAction::ResetConnection(id));
            }
        });
        let mut only = page.only_selected_client();
        if ui.checkbox(&mut only, t("Only this client's rows")).changed() {
            actions.push(PageAction::OnlySelectedClient(only));
        }
    });
}
