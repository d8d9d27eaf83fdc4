//! The connection rows: addresses and ports, the Connect/Listen/Open button that follows the
//! state, and a status row with the sessions of the tab, where the session stands, the last
//! error and the auto-reply badge. TCP options and multicast live in the tool panel.

use crate::gui::i18n::{t, tf};
use std::net::IpAddr;

use egui::{RichText, Ui};

use crate::gui::app::Tab;
use crate::gui::model::page::{Page, PageAction};
use crate::gui::view::{labelled_field, palette, switch_button};
use crate::net::SessionKind;

const HOST_WIDTH: f32 = 140.0;
/// A port field shows the widest port, 65535, whole: the digits, the field's margins and
/// frame (thicker in presentation), and the cursor.
fn port_width(ui: &Ui) -> f32 {
    super::widest(ui, &["65535"], egui::TextStyle::Body) + 24.0
}

pub fn draw(
    tab: &mut Tab,
    interfaces: &[IpAddr],
    tools_open: &mut bool,
    actions: &mut Vec<PageAction>,
    ui: &mut Ui,
) {
    let page = tab.page();
    use Group::*;
    let groups: &[Group] = match page.kind() {
        SessionKind::Udp => &[Local, Toggle, SendTo, UdpOptions],
        SessionKind::Relay => &[Local, RelayTarget, Toggle],
        SessionKind::TcpClient | SessionKind::TcpServer => &[Local, Toggle, Tls],
    };
    // On a narrow window whole groups move to the next row; a label never parts from its field.
    super::overflow::wrap(ui, "connection", groups, |ui, group| match group {
        Group::Local => addresses(page, interfaces, ui),
        Group::RelayTarget => relay_target(page, ui),
        Group::Toggle => toggle(page, actions, ui),
        Group::SendTo => send_to(page, ui),
        Group::UdpOptions => udp_options(page, ui),
        Group::Tls => tls_switches(page, ui),
    });
    ui.horizontal(|ui| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if switch_button(ui, *tools_open, [t("Show tools"), t("Hide tools")])
                .on_hover_text(t(
                    "Options, periodic sends, presets, files, auto-reply, recording",
                ))
                .clicked()
            {
                *tools_open = !*tools_open;
            }
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                super::session_strip::draw(tab, ui);
                let page = tab.page();
                super::answers_badge(page, ui);
                let status = page.status();
                // An error first: it matters more than where the session stands, and the
                // status ("Connected to … from local …") would leave it a few characters.
                let Some(error) = page.status_error() else {
                    ui.add(egui::Label::new(status).truncate());
                    return;
                };
                // The status after it if both fit whole, else only on the error's hover: cut
                // to a lone "…" beside "Hide tools" it said nothing.
                let both = super::widest(ui, &[error], egui::TextStyle::Body)
                    + ui.spacing().item_spacing.x
                    + super::widest(ui, &[&status], egui::TextStyle::Body);
                let error = egui::Label::new(
                    RichText::new(error).color(palette::error(ui.visuals().dark_mode)),
                )
                .truncate();
                if both <= ui.available_width() {
                    ui.add(error);
                    ui.add(egui::Label::new(status));
                } else {
                    ui.add(error).on_hover_text(status);
                }
            });
        });
    });
}

/// The parts of the connection row, each kept whole when the row wraps.
#[derive(Clone, Copy)]
enum Group {
    Local,
    /// A relay's target.
    RelayTarget,
    Toggle,
    SendTo,
    UdpOptions,
    /// A TCP client's TLS switches; a server's TLS and WebSocket switches.
    Tls,
}

/// The peer (TCP client) or the local address to bind (server, UDP).
fn addresses(page: &mut Page, interfaces: &[IpAddr], ui: &mut Ui) {
    let editable = !page.is_open();
    let kind = page.kind();
    let port_in_url = page.port_in_url();
    let config = page.config_mut();
    match kind {
        SessionKind::TcpClient => {
            labelled_field(ui, t("Host"), &mut config.host, HOST_WIDTH, editable)
                .on_hover_text(t(
                    "A host name or address, or a WebSocket URL: ws://host/path, or wss:// over TLS (Port is used when the URL names none)",
                ));
            match port_in_url {
                // The URL's port is the one used: shown, and Port's own text kept for later.
                Some(port) => {
                    labelled_field(ui, t("Port"), &mut port.to_string(), port_width(ui), false)
                        .on_disabled_hover_text(t("The URL in Host names its port"));
                }
                None => {
                    labelled_field(ui, t("Port"), &mut config.port, port_width(ui), editable);
                }
            }
        }
        SessionKind::TcpServer | SessionKind::Udp | SessionKind::Relay => {
            let (address, port) = match kind {
                SessionKind::Udp => (t("Local address"), t("Local port")),
                SessionKind::Relay => (t("Listen on"), t("Port")),
                _ => (t("Address"), t("Port")),
            };
            bind_address(ui, address, &mut config.bind_address, interfaces, editable);
            labelled_field(ui, port, &mut config.bind_port, port_width(ui), editable);
        }
    }
}

/// Connect, Listen or Open (and their opposites), one width whatever they say.
fn toggle(page: &Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let kind = page.kind();
    let labels = match kind {
        SessionKind::TcpClient => [t("Connect"), t("Disconnect")],
        SessionKind::TcpServer => [t("Listen"), t("Stop")],
        SessionKind::Udp => [t("Open"), t("Close")],
        SessionKind::Relay => [t("Start relay"), t("Stop")],
    };
    if switch_button(ui, page.is_open(), labels).clicked() {
        actions.push(PageAction::Toggle);
    }
    if kind == SessionKind::TcpClient
        && page.is_connected()
        && ui
            .button(t("Close with RST"))
            .on_hover_text(t("SO_LINGER 0: the peer's next read fails with \"connection reset\" (Disconnect closes with FIN)"))
            .clicked()
    {
        actions.push(PageAction::ResetConnection(0));
    }
}

/// TCP client and server: TLS; a client's "Accept any certificate" in orange while it is on
/// (the peer is not checked); a server's WebSocket switch. Names, CA and certificate files
/// are in the tool panel.
fn tls_switches(page: &mut Page, ui: &mut Ui) {
    let editable = !page.is_open();
    let kind = page.kind();
    let dark = ui.visuals().dark_mode;
    let config = page.config_mut();
    let hint = if kind == SessionKind::TcpServer {
        t("Speak TLS with each client, presenting the certificate set in the tool panel")
    } else {
        t(
            "Speak TLS: the server's certificate is checked against the system's roots or a CA file (tool panel)",
        )
    };
    ui.add_enabled(editable, egui::Checkbox::new(&mut config.tls, t("TLS")))
        .on_hover_text(hint);
    if kind == SessionKind::TcpServer {
        ui.add_enabled(
            editable,
            egui::Checkbox::new(&mut config.websocket, t("WebSocket")),
        )
        .on_hover_text(t(
            "Take each client's WebSocket upgrade: each message is a frame, pings are answered (with TLS: wss://)",
        ));
    }
    if config.tls && kind == SessionKind::TcpClient {
        let label = if config.tls_accept_any {
            RichText::new(t("Accept any certificate")).color(palette::warning(dark))
        } else {
            RichText::new(t("Accept any certificate"))
        };
        // A warning stays readable while the session runs (a disabled widget is drawn at
        // half alpha: the light theme's orange fell to about 3:1 against the panel).
        ui.scope(|ui| {
            let alpha = palette::disabled_text_alpha(ui.visuals(), config.tls_accept_any);
            ui.visuals_mut().disabled_alpha = alpha;
            ui.add_enabled(
                editable,
                egui::Checkbox::new(&mut config.tls_accept_any, label),
            )
        })
        .inner
        .on_hover_text(t(
            "For devices with self-signed certificates: the certificate is not checked, so whoever sits between could read and change the traffic",
        ));
    }
}

/// Relay: where each client is connected through to.
fn relay_target(page: &mut Page, ui: &mut Ui) {
    let editable = !page.is_open();
    let config = page.config_mut();
    ui.label(t("to")).on_hover_text(t(
        "Each client that connects here is connected through to this target; bytes pass both ways",
    ));
    labelled_field(ui, t("Target host"), &mut config.host, HOST_WIDTH, editable);
    labelled_field(
        ui,
        t("Target port"),
        &mut config.port,
        port_width(ui),
        editable,
    );
}

/// UDP: where datagrams go.
fn send_to(page: &mut Page, ui: &mut Ui) {
    let config = page.config_mut();
    let replying = config.reply_to_last_sender;
    ui.label(t("Send to:"));
    labelled_field(ui, t("Host"), &mut config.host, HOST_WIDTH, !replying);
    labelled_field(ui, t("Port"), &mut config.port, port_width(ui), !replying);
}

/// UDP: answer whoever sent last; broadcast (switchable while open).
fn udp_options(page: &mut Page, ui: &mut Ui) {
    let last = page
        .last_sender()
        .map_or(t("no datagram yet").to_string(), |s| s.to_string());
    let config = page.config_mut();
    ui.checkbox(&mut config.reply_to_last_sender, t("Reply to last sender"))
        .on_hover_text(tf("Last sender: {last}", &[("last", &last)]));
    ui.checkbox(&mut config.broadcast, t("Broadcast"))
        .on_hover_text(t(
            "Allow sending to broadcast addresses such as 255.255.255.255",
        ));
}

/// A bind address: typed, or picked from this machine's addresses.
fn bind_address(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    interfaces: &[IpAddr],
    enabled: bool,
) {
    labelled_field(ui, label, value, 110.0, enabled);
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
