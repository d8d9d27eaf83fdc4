//! The tool panel beside the log, as NetAssist keeps its settings in a side column: sections
//! that open and close in a column of their own that scrolls, so however many are open the log
//! and the message box keep their room.

use crate::gui::i18n::{t, tf};
use egui::{CollapsingHeader, RichText, ScrollArea, Ui};

use crate::gui::model::page::{Page, PageAction};
use crate::gui::view::{field_row, labelled_combo, labelled_field, switch_button};
use crate::net::SessionKind;

pub fn draw(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let kind = page.kind();
    // Rows fit the panel's width (fields fill what is left of their row, combos shrink).
    // Vertical only in effect: a scroll area that could not scroll sideways would widen the
    // panel over the log for a row that does not fit, and one that did would hide the edge
    // of every row; pinned at the left, a row too wide is cut, and the layout test says so.
    ScrollArea::both()
        .id_salt(("tools", page.kind()))
        .auto_shrink(false)
        .horizontal_scroll_offset(0.0)
        .show(ui, |ui| {
            // Room on the right for the scroll bar, which floats over the content: it must
            // not cover the buttons at the rows' ends.
            let scroll = ui.spacing().scroll;
            let bar = scroll.bar_inner_margin + scroll.bar_width + scroll.bar_outer_margin;
            ui.set_max_width(ui.available_width() - bar);
            if matches!(page.kind(), SessionKind::TcpServer | SessionKind::Relay) {
                section(ui, (kind, "clients"), t("Clients"), true, |ui| {
                    super::client_list::draw(page, actions, ui)
                });
            }
            match page.kind() {
                SessionKind::Udp => section(ui, (kind, "multicast"), t("Multicast"), false, |ui| {
                    multicast(page, actions, ui)
                }),
                _ => section(
                    ui,
                    (kind, "framing"),
                    t("Framing and TCP options"),
                    false,
                    |ui| tcp_options(page, actions, ui),
                ),
            };
            section(
                ui,
                (kind, "periodic"),
                t("Periodic send and split writes"),
                false,
                |ui| repeat(page, actions, ui),
            );
            section(ui, (kind, "sequence"), t("Send sequence"), false, |ui| {
                super::sequence_panel::draw(page, actions, ui)
            });
            section(
                ui,
                (kind, "presets"),
                t("Presets and history"),
                false,
                |ui| super::presets_panel::draw(page, actions, ui),
            );
            section(
                ui,
                (kind, "files"),
                t("Files: send, capture, export"),
                false,
                |ui| super::files_panel::draw(page, actions, ui),
            );
            // A relay passes bytes on; it does not answer them itself.
            if kind != SessionKind::Relay {
                let summary = rules_summary(page);
                let open = section(
                    ui,
                    (kind, "auto-reply"),
                    t("Auto-reply rules"),
                    false,
                    |ui| super::rules_panel::draw(page, actions, ui),
                );
                // Closed, the section still says what its rules do.
                if let Some(summary) = summary.filter(|_| !open) {
                    ui.indent((kind, "auto-reply-summary"), |ui| {
                        ui.label(RichText::new(summary).color(ui.visuals().weak_text_color()))
                    });
                }
            }
            section(
                ui,
                (kind, "record"),
                t("Record, pcap, replay"),
                false,
                |ui| super::record_panel::draw(page, actions, ui),
            );
        });
}

/// What the rules of a page do, for their section's title while it is closed.
fn rules_summary(page: &Page) -> Option<String> {
    let config = page.config();
    let n = config.rules.len();
    let on = config.answers_on().0;
    match (n, on) {
        (0, _) => None,
        (n, 0) if config.rules_off_since_restart => {
            Some(tf("{n} rule(s), off since restart", &[("n", &n)]))
        }
        (n, 0) => Some(tf("{n} rule(s), all off", &[("n", &n)])),
        (n, on) => Some(tf("{on} of {n} rule(s) on", &[("on", &on), ("n", &n)])),
    }
}

/// A section that opens and closes; each tab remembers its own, in any language. True while
/// it is open.
fn section(
    ui: &mut Ui,
    (kind, key): (SessionKind, &str),
    title: &str,
    open: bool,
    contents: impl FnOnce(&mut Ui),
) -> bool {
    CollapsingHeader::new(title)
        .id_salt((kind, key))
        .default_open(open)
        .show(ui, |ui| {
            // One row under another, each narrower than the panel; rows of checkboxes wrap.
            ui.vertical(contents);
        })
        .body_returned
        .is_some()
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

/// Framing and socket options; they apply when the session opens.
fn tcp_options(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let editable = !page.is_open();
    let kind = page.kind();
    let config = page.config_mut();
    ui.add_enabled_ui(editable, |ui| {
        let spec = config.framing.clone();
        let family = spec.split(':').next().unwrap_or_default();
        let current = FRAMINGS
            .iter()
            .find(|(_, s)| s.split(':').next() == Some(family) && (family != "len" || *s == spec))
            .map_or(t("Custom"), |(name, _)| t(name));
        ui.horizontal(|ui| {
            labelled_combo(ui, t("Framing"), current, |ui| {
                for (name, default_spec) in FRAMINGS {
                    if ui.selectable_label(current == t(name), t(name)).clicked() {
                        config.framing = default_spec.to_string();
                    }
                }
            })
            .on_hover_text(t("How received bytes split into messages: one log row each"));
        });
        ui.horizontal(|ui| {
            labelled_field(ui, t("Framing spec"), &mut config.framing, 90.0, editable).on_hover_text(
                t("raw, line, crlf, delim:HEX, fixed:N, len:1|2be|2le|4be|4le (+h: the length counts the header), idle:MS"),
            );
        });
        ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut config.nodelay, t("No delay"))
            .on_hover_text(t("TCP_NODELAY: send small writes at once (no Nagle)"));
        ui.checkbox(&mut config.keepalive, t("Keep-alive"))
            .on_hover_text(t("SO_KEEPALIVE: notice a peer that vanished without closing"));
        // A relay always passes a FIN on and keeps the other way open.
        if kind != SessionKind::Relay {
        ui.checkbox(&mut config.half_close, t("Half-close"))
            .on_hover_text(t("After the peer's FIN (it finished sending), keep the connection so you can still send; Disconnect closes it"));
        }
        if kind == SessionKind::TcpServer {
            ui.checkbox(&mut config.dual_stack, t("Dual-stack"))
                .on_hover_text(t("On an IPv6 address such as ::, accept IPv4 clients too"));
        }
        if kind == SessionKind::TcpClient {
            ui.checkbox(&mut config.reconnect, t("Reconnect"))
                .on_hover_text(t("Connect again when the connection fails or is lost (0.5 s, doubling up to 30 s)"));
        }
        });
        if kind == SessionKind::TcpServer && config.tls {
            super::field_row(ui, t("Certificate file"), &mut config.tls_cert_file, editable, |_| {})
                .on_hover_text(t("The certificate (chain) to present, PEM"));
            super::field_row(ui, t("Key file"), &mut config.tls_key_file, editable, |_| {})
                .on_hover_text(t("The certificate's private key, PEM"));
            ui.horizontal_wrapped(|ui| {
                if ui
                    .add_enabled(editable, egui::Button::new(t("Generate a self-signed certificate")))
                    .on_hover_text(t("For localhost and the address listened on; kept with the settings. Clients must accept it as self-signed"))
                    .clicked()
                {
                    actions.push(PageAction::GenerateCertificate);
                }
                if config.tls_generated.is_some() && config.tls_cert_file.trim().is_empty() {
                    ui.label(t("using the generated certificate"));
                }
            });
            super::field_row(ui, t("Client CA file"), &mut config.tls_client_ca_file, editable, |_| {})
                .on_hover_text(t("Ask each client for a certificate signed by a CA in this PEM file, and refuse clients without one (mutual TLS); empty: ask for none"));
        }
        if kind == SessionKind::TcpClient && config.tls {
            super::field_row(ui, t("TLS name (SNI)"), &mut config.tls_sni, editable, |_| {})
                .on_hover_text(t("The name asked for and checked in the certificate; empty: the host"));
            super::field_row(ui, t("CA file"), &mut config.tls_ca_file, editable, |_| {})
                .on_hover_text(t("PEM certificates to trust instead of the system's; empty: the system's roots"));
            super::field_row(ui, t("Client certificate"), &mut config.tls_cert_file, editable, |_| {})
                .on_hover_text(t("Presented when the server asks for one (mutual TLS), PEM; empty: none"));
            super::field_row(ui, t("Key file"), &mut config.tls_key_file, editable, |_| {})
                .on_hover_text(t("The certificate's private key, PEM"));
        }
        seconds_row(ui, t("Idle timeout (s)"), &mut config.idle_timeout_s, editable,
            t("Close a connection whose peer sends nothing for this long (empty: never)"));
        seconds_row(ui, t("Send timeout (s)"), &mut config.send_timeout_s, editable,
            t("Close a connection whose peer takes nothing we send for this long (empty: never)"));
    });
}

fn multicast(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let editable = !page.is_open();
    let config = page.config_mut();
    field_row(
        ui,
        t("Multicast group"),
        &mut config.multicast_group,
        true,
        |ui| {
            if ui.button(t("Join")).clicked() {
                actions.push(PageAction::JoinGroup);
            }
        },
    )
    .on_hover_text(t("224.0.0.0/4 or ff00::/8, e.g. 239.1.2.3"));
    ui.horizontal_wrapped(|ui| {
        for group in &config.multicast_groups {
            if ui
                .small_button(tf("Leave {group}", &[("group", group)]))
                .clicked()
            {
                actions.push(PageAction::LeaveGroup(*group));
            }
        }
    });
    ui.add_enabled_ui(editable, |ui| {
        ui.horizontal(|ui| {
            labelled_field(ui, t("TTL"), &mut config.multicast_ttl, 30.0, editable).on_hover_text(
                t("Hops our multicast datagrams may cross; empty: 1 (this network)"),
            );
        });
        ui.checkbox(&mut config.multicast_loop, t("Multicast loop"))
            .on_hover_text(t("Deliver our own multicast datagrams to this machine too"));
    });
}

/// Periodic sends of the message, and (TCP) a send cut into several writes.
fn repeat(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let repeating = page.is_repeating();
    let kind = page.kind();
    let config = page.config_mut();
    ui.horizontal(|ui| {
        labelled_field(
            ui,
            t("Every ms"),
            &mut config.repeat_interval_ms,
            50.0,
            !repeating,
        );
    });
    // One field a row: the panel is narrow on a projector.
    ui.horizontal(|ui| {
        labelled_field(ui, t("Times"), &mut config.repeat_times, 40.0, !repeating)
            .on_hover_text(t("0: until stopped"));
    });
    if switch_button(ui, repeating, [t("Repeat"), t("Stop repeat")])
        .on_hover_text(t("Send the message periodically"))
        .clicked()
    {
        actions.push(PageAction::ToggleRepeat);
    }
    if kind != SessionKind::Udp {
        ui.separator();
        ui.horizontal(|ui| super::split_writes_field(ui, config));
        ui.horizontal(|ui| super::split_gap_field(ui, config));
    }
}

/// A field of seconds on a row of its own, with what it means on hover.
fn seconds_row(ui: &mut Ui, label: &str, value: &mut String, editable: bool, hint: &str) {
    ui.horizontal(|ui| {
        labelled_field(ui, label, value, 40.0, editable).on_hover_text(hint);
    });
}
