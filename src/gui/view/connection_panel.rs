//! The connection panel: addresses, ports and TCP options, the Connect/Listen/Open button
//! that follows the state, and the status line.

use crate::gui::i18n::{t, tf};
use std::net::IpAddr;

use egui::{RichText, Ui};

use crate::gui::model::page::Page;
use crate::gui::view::{labelled_combo, labelled_field};
use crate::net::{SessionKind, Waker};

const HOST_WIDTH: f32 = 160.0;
const PORT_WIDTH: f32 = 60.0;

pub fn draw(page: &mut Page, interfaces: &[IpAddr], waker: Waker, ui: &mut Ui) {
    let editable = !page.is_open();
    ui.horizontal(|ui| {
        match page.kind {
            SessionKind::TcpClient => {
                labelled_field(ui, t("Host"), &mut page.config.host, HOST_WIDTH, editable);
                labelled_field(ui, t("Port"), &mut page.config.port, PORT_WIDTH, editable);
            }
            SessionKind::TcpServer => {
                bind_address(
                    ui,
                    t("Address"),
                    &mut page.config.bind_address,
                    interfaces,
                    editable,
                );
                labelled_field(ui, t("Port"), &mut page.config.bind_port, PORT_WIDTH, editable);
            }
            SessionKind::Udp => {
                bind_address(
                    ui,
                    t("Local address"),
                    &mut page.config.bind_address,
                    interfaces,
                    editable,
                );
                labelled_field(
                    ui,
                    t("Local port"),
                    &mut page.config.bind_port,
                    PORT_WIDTH,
                    editable,
                );
                ui.add_enabled(
                    editable,
                    egui::Checkbox::new(&mut page.config.broadcast, t("Broadcast")),
                )
                .on_hover_text(t("Allow sending to broadcast addresses such as 255.255.255.255"));
            }
        }
        let label = match (page.kind, page.is_open()) {
            (SessionKind::TcpClient, false) => t("Connect"),
            (SessionKind::TcpClient, true) => t("Disconnect"),
            (SessionKind::TcpServer, false) => t("Listen"),
            (SessionKind::TcpServer, true) => t("Stop"),
            (SessionKind::Udp, false) => t("Open"),
            (SessionKind::Udp, true) => t("Close"),
        };
        if ui.button(label).clicked() {
            page.toggle(waker);
        }
        if page.kind == SessionKind::TcpClient
            && page.is_connected()
            && ui
                .button(t("Close with RST"))
                .on_hover_text(t("SO_LINGER 0: the peer's next read fails with \"connection reset\" (Disconnect closes with FIN)"))
                .clicked()
        {
            page.reset_connection(0);
        }
    });
    if page.kind != SessionKind::Udp {
        ui.horizontal(|ui| tcp_options(page, editable, ui));
    }
    if page.kind == SessionKind::Udp {
        ui.horizontal(|ui| {
            ui.label(t("Send to:"));
            let replying = page.config.reply_to_last_sender;
            labelled_field(ui, t("Host"), &mut page.config.host, HOST_WIDTH, !replying);
            labelled_field(ui, t("Port"), &mut page.config.port, PORT_WIDTH, !replying);
            let last = page
                .last_sender
                .map_or(t("no datagram yet").to_string(), |s| s.to_string());
            ui.checkbox(
                &mut page.config.reply_to_last_sender,
                t("Reply to last sender"),
            )
            .on_hover_text(tf("Last sender: {last}", &[("last", &last)]));
        });
        ui.horizontal_wrapped(|ui| multicast(page, editable, ui));
    }
    ui.horizontal(|ui| {
        ui.label(page.status());
        if let Some(error) = &page.status_error {
            ui.label(RichText::new(error).color(super::palette::ERROR));
        }
    });
}

/// A bind address: typed, or picked from this machine's addresses.
fn bind_address(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    interfaces: &[IpAddr],
    enabled: bool,
) {
    labelled_field(ui, label, value, 120.0, enabled);
    ui.add_enabled_ui(enabled, |ui| {
        egui::ComboBox::from_id_salt(("interfaces", label))
            .selected_text("")
            .width(24.0)
            .show_ui(ui, |ui| {
                for ip in interfaces {
                    let note = match ip.to_string().as_str() {
                        "0.0.0.0" | "::" => t("  all interfaces (reachable from the LAN)"),
                        "127.0.0.1" | "::1" => t("  this machine only"),
                        _ => "",
                    };
                    if ui.selectable_label(false, format!("{ip}{note}")).clicked() {
                        *value = ip.to_string();
                    }
                }
            })
            .response
            .on_hover_text(t("Pick one of this machine's addresses"));
    });
}

/// The framings offered in the menu: a name and the spelling it starts from.
const FRAMINGS: [(&str, &str); 8] = [
    ("Raw (each read)", "raw"),
    ("Line (LF)", "line"),
    ("Line (CRLF)", "crlf"),
    ("Delimiter (hex)", "delim:0D0A"),
    ("Fixed length", "fixed:8"),
    ("Length prefix (2 bytes BE)", "len:2be"),
    ("Length prefix (4 bytes BE)", "len:4be"),
    ("Idle gap (ms)", "idle:50"),
];

fn tcp_options(page: &mut Page, editable: bool, ui: &mut Ui) {
    ui.add_enabled_ui(editable, |ui| {
        let spec = page.config.framing.clone();
        let kind = spec.split(':').next().unwrap_or_default();
        let current = FRAMINGS
            .iter()
            .find(|(_, s)| s.split(':').next() == Some(kind) && (kind != "len" || *s == spec))
            .map_or(t("Custom"), |(name, _)| t(name));
        labelled_combo(ui, t("Framing"), current, |ui| {
                for (name, default_spec) in FRAMINGS {
                    if ui.selectable_label(current == t(name), t(name)).clicked() {
                        page.config.framing = default_spec.to_string();
                    }
                }
            })
            .on_hover_text(t("How received bytes split into messages: one log row each"));
        labelled_field(ui, t("Framing spec"), &mut page.config.framing, 90.0, editable).on_hover_text(
            t("raw, line, crlf, delim:HEX, fixed:N, len:1|2be|2le|4be|4le (+h: the length counts the header), idle:MS"),
        );
        ui.checkbox(&mut page.config.nodelay, t("No delay"))
            .on_hover_text(t("TCP_NODELAY: send small writes at once (no Nagle)"));
        ui.checkbox(&mut page.config.keepalive, t("Keep-alive"))
            .on_hover_text(t("SO_KEEPALIVE: notice a peer that vanished without closing"));
        ui.checkbox(&mut page.config.half_close, t("Half-close"))
            .on_hover_text(t("After the peer's FIN (it finished sending), keep the connection so you can still send; Disconnect closes it"));
        labelled_field(ui, t("Idle timeout (s)"), &mut page.config.idle_timeout_s, 40.0, editable)
            .on_hover_text(t("Close a connection whose peer sends nothing for this long (empty: never)"));
        labelled_field(ui, t("Send timeout (s)"), &mut page.config.send_timeout_s, 40.0, editable)
            .on_hover_text(t("Close a connection whose peer takes nothing we send for this long (empty: never)"));
        if page.kind == SessionKind::TcpServer {
            ui.checkbox(&mut page.config.dual_stack, t("Dual-stack"))
                .on_hover_text(t("On an IPv6 address such as ::, accept IPv4 clients too"));
        }
        if page.kind == SessionKind::TcpClient {
            ui.checkbox(&mut page.config.reconnect, t("Reconnect"))
                .on_hover_text(t("Connect again when the connection fails or is lost (0.5 s, doubling up to 30 s)"));
        }
    });
}

fn multicast(page: &mut Page, editable: bool, ui: &mut Ui) {
    labelled_field(
        ui,
        t("Multicast group"),
        &mut page.config.multicast_group,
        120.0,
        true,
    )
    .on_hover_text(t("224.0.0.0/4 or ff00::/8, e.g. 239.1.2.3"));
    if ui.button(t("Join")).clicked() {
        page.join_group();
    }
    let mut leave = None;
    for group in &page.config.multicast_groups {
        if ui
            .small_button(tf("Leave {group}", &[("group", group)]))
            .clicked()
        {
            leave = Some(*group);
        }
    }
    if let Some(group) = leave {
        page.leave_group(group);
    }
    ui.add_enabled_ui(editable, |ui| {
        labelled_field(ui, t("TTL"), &mut page.config.multicast_ttl, 30.0, editable).on_hover_text(
            t("Hops our multicast datagrams may cross; empty: 1 (this network)"),
        );
        ui.checkbox(&mut page.config.multicast_loop, t("Multicast loop"))
            .on_hover_text(t("Deliver our own multicast datagrams to this machine too"));
    });
}
