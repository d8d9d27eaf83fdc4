//! The send panel: the message box, its format (text or hex, escapes, line ending,
//! checksum), Send, periodic sends and split writes.

use crate::gui::i18n::{t, tf};
use egui::{Key, Modifiers, RichText, Ui};

use crate::codec::{Checksum, InputMode, LineEnding};
use crate::gui::model::page::Page;
use crate::gui::view::{labelled_combo, labelled_field};
use crate::net::SessionKind;

pub fn draw(page: &mut Page, ui: &mut Ui) {
    ui.add_space(4.0);
    // Ctrl+Enter sends from anywhere in the window; taken before the text box sees it.
    let send_shortcut = ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter));
    let label = ui.label(t("Message"));
    let hint = match page.config.input_mode {
        InputMode::Text => t("Text to send (Ctrl+Enter sends)"),
        InputMode::Hex => t("Hex bytes, e.g. 48 65 6C 6C 6F (Ctrl+Enter sends)"),
    };
    ui.add(
        egui::TextEdit::multiline(&mut page.message)
            .desired_rows(3)
            .desired_width(f32::INFINITY)
            .hint_text(hint),
    )
    .labelled_by(label.id);
    ui.horizontal(|ui| {
        ui.selectable_value(&mut page.config.input_mode, InputMode::Text, t("Text"));
        ui.selectable_value(&mut page.config.input_mode, InputMode::Hex, t("Hex"));
        ui.add_enabled(
            page.config.input_mode == InputMode::Text,
            egui::Checkbox::new(&mut page.config.escapes, t("Escapes")),
        )
        .on_hover_text(t(r"Read \r \n \t \\ \0 and \xNN in the text"));
        labelled_combo(
            ui,
            t("Line ending"),
            t(page.config.line_ending.label()),
            |ui| {
                for ending in LineEnding::ALL {
                    ui.selectable_value(&mut page.config.line_ending, ending, t(ending.label()));
                }
            },
        );
        labelled_combo(ui, t("Checksum"), t(page.config.checksum.name()), |ui| {
            for checksum in Checksum::ALL {
                ui.selectable_value(&mut page.config.checksum, checksum, t(checksum.name()));
            }
        })
        .on_hover_text(t("Appended to each message, before the line ending"));
        if page.kind == SessionKind::TcpServer {
            let chosen = match page.selected_client {
                None => t("All clients").to_string(),
                Some(id) => tf("Client #{id}", &[("id", &id)]),
            };
            labelled_combo(ui, t("Send to"), chosen, |ui| {
                ui.selectable_value(&mut page.selected_client, None, t("All clients"));
                for client in &page.clients {
                    let text =
                        tf("Client #{id}", &[("id", &client.id)]) + " " + &client.peer.to_string();
                    ui.selectable_value(&mut page.selected_client, Some(client.id), text);
                }
            });
        }
        if ui.button(t("Send")).clicked() || send_shortcut {
            page.send();
        }
    });
    ui.horizontal(|ui| {
        let repeating = page.is_repeating();
        labelled_field(
            ui,
            t("Every ms"),
            &mut page.config.repeat_interval_ms,
            60.0,
            !repeating,
        );
        labelled_field(
            ui,
            t("Times"),
            &mut page.config.repeat_times,
            40.0,
            !repeating,
        )
        .on_hover_text(t("0: until stopped"));
        let label = if repeating {
            t("Stop repeat")
        } else {
            t("Repeat")
        };
        if ui
            .button(label)
            .on_hover_text(t("Send the message periodically"))
            .clicked()
        {
            page.toggle_repeat();
        }
        if page.kind != SessionKind::Udp {
            ui.separator();
            labelled_field(ui, t("Writes"), &mut page.config.split_writes, 40.0, true)
                .on_hover_text(t("Sticky packets: each send becomes this many writes"));
            labelled_field(
                ui,
                t("Apart (ms)"),
                &mut page.config.split_gap_ms,
                50.0,
                true,
            )
            .on_hover_text(t("Time between the writes of one send (0: back to back)"));
        }
    });
    if let Some(error) = &page.send_error {
        ui.label(RichText::new(error).color(super::palette::ERROR));
    }
    ui.add_space(4.0);
}
