//! The log: toolbar, filter and find bars, and the table of rows (only visible rows laid out).

use crate::gui::i18n::{t, tf};
use chrono::{DateTime, Local};
use egui::{Color32, Key, Modifiers, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::codec::TextEncoding;
use crate::codec::hex::format_hex;
use crate::codec::render::{hex_dump, one_line};
use crate::gui::model::log::{Direction, LogRow};
use crate::gui::model::page::{DisplayMode, LogView, Page, ShownRows};
use crate::gui::view::{labelled_combo, labelled_field, palette};

pub fn draw(page: &mut Page, ui: &mut Ui) {
    toolbar(page, ui);
    filter_bar(page, ui);
    let shown = page.shown_rows();
    find_bar(page, ui);
    ui.separator();
    match page.config.view {
        LogView::Table => table(page, &shown, ui),
        LogView::Chart => super::chart_view::draw(page, &shown, ui),
        LogView::Plots => super::plots_view::draw(page, &shown, ui),
    }
}

fn toolbar(page: &mut Page, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        let view = &mut page.config.view;
        ui.selectable_value(view, LogView::Table, t("Table"));
        ui.selectable_value(view, LogView::Chart, t("Sequence chart"))
            .on_hover_text(t(
                "A lane for this end and each peer; an arrow per connect, message, FIN and RST",
            ));
        ui.selectable_value(view, LogView::Plots, t("Plots"))
            .on_hover_text(t(
                "Bytes per second in and out; round trips (a send to the next reply)",
            ));
        ui.separator();
        ui.selectable_value(&mut page.config.display, DisplayMode::Text, t("Show text"));
        ui.selectable_value(&mut page.config.display, DisplayMode::Hex, t("Show hex"));
        ui.selectable_value(&mut page.config.display, DisplayMode::Both, t("Show both"));
        ui.separator();
        let mut encoding = page.config.encoding;
        labelled_combo(ui, t("Encoding"), encoding.label(), |ui| {
            for choice in TextEncoding::ALL {
                ui.selectable_value(&mut encoding, choice, choice.label());
            }
        });
        if encoding != page.config.encoding {
            page.set_encoding(encoding);
        }
        ui.separator();
        let pause = if page.paused_at.is_some() {
            t("Resume")
        } else {
            t("Pause")
        };
        if ui.button(pause).clicked() {
            page.toggle_pause();
        }
        if ui.button(t("Clear")).clicked() {
            page.log.clear();
        }
        ui.separator();
        let totals = page.totals();
        ui.label(tf(
            "RX {rx} B / {rxm} msg · TX {tx} B / {txm} msg",
            &[
                ("rx", &totals.rx_bytes),
                ("rxm", &totals.rx_messages),
                ("tx", &totals.tx_bytes),
                ("txm", &totals.tx_messages),
            ],
        ));
        if ui.button(t("Reset counters")).clicked() {
            page.reset_totals();
        }
    });
}

fn filter_bar(page: &mut Page, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        ui.label(t("Show:"));
        ui.checkbox(&mut page.filter.rx, t("RX"));
        ui.checkbox(&mut page.filter.tx, t("TX"));
        ui.checkbox(&mut page.filter.events, t("Events"));
        labelled_field(ui, t("Filter peer"), &mut page.filter.peer, 110.0, true);
        labelled_field(ui, t("Filter text"), &mut page.filter.text, 110.0, true)
            .on_hover_text(t("Text or hex (\"01 03\"), any case"));
        let mut limit = page.config.row_limit.to_string();
        if labelled_field(ui, t("Keep rows"), &mut limit, 70.0, true)
            .on_hover_text(t(
                "Older rows are dropped; counters and captures stay exact",
            ))
            .changed()
            && let Ok(limit) = limit.trim().parse::<usize>()
        {
            page.config.row_limit = limit.max(1);
            page.log.set_limit(page.config.row_limit);
        }
        if ui.button(t("Find")).on_hover_text(t("Ctrl+F")).clicked() {
            page.find_open = !page.find_open;
        }
    });
}

fn find_bar(page: &mut Page, ui: &mut Ui) {
    if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
        page.find_open = true;
        ui.memory_mut(|m| m.request_focus(find_id()));
    }
    if !page.find_open {
        return;
    }
    ui.horizontal(|ui| {
        let label = ui.label(t("Find"));
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut page.find)
                    .id(find_id())
                    .desired_width(160.0),
            )
            .labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        if field.changed() {
            page.found = None;
        }
        let matches = page.find_matches();
        if ui.button(t("Previous")).clicked() {
            page.find_next(false);
        }
        if ui.button(t("Next")).clicked() || enter {
            page.find_next(true);
        }
        let current = page
            .found
            .and_then(|n| n.checked_sub(page.log.first()))
            .and_then(|row| matches.as_ref()?.position(row as usize));
        let count = matches.as_ref().map_or(0, |m| m.len());
        ui.label(match (current, count) {
            (_, 0) if !page.find.is_empty() => t("no match").to_string(),
            (Some(at), n) => tf("{at} of {n}", &[("at", &(at + 1)), ("n", &n)]),
            (None, n) => tf("{n} matches", &[("n", &n)]),
        });
        if ui.button(t("Close find")).clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
            page.find_open = false;
            page.found = None;
        }
    });
}

fn find_id() -> egui::Id {
    egui::Id::unique("log-find")
}

fn direction_color(direction: Direction, dark: bool) -> Color32 {
    match direction {
        Direction::Rx => palette::received(dark),
        Direction::Tx => palette::sent(dark),
        Direction::Info => palette::note(dark),
        Direction::Error => palette::ERROR,
    }
}

fn row_content(row: &LogRow, display: DisplayMode) -> String {
    match (row.direction, display) {
        (Direction::Info | Direction::Error, _) => row.text.clone(),
        (_, DisplayMode::Text) => one_line(&row.text),
        (_, DisplayMode::Hex) => format_hex(row.data),
        (_, DisplayMode::Both) => format!("{}\n{}", one_line(&row.text), hex_dump(row.data)),
    }
}

fn table(page: &mut Page, shown: &ShownRows, ui: &mut Ui) {
    let dark = ui.visuals().dark_mode;
    let line_height = ui
        .text_style_height(&egui::TextStyle::Monospace)
        .max(ui.spacing().interact_size.y);
    let mono = |text: String| RichText::new(text).monospace();
    let found = page
        .found
        .and_then(|n| n.checked_sub(page.log.first()))
        .and_then(|row| shown.position(row as usize));
    // Rows take the clicks (context menu to copy), so their labels must not select text.
    ui.style_mut().interaction.selectable_labels = false;
    let mut builder = TableBuilder::new(ui)
        .striped(true)
        .sense(egui::Sense::click())
        .stick_to_bottom(page.paused_at.is_none() && found.is_none())
        .column(Column::auto().at_least(96.0))
        .column(Column::auto().at_least(44.0))
        .column(Column::auto().at_least(150.0))
        .column(Column::auto().at_least(56.0))
        .column(Column::remainder().clip(true));
    if let Some(position) = found.filter(|_| std::mem::take(&mut page.scroll_to_found)) {
        builder = builder.scroll_to_row(position, Some(egui::Align::Center));
    }
    let page = &*page;
    let table = builder.header(line_height, |mut header| {
        for title in [t("Time"), t("Dir"), t("Peer"), t("Length"), t("Content")] {
            header.col(|ui| {
                ui.strong(title);
            });
        }
    });
    let mut add_row = |mut table_row: egui_extras::TableRow<'_, '_>| {
        let row: LogRow = page.log.row(shown.row(table_row.index()));
        table_row.set_selected(found == Some(table_row.index()));
        let color = direction_color(row.direction, dark);
        table_row.col(|ui| {
            ui.label(mono(
                DateTime::<Local>::from(row.time)
                    .format("%H:%M:%S%.3f")
                    .to_string(),
            ));
        });
        table_row.col(|ui| {
            ui.label(mono(t(row.direction.label()).to_string()).color(color));
        });
        table_row.col(|ui| {
            let peer = row.peer.map(|p| p.to_string()).unwrap_or_default();
            let text = match row.client {
                Some(id) => format!("#{id} {peer}"),
                None => peer,
            };
            ui.label(mono(text));
        });
        table_row.col(|ui| {
            if matches!(row.direction, Direction::Rx | Direction::Tx) {
                ui.label(mono(format!("{} B", row.data.len())));
            }
        });
        table_row.col(|ui| {
            let label = egui::Label::new(mono(row_content(&row, page.config.display)).color(color));
            // One line per row, cut with "…"; the dump of "Show both" keeps its lines.
            let label = if page.config.display == DisplayMode::Both {
                label.extend()
            } else {
                label.truncate()
            };
            ui.add(label);
        });
        table_row.response().context_menu(|ui| {
            if ui.button(t("Copy as text")).clicked() {
                ui.ctx().copy_text(row.text.clone());
                ui.close();
            }
            if ui.button(t("Copy as hex")).clicked() {
                ui.ctx().copy_text(format_hex(row.data));
                ui.close();
            }
        });
    };
    table.body(|body| {
        if page.config.display == DisplayMode::Both {
            let heights = (0..shown.len()).map(|i| {
                let row = shown.row(i);
                let lines = match page.log.direction(row) {
                    Direction::Rx | Direction::Tx => 1 + page.log.data_len(row).div_ceil(16).max(1),
                    _ => 1,
                };
                lines as f32 * line_height
            });
            body.heterogeneous_rows(heights, &mut add_row);
        } else {
            body.rows(line_height, shown.len(), &mut add_row);
        }
    });
}
