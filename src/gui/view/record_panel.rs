//! Record the session, save it as pcap or as a recording, replay one side of a recording.

use crate::gui::i18n::{t, tf};
use egui::Ui;

use crate::capture::record::Side;
use crate::gui::model::page::{Page, PageAction};
use crate::gui::view::{field_row, labelled_combo, switch_button};

pub fn draw(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let recording = page.recording();
    let (is_recording, items, replaying) = (
        recording.is_recording(),
        recording.items(),
        recording.is_replaying(),
    );
    let note = recording.words();
    ui.horizontal(|ui| {
        if switch_button(ui, is_recording, [t("Record"), t("Stop recording")])
            .on_hover_text(t(
                "Keep every connect, message and close from now, with its time",
            ))
            .clicked()
        {
            actions.push(PageAction::ToggleRecording);
        }
        ui.label(tf("{n} items", &[("n", &items)]));
    });
    let config = &mut page.config_mut().recording;
    super::files_panel::folder_hint(ui);
    field_row(ui, t("pcap file"), &mut config.pcap_path, true, |_| {});
    if ui
        .button(t("Save pcap"))
        .on_hover_text(t("For Wireshark or tshark: IP and TCP/UDP headers are synthesised around the real payloads"))
        .clicked()
    {
        actions.push(PageAction::SavePcap);
    }
    field_row(
        ui,
        t("Recording file"),
        &mut config.recording_path,
        true,
        |_| {},
    );
    if ui.button(t("Save recording")).clicked() {
        actions.push(PageAction::SaveRecording);
    }
    ui.separator();
    field_row(ui, t("Replay file"), &mut config.replay_path, true, |_| {});
    let side = match config.replay_side {
        Side::Here => t("What this end sent"),
        Side::Peer => t("What the peer sent"),
    };
    ui.horizontal(|ui| {
        labelled_combo(ui, t("Replay"), side, |ui| {
            ui.selectable_value(&mut config.replay_side, Side::Here, t("What this end sent"));
            ui.selectable_value(&mut config.replay_side, Side::Peer, t("What the peer sent"))
                .on_hover_text(t(
                    "Open a server here and replay what the recorded server sent: a mock server",
                ));
        });
    });
    ui.checkbox(&mut config.replay_fast, t("As fast as possible"))
        .on_hover_text(t("Off: with the recorded timing (1×)"));
    if switch_button(ui, replaying, [t("Start replay"), t("Stop replay")])
        .on_hover_text(t(
            "Sends the chosen side's messages over this session, in order",
        ))
        .clicked()
    {
        actions.push(PageAction::ToggleReplay);
    }
    if let Some(note) = note {
        ui.label(note);
    }
}
