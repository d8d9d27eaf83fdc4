//! The send panel at the window's foot: the message box, its format (text or hex, escapes, line
//! ending, checksum, WebSocket frames), the client to send to and Send, and one line kept for why a message was
//! not sent, so nothing here moves when an error comes or goes.

use crate::gui::i18n::{t, tf};
use egui::{Key, Modifiers, RichText, Ui};

use crate::codec::websocket::DataFrames;
use crate::codec::{Checksum, InputMode, LineEnding};
use crate::gui::model::log::{Note, kernel_dropped};
use crate::gui::model::page::{Page, PageAction};
use crate::gui::view::{choice_combo, palette};
use crate::net::SessionKind;

/// Below this window height (in points) the message box shows two lines, not three.
const SHORT_WINDOW: f32 = 600.0;

pub fn draw(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    ui.add_space(2.0);
    // Ctrl+Enter sends from anywhere in the window; taken before the text box sees it.
    let send_shortcut = ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter));
    super::keys::send_presets(page.config().presets.len(), actions, ui);
    let rows = if ui.ctx().content_rect().height() < SHORT_WINDOW {
        2
    } else {
        3
    };
    // Send sits right of the box, as in NetAssist: it stays put whatever the format row holds.
    ui.horizontal(|ui| {
        let label = ui.label(t("Message"));
        let hint = match page.config().input_mode {
            InputMode::Text => t("Text to send (Ctrl+Enter sends)"),
            InputMode::Hex => t("Hex bytes, e.g. 48 65 6C 6C 6F (Ctrl+Enter sends)"),
        };
        let send_width = super::widest(ui, &[t("Send")], egui::TextStyle::Button)
            + 2.0 * ui.spacing().button_padding.x;
        let box_width = ui.available_width() - send_width - ui.spacing().item_spacing.x;
        let edited = ui
            .add(
                egui::TextEdit::multiline(page.message_mut())
                    .desired_rows(rows)
                    .desired_width(box_width)
                    .hint_text(hint),
            )
            .labelled_by(label.id)
            .on_hover_text(t(
                "Variables: ${seq} (1, 2, 3… for each send), ${time}, ${random:MIN:MAX}, ${hex:0D 0A}",
            ))
            .changed();
        if edited {
            actions.push(PageAction::MessageEdited);
        }
        if ui.button(t("Send")).clicked() || send_shortcut {
            actions.push(PageAction::Send);
        }
    });
    use Format as F;
    let mut groups = match page.kind() {
        SessionKind::TcpServer => vec![F::Mode, F::Ending, F::Checksum, F::Client],
        SessionKind::Relay => vec![F::Mode, F::Ending, F::Checksum, F::Toward, F::Client],
        _ => vec![F::Mode, F::Ending, F::Checksum],
    };
    if page.speaks_websocket() {
        groups.insert(3, F::Frames);
    }
    super::overflow::wrap(ui, "send-format", &groups, |ui, group| {
        let mode = page.config().input_mode;
        match group {
            Format::Mode => {
                for (choice, label) in [(InputMode::Text, t("Text")), (InputMode::Hex, t("Hex"))] {
                    if ui.selectable_label(mode == choice, label).clicked() && mode != choice {
                        actions.push(PageAction::SetInputMode(choice));
                    }
                }
                ui.add_enabled(
                    mode == InputMode::Text,
                    egui::Checkbox::new(&mut page.config_mut().escapes, t("Escapes")),
                )
                .on_hover_text(t(r"Read \r \n \t \\ \0 and \xNN in the text"));
            }
            Format::Ending => {
                let ending = &mut page.config_mut().line_ending;
                choice_combo(ui, t("Line ending"), ending, &LineEnding::ALL, |e| {
                    t(e.label())
                });
            }
            Format::Checksum => {
                let checksum = &mut page.config_mut().checksum;
                choice_combo(ui, t("Checksum"), checksum, &Checksum::ALL, |c| t(c.name()))
                    .on_hover_text(t("Appended to each message, before the line ending"));
            }
            Format::Frames => frames_choice(page, actions, ui),
            Format::Toward => toward_choice(page, ui),
            Format::Client => client_choice(page, actions, ui),
        }
    });
    // The last line, as a status bar: the counters on the right in a slot of their own width,
    // and the send error on the left. The line is always there, so the box above never jumps.
    ui.horizontal(|ui| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.small_button(t("Reset counters")).clicked() {
                actions.push(PageAction::ResetTotals);
            }
            counters(page, ui);
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                // A send that failed; else datagrams the kernel dropped, while there are any.
                let dropped = page.totals().kernel_dropped;
                let error = match page.send_error() {
                    Some(error) => error.to_string(),
                    None if dropped > 0 => kernel_dropped(dropped),
                    None => " ".to_string(),
                };
                ui.add(
                    egui::Label::new(
                        RichText::new(error).color(palette::error(ui.visuals().dark_mode)),
                    )
                    .truncate(),
                );
            });
        });
    });
}

/// Bytes and messages each way since the page opened (or the last reset); for UDP where the
/// kernel does not count the datagrams it drops, that it does not (not a 0 that looks measured).
fn counters(page: &Page, ui: &mut Ui) {
    let totals = page.totals();
    let uncounted = (page.kind() == SessionKind::Udp)
        .then(Note::drops_not_counted)
        .flatten();
    let figures = |rx: &dyn std::fmt::Display, rxm, tx: &dyn std::fmt::Display, txm| {
        let figures = tf(
            "RX {rx} / {rxm} msg · TX {tx} / {txm} msg",
            &[("rx", rx), ("rxm", rxm), ("tx", tx), ("txm", txm)],
        );
        // Short in the row, which must fit a projector's width; the whole sentence on hover.
        match &uncounted {
            Some(_) => format!("{figures} · {}", t("drops not counted")),
            None => figures,
        }
    };
    let size = |n: u64| crate::codec::format_size(n as usize);
    let text = figures(
        &size(totals.rx_bytes),
        &totals.rx_messages,
        &size(totals.tx_bytes),
        &totals.tx_messages,
    );
    let widest = figures(&"1023.9 MiB", &"99999999", &"1023.9 MiB", &"99999999");
    let row = super::fixed_label(ui, text, &widest);
    if let Some(words) = uncounted {
        row.on_hover_text(words);
    }
}

/// The groups of the format row, each kept whole when the row wraps.
#[derive(Clone, Copy)]
enum Format {
    Mode,
    Ending,
    Checksum,
    /// On a WebSocket connection: text or binary frames.
    Frames,
    /// A relay: which end a message goes to.
    Toward,
    Client,
}

/// On a WebSocket connection: the frame each message goes out in.
fn frames_choice(page: &Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let mut frames = page.config().data_frames;
    let name = |frames: DataFrames| match frames {
        DataFrames::ByContent => t("Text if UTF-8"),
        DataFrames::Text => t("Text"),
        DataFrames::Binary => t("Binary"),
    };
    super::choice_combo(ui, t("Frames"), &mut frames, &DataFrames::ALL, name).on_hover_text(t(
        "The WebSocket frame each message goes out in: text when its bytes are UTF-8 (else binary), always text, or always binary (for a device that reads bytes, even bytes that spell ASCII)",
    ));
    if frames != page.config().data_frames {
        actions.push(PageAction::SetDataFrames(frames));
    }
}

/// A relay: inject into the stream toward the target, or toward the client.
fn toward_choice(page: &mut Page, ui: &mut Ui) {
    let toward_client = &mut page.config_mut().inject_toward_client;
    for (choice, label, hint) in [
        (
            false,
            t("To target"),
            t("Sent to the target, as if the client had sent it"),
        ),
        (
            true,
            t("To client"),
            t("Sent to the client, as if the target had sent it"),
        ),
    ] {
        if ui
            .selectable_label(*toward_client == choice, label)
            .on_hover_text(hint)
            .clicked()
        {
            *toward_client = choice;
        }
    }
}

/// TCP server and relay: all clients, or one.
fn client_choice(page: &Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let chosen = match page.selected_client() {
        None => t("All clients").to_string(),
        Some(id) => tf("Client #{id}", &[("id", &id)]),
    };
    super::labelled_combo(ui, t("Send to"), chosen, |ui| {
        if ui
            .selectable_label(page.selected_client().is_none(), t("All clients"))
            .clicked()
        {
            actions.push(PageAction::SelectClient(None));
        }
        for client in page.clients() {
            let text = tf("Client #{id}", &[("id", &client.id)]) + " " + &client.peer.to_string();
            let selected = page.selected_client() == Some(client.id);
            if ui.selectable_label(selected, text).clicked() {
                actions.push(PageAction::SelectClient(Some(client.id)));
            }
        }
    });
}
