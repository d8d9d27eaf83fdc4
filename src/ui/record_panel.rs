//! Record the session, save it as pcap or as a recording, replay one side of a recording.

use egui::Ui;

use crate::page::Page;
use crate::record::Side;
use crate::ui::{labelled_combo, labelled_field};

const PATH_WIDTH: f32 = 160.0;

pub fn draw(page: &mut Page, ui: &mut Ui) {
    let recording = &mut page.recording;
    let config = &mut page.config.recording;
    ui.horizontal_wrapped(|ui| {
        let label = if recording.is_recording() {
            format!("Stop recording ({} items)", recording.items())
        } else {
            "Record".to_string()
        };
        if ui
            .button(label)
            .on_hover_text("Keep every connect, message and close from now, with its time")
            .clicked()
        {
            recording.toggle(page.kind);
        }
        ui.separator();
        labelled_field(ui, "pcap file", &mut config.pcap_path, PATH_WIDTH, true);
        if ui
            .button("Save pcap")
            .on_hover_text("For Wireshark or tshark: IP and TCP/UDP headers are synthesised around the real payloads")
            .clicked()
        {
            recording.save_pcap(&config.pcap_path);
        }
        labelled_field(ui, "Recording file", &mut config.recording_path, PATH_WIDTH, true);
        if ui.button("Save recording").clicked() {
            recording.save_recording(&config.recording_path);
        }
    });
    ui.horizontal_wrapped(|ui| {
        labelled_field(ui, "Replay file", &mut config.replay_path, PATH_WIDTH, true);
        let side = match config.replay_side {
            Side::Here => "What this end sent",
            Side::Peer => "What the peer sent",
        };
        labelled_combo(ui, "Replay", side, |ui| {
            ui.selectable_value(&mut config.replay_side, Side::Here, "What this end sent");
            ui.selectable_value(&mut config.replay_side, Side::Peer, "What the peer sent")
                .on_hover_text(
                    "Open a server here and replay what the recorded server sent: a mock server",
                );
        });
        ui.checkbox(&mut config.replay_fast, "As fast as possible")
            .on_hover_text("Off: with the recorded timing (1×)");
    });
    let replaying = page.recording.is_replaying();
    ui.horizontal(|ui| {
        let label = if replaying {
            "Stop replay"
        } else {
            "Start replay"
        };
        if ui
            .button(label)
            .on_hover_text("Sends the chosen side's messages over this session, in order")
            .clicked()
        {
            page.toggle_replay();
        }
        if let Some(note) = &page.recording.note {
            ui.label(note);
        }
    });
}
