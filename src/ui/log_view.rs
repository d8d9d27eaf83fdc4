use chrono::{DateTime, Local};
use egui::{Color32, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::codec::TextEncoding;
use crate::codec::hex::format_hex;
use crate::codec::render::{hex_dump, one_line};
use crate::log::{Direction, LogRow};
use crate::page::{DisplayMode, Page};

pub fn draw(page: &mut Page, ui: &mut Ui) {
    toolbar(page, ui);
    ui.separator();
    table(page, ui);
}

fn toolbar(page: &mut Page, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        ui.selectable_value(&mut page.config.display, DisplayMode::Text, "Show text");
        ui.selectable_value(&mut page.config.display, DisplayMode::Hex, "Show hex");
        ui.selectable_value(&mut page.config.display, DisplayMode::Both, "Show both");
        ui.separator();
        let mut encoding = page.config.encoding;
        egui::ComboBox::from_label("Encoding")
            .selected_text(encoding.label())
            .show_ui(ui, |ui| {
                for choice in TextEncoding::ALL {
                    ui.selectable_value(&mut encoding, choice, choice.label());
                }
            });
        if encoding != page.config.encoding {
            page.set_encoding(encoding);
        }
        ui.separator();
        let pause = if page.paused_at.is_some() {
            "Resume"
        } else {
            "Pause"
        };
        if ui.button(pause).clicked() {
            page.paused_at = match page.paused_at {
                Some(_) => None,
                None => Some(page.log.rows().len()),
            };
        }
        if ui.button("Clear").clicked() {
            page.log.clear();
            page.paused_at = page.paused_at.map(|_| 0);
        }
        ui.separator();
        let totals = page.totals();
        ui.label(format!(
            "RX {} B / {} msg · TX {} B / {} msg",
            totals.rx_bytes, totals.rx_messages, totals.tx_bytes, totals.tx_messages
        ));
        if ui.button("Reset counters").clicked() {
            page.reset_totals();
        }
    });
}

fn direction_color(direction: Direction, dark: bool) -> Color32 {
    match (direction, dark) {
        (Direction::Rx, true) => Color32::from_rgb(0x56, 0xD3, 0x64),
        (Direction::Rx, false) => Color32::from_rgb(0x1A, 0x7F, 0x37),
        (Direction::Tx, true) => Color32::from_rgb(0x58, 0xA6, 0xFF),
        (Direction::Tx, false) => Color32::from_rgb(0x09, 0x69, 0xDA),
        (Direction::Info, _) => Color32::GRAY,
        (Direction::Error, _) => Color32::from_rgb(0xE5, 0x48, 0x4D),
    }
}

/// The rows the view shows: the first `n` (Pause froze the view at `n`), or one client's.
/// Without a filter nothing is collected, so a frame costs the same for a million rows.
enum Shown {
    First(usize),
    Only(Vec<usize>),
}

impl Shown {
    fn of(page: &Page) -> Shown {
        let end = page
            .paused_at
            .unwrap_or(usize::MAX)
            .min(page.log.rows().len());
        match page.selected_client.filter(|_| page.only_selected_client) {
            Some(id) => Shown::Only(
                (0..end)
                    .filter(|&i| page.log.rows()[i].client == Some(id))
                    .collect(),
            ),
            None => Shown::First(end),
        }
    }

    fn len(&self) -> usize {
        match self {
            Shown::First(n) => *n,
            Shown::Only(rows) => rows.len(),
        }
    }

    /// The log index of the `i`th shown row.
    fn row(&self, i: usize) -> usize {
        match self {
            Shown::First(_) => i,
            Shown::Only(rows) => rows[i],
        }
    }
}

fn table(page: &Page, ui: &mut Ui) {
    let rows = page.log.rows();
    let shown = Shown::of(page);
    let dark = ui.visuals().dark_mode;
    let line_height = ui
        .text_style_height(&egui::TextStyle::Monospace)
        .max(ui.spacing().interact_size.y);
    let mono = |text: String| RichText::new(text).monospace();
    let table = TableBuilder::new(ui)
        .striped(true)
        .stick_to_bottom(page.paused_at.is_none())
        .column(Column::auto().at_least(96.0))
        .column(Column::auto().at_least(44.0))
        .column(Column::auto().at_least(150.0))
        .column(Column::auto().at_least(56.0))
        .column(Column::remainder().clip(true))
        .header(line_height, |mut header| {
            for title in ["Time", "Dir", "Peer", "Length", "Content"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        });
    let mut add_row = |mut table_row: egui_extras::TableRow<'_, '_>| {
        let row: &LogRow = &rows[shown.row(table_row.index())];
        let color = direction_color(row.direction, dark);
        table_row.col(|ui| {
            ui.label(mono(
                DateTime::<Local>::from(row.time)
                    .format("%H:%M:%S%.3f")
                    .to_string(),
            ));
        });
        table_row.col(|ui| {
            ui.label(mono(row.direction.label().to_string()).color(color));
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
            let content = match (row.direction, page.config.display) {
                (Direction::Info | Direction::Error, _) => row.text.clone(),
                (_, DisplayMode::Text) => one_line(&row.text),
                (_, DisplayMode::Hex) => format_hex(&row.data),
                (_, DisplayMode::Both) => {
                    format!("{}\n{}", one_line(&row.text), hex_dump(&row.data))
                }
            };
            let label = egui::Label::new(mono(content).color(color));
            // One line per row, cut with "…"; the dump of "Show both" keeps its lines.
            let label = if page.config.display == DisplayMode::Both {
                label.extend()
            } else {
                label.truncate()
            };
            ui.add(label);
        });
    };
    table.body(|body| {
        if page.config.display == DisplayMode::Both {
            let heights = (0..shown.len()).map(|i| {
                let row = &rows[shown.row(i)];
                let lines = match row.direction {
                    Direction::Rx | Direction::Tx => 1 + row.data.len().div_ceil(16).max(1),
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
