//! Record the session, save it as pcap or as a recording, replay one side of a recording.

use crate::gui::i18n::{t, tf};
use egui::Ui;

use crate::capture::record::Side;
use crate::gui::model::page::Page;
use crate::gui::view::{labelled_combo, labelled_field};

const PATH_WIDTH: f32 = 160.0;

pub fn draw(page: &mut Page, ui: &mut Ui) {
    let recording = &mut page.recording;
    let config = &mut page.config.recording;
    ui.horizontal_wrapped(|ui| {
        let label = if recording.is_recording() {
            tf("Stop recording ({n} items)", &[("n", &recording.items())])
        } else {
            t("Record").to_string()
        };
        if ui
            .button(label)
            .on_hover_text(t("Keep every connect, message and close from now, with its time"))
            .clicked()
        {
            recording.toggle(page.kind);
        }
        ui.separator();
        labelled_field(ui, t("pcap file"), &mut config.pcap_path, PATH_WIDTH, true);
        if ui
            .button(t("Save pcap"))
            .on_hover_text(t("For Wireshark or tshark: IP and TCP/UDP headers are synthesised around the real payloads"))
            .clicked()
        {
            recording.save_pcap(&config.pcap_path);
        }
        labelled_field(ui, t("Recording file"), &mut config.recording_path, PATH_WIDTH, true);
        if ui.button(t("Save recording")).clicked() {
            recording.save_recording(&config.recording_path);
        }
    });
    ui.horizontal_wrapped(|ui| {
        labelled_field(
            ui,
            t("Replay file"),
            &mut config.replay_path,
            PATH_WIDTH,
            true,
        );
        let side = match config.replay_side {
            Side::Here => t("What this end sent"),
            Side::Peer => t("What the peer sent"),
        };
        labelled_combo(ui, t("Replay"), side, |ui| {
            ui.selectable_value(&mut config.replay_side, Side::Here, t("What this end sent"));
            ui.selectable_value(&mut config.replay_side, Side::Peer, t("What the peer sent"))
                .on_hover_text(t(
                    "Open a server here and replay what the recorded server sent: a mock server",
                ));
        });
        ui.checkbox(&mut config.replay_fast, t("As fast as possible"))
            .on_hover_text(t("Off: with the recorded timing (1×)"));
    });
    let replaying = page.recording.is_replaying();
    ui.horizontal(|ui| {
        let label = if replaying {
            t("Stop replay")
        } else {
            t("Start replay")
        };
        if ui
            .button(label)
            .on_hover_text(t(
                "Sends the chosen side's messages over this session, in order",
            ))
            .clicked()
        {
            page.toggle_replay();
        }
        if let Some(note) = &page.recording.note {
            ui.label(note);
        }
    });
}
