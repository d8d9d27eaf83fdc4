//! The Demo tab: one click starts a server and a client (or two UDP sockets) on this machine,
//! shown side by side, each with its send box and its sequence chart.

use crate::gui::i18n::{t, tf};
use egui::{RichText, Ui};

use crate::gui::app::App;
use crate::gui::model::demo::Demo;
use crate::gui::model::page::{Page, PageAction};
use crate::net::SessionKind;

pub fn draw(app: &mut App, ui: &mut Ui) {
    ui.horizontal(|ui| {
        if ui
            .button(t("Start TCP demo"))
            .on_hover_text(t(
                "A TCP server on 127.0.0.1 (a free port) and a client connected to it",
            ))
            .clicked()
        {
            restart(app, Demo::tcp(app.waker.clone()));
        }
        if ui
            .button(t("Start UDP demo"))
            .on_hover_text(t("Two UDP sockets on 127.0.0.1, each sending to the other"))
            .clicked()
        {
            restart(app, Demo::udp(app.waker.clone()));
        }
        if let Some(demo) = &mut app.demo {
            super::python_view::switch(&mut demo.python, t("Python"), ui);
        }
        if app.demo.is_some()
            && ui.button(t("Stop demo")).clicked()
            && let Some(mut demo) = app.demo.take()
        {
            demo.close();
        }
    });
    let Some(demo) = &mut app.demo else {
        ui.label(t(
            "Shows how sockets talk, on one screen: connect, send, sticky packets (Writes, \
             Apart, No delay), FIN (Disconnect) versus RST (Close with RST), and UDP datagrams. \
             Everything stays on this machine.",
        ));
        return;
    };
    ui.separator();
    let waker = app.waker.clone();
    let python = demo.python;
    ui.columns(2, |columns| {
        for (index, (column, page)) in columns.iter_mut().zip(&mut demo.pages).enumerate() {
            column.push_id(index, |ui| {
                // Each side draws only inside its own half.
                ui.set_clip_rect(ui.max_rect().intersect(ui.clip_rect()));
                side(page, index, python, waker.clone(), ui)
            });
        }
    });
}

fn restart(app: &mut App, mut demo: Demo) {
    if let Some(mut old) = app.demo.take() {
        // A lecture keeps its Python view across demos.
        demo.python = old.python;
        old.close();
    }
    app.demo = Some(demo);
}

fn side(page: &mut Page, index: usize, python: bool, waker: crate::net::Waker, ui: &mut Ui) {
    let title = match (page.kind(), index) {
        (SessionKind::TcpServer, _) => t("TCP server"),
        (SessionKind::TcpClient, _) => t("TCP client"),
        (SessionKind::Relay, _) => t("Relay"),
        (SessionKind::Udp, 0) => t("UDP socket A"),
        (SessionKind::Udp, _) => t("UDP socket B"),
    };
    let mut actions = Vec::new();
    let top = ui.cursor().top();
    ui.label(RichText::new(title).heading().strong());
    ui.add(egui::Label::new(page.status()).truncate());
    if let Some(error) = page.status_error() {
        ui.colored_label(super::palette::error(ui.visuals().dark_mode), error);
    }
    ui.horizontal_wrapped(|ui| match page.kind() {
        SessionKind::TcpClient => {
            ui.checkbox(&mut page.config_mut().nodelay, t("No delay"))
                .on_hover_text(t("TCP_NODELAY: applies when the client connects again"));
            if super::switch_button(ui, page.is_open(), [t("Connect"), t("Disconnect")])
                .on_hover_text(t("Disconnect closes with FIN"))
                .clicked()
            {
                actions.push(PageAction::Toggle);
            }
            if page.is_connected() && ui.button(t("Close with RST")).clicked() {
                actions.push(PageAction::ResetConnection(0));
            }
        }
        SessionKind::TcpServer | SessionKind::Relay => {
            for client in page.clients() {
                if ui
                    .button(tf("Reset client #{id}", &[("id", &client.id)]))
                    .clicked()
                {
                    actions.push(PageAction::ResetConnection(client.id));
                }
            }
        }
        SessionKind::Udp => {}
    });
    message_row(page, &mut actions, ui);
    if let Some(error) = page.send_error() {
        ui.colored_label(super::palette::error(ui.visuals().dark_mode), error);
    }
    // Both charts start at one height, so their rows line up across the halves: the half
    // with fewer controls leaves the room the other's take (as last drawn).
    let used = ui.cursor().top() - top;
    let mine = egui::Id::unique(("demo-controls", index));
    let before = ui.data(|d| d.get_temp::<f32>(mine));
    ui.data_mut(|d| d.insert_temp(mine, used));
    if before.is_none_or(|b| (b - used).abs() > 0.5) {
        ui.ctx().request_repaint();
    }
    let theirs = ui.data(|d| d.get_temp::<f32>(egui::Id::unique(("demo-controls", 1 - index))));
    if let Some(theirs) = theirs.filter(|&h| h > used) {
        ui.add_space(theirs - used);
    }
    ui.separator();
    let shown = page.shown_rows();
    if python {
        // The chart above, the Python peer's calls below it.
        let size = egui::vec2(ui.available_width(), ui.available_height() * 0.55);
        ui.allocate_ui(size, |ui| super::chart_view::draw(page, &shown, ui));
        ui.separator();
        super::python_view::demo_list(page, ui);
    } else {
        super::chart_view::draw(page, &shown, ui);
    }
    for action in actions {
        page.perform(action, &waker);
    }
}

/// The parts of a half's message row, each kept whole when the row wraps.
#[derive(Clone, Copy)]
enum Part {
    Message,
    Writes,
    Apart,
}

/// The message box, Send, and for TCP the split of a send into writes.
fn message_row(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let parts: &[Part] = match page.kind() {
        SessionKind::Udp => &[Part::Message],
        _ => &[Part::Message, Part::Writes, Part::Apart],
    };
    let salt = format!("demo-message-{:?}", page.kind());
    super::overflow::wrap(ui, &salt, parts, |ui, part| match part {
        Part::Message => {
            let label = ui.label(t("Message"));
            let field = ui
                .add(egui::TextEdit::singleline(page.message_mut()).desired_width(120.0))
                .labelled_by(label.id);
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button(t("Send")).clicked() || enter {
                actions.push(PageAction::Send);
            }
        }
        Part::Writes => super::split_writes_field(ui, page.config_mut()),
        Part::Apart => super::split_gap_field(ui, page.config_mut()),
    });
}
