//! The log's table: only visible rows are laid out, and an address never breaks after its
//! colon. On a narrow log (a projector) the columns other than Content take only what they
//! need (a short time, a Peer column without what every row shares), and a long message
//! wraps onto a second line, so a message's first 40 characters and more are in sight.

use chrono::{DateTime, Local};
use egui::text::{LayoutJob, TextWrapping};
use egui::{Color32, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::codec::hex::format_hex;
use crate::codec::render::{hex_dump, one_line};
use crate::gui::i18n::t;
use crate::gui::model::log::{Direction, LogRow, Mark};
use crate::gui::model::page::{DisplayMode, Page, PageAction, PeerBrevity, ShownRows};
use crate::gui::model::python_peer;
use crate::gui::view::{palette, python_view, widest};
use crate::net::SessionKind;

/// The least widths of Time, Dir, Peer and Length on a wide log, in points.
const FULL_WIDTHS: [f32; 4] = [96.0, 44.0, 150.0, 56.0];
/// The log is narrow when full columns would leave Content fewer characters than this: the
/// other columns then shrink and long messages wrap.
const CONTENT_AT_LEAST: f32 = 40.0;
/// Below this many characters in the Content column, a long message wraps.
const WRAP_BELOW: usize = 60;
/// With the Python column on, the most of the log's width Content takes.
const PYTHON_CONTENT_SHARE: f32 = 0.25;
/// Lines a wrapped message takes at most (the rest is cut with "…").
const WRAPPED_LINES: usize = 2;

/// A table cell on one line: an address is never broken after its colon.
fn cell(ui: &mut Ui, text: RichText) {
    ui.add(egui::Label::new(text).extend());
}

/// "14 B", or "14 B text" for a WebSocket message.
fn length_cell(row: &LogRow<'_>) -> String {
    match row.mark {
        Mark::WebSocket { opcode, .. } => format!("{} B {}", row.data.len(), t(opcode.name())),
        _ => format!("{} B", row.data.len()),
    }
}

fn direction_color(direction: Direction, dark: bool) -> Color32 {
    match direction {
        Direction::Rx => palette::received(dark),
        Direction::Tx => palette::sent(dark),
        Direction::Info => palette::note(dark),
        Direction::Error => palette::error(dark),
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

/// How the columns are laid out this frame.
struct Shape {
    /// The Peer column's brevity on a narrow log; `None`: the whole address.
    brevity: Option<PeerBrevity>,
    time_format: &'static str,
    /// Characters across the Content column (as last drawn), and whether long text wraps.
    per_line: usize,
    wraps: bool,
}

/// Lines row `row` of the log takes in the Content column.
fn lines_of(page: &Page, row: usize, shape: &Shape) -> usize {
    let len = page.log().data_len(row);
    match (page.config().display, page.log().direction(row)) {
        (DisplayMode::Both, Direction::Rx | Direction::Tx) => 1 + len.div_ceil(16).max(1),
        (DisplayMode::Text, Direction::Rx | Direction::Tx) if shape.wraps => {
            // A byte is at most one character cell (a wide character takes 2 or 3 bytes).
            len.div_ceil(shape.per_line).clamp(1, WRAPPED_LINES)
        }
        (DisplayMode::Hex, Direction::Rx | Direction::Tx) if shape.wraps => {
            (len * 3).div_ceil(shape.per_line).clamp(1, WRAPPED_LINES)
        }
        _ => 1,
    }
}

pub fn draw(page: &mut Page, shown: &ShownRows, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let mut python = page.config().python_column;
    table(page, shown, actions, &mut python, ui);
    if python != page.config().python_column {
        page.config_mut().python_column = python;
    }
}

/// The table; `python`: whether the Python column shows (its header's switch).
fn table(
    page: &mut Page,
    shown: &ShownRows,
    actions: &mut Vec<PageAction>,
    python: &mut bool,
    ui: &mut Ui,
) {
    let dark = ui.visuals().dark_mode;
    let mono_font = egui::TextStyle::Monospace.resolve(ui.style());
    let line_height = ui
        .text_style_height(&egui::TextStyle::Monospace)
        .max(ui.spacing().interact_size.y);
    let text_height = ui.text_style_height(&egui::TextStyle::Monospace);
    let char_width = widest(ui, &["0000000000"], egui::TextStyle::Monospace) / 10.0;
    let full_columns: f32 =
        FULL_WIDTHS.iter().sum::<f32>() + FULL_WIDTHS.len() as f32 * ui.spacing().item_spacing.x;
    let narrow = ui.available_width() < full_columns + CONTENT_AT_LEAST * char_width;
    // The Content column's width as last drawn (a first frame guesses half the log).
    let width_id = egui::Id::unique(("log-content-width", page.kind()));
    let content_width = ui
        .data(|d| d.get_temp::<f32>(width_id))
        .unwrap_or(ui.available_width() / 2.0);
    let per_line = ((content_width / char_width).floor() as usize).max(8);
    let shape = Shape {
        brevity: narrow.then(|| page.peer_brevity()),
        time_format: if narrow { "%M:%S%.3f" } else { "%H:%M:%S%.3f" },
        per_line,
        wraps: narrow && per_line < WRAP_BELOW,
    };
    let show_peer = !shape.brevity.is_some_and(|b| b.hidden);
    let mono = |text: String| RichText::new(text).monospace();
    let position_of = |number: Option<u64>| {
        number
            .and_then(|n| n.checked_sub(page.log().first()))
            .and_then(|row| shown.position(row as usize))
    };
    let found = position_of(page.found());
    let selected = position_of(page.selected_row());
    // Rows take the clicks (context menu to copy), so their labels must not select text.
    ui.style_mut().interaction.selectable_labels = false;
    let [time_min, dir_min, peer_min, length_min] = if narrow { [0.0; 4] } else { FULL_WIDTHS };
    let content_at_most = ui.available_width() * PYTHON_CONTENT_SHARE;
    let mut builder = TableBuilder::new(ui)
        // No taller than what is left (egui_extras makes a table at least 200 points tall):
        // on a projector, under a row's details, more would run over them.
        .min_scrolled_height(0.0)
        .striped(true)
        .sense(egui::Sense::click())
        .stick_to_bottom(!page.is_paused() && found.is_none())
        .column(Column::auto().at_least(time_min))
        .column(Column::auto().at_least(dir_min));
    if show_peer {
        builder = builder.column(Column::auto().at_least(peer_min));
    }
    builder = builder.column(Column::auto().at_least(length_min));
    // Lecture mode: each row as the call a Python peer would make (not for a relay), in the
    // room Content leaves it.
    let python_context = python_peer::context(page).filter(|_| *python);
    builder = if python_context.is_some() {
        builder
            .column(Column::auto().at_most(content_at_most).clip(true))
            .column(Column::remainder().clip(true))
    } else {
        builder.column(Column::remainder().clip(true))
    };
    if let Some(position) = found.filter(|_| page.take_scroll_to_found()) {
        builder = builder.scroll_to_row(position, Some(egui::Align::Center));
    }
    let page = &*page;
    let titles: Vec<&str> = [t("Time"), t("Dir"), t("Peer"), t("Length"), t("Content")]
        .into_iter()
        .enumerate()
        .filter(|(i, _)| show_peer || *i != 2)
        .map(|(_, title)| title)
        .collect();
    let last = titles.len() - 1;
    let table = builder.header(line_height, |mut header| {
        for (i, title) in titles.into_iter().enumerate() {
            header.col(|ui| {
                ui.horizontal(|ui| {
                    ui.strong(title);
                    // Off: the switch beside Content; on: it heads its own column.
                    if i == last && page.kind() != SessionKind::Relay && !*python {
                        python_view::switch(python, t("Python"), ui);
                    }
                });
            });
        }
        if python_context.is_some() {
            header.col(|ui| python_view::switch(python, t("Python peer"), ui));
        }
    });
    let display = page.config().display;
    let mut add_row = |mut table_row: egui_extras::TableRow<'_, '_>| {
        let index = shown.row(table_row.index());
        let row: LogRow = page.log().row(index);
        let position = Some(table_row.index());
        table_row.set_selected(found == position || selected == position);
        let color = direction_color(row.direction, dark);
        table_row.col(|ui| {
            let time = DateTime::<Local>::from(row.time).format(shape.time_format);
            cell(ui, mono(time.to_string()));
        });
        table_row.col(|ui| {
            cell(ui, mono(t(row.direction.label()).to_string()).color(color));
        });
        if show_peer {
            table_row.col(|ui| {
                let peer = match shape.brevity {
                    Some(brevity) => page.brief_peer_cell(&row, brevity),
                    None => page.peer_cell(&row),
                };
                cell(ui, mono(peer));
            });
        }
        table_row.col(|ui| {
            if matches!(row.direction, Direction::Rx | Direction::Tx) {
                cell(ui, mono(length_cell(&row)));
            }
        });
        table_row.col(|ui| {
            let width = ui.available_width();
            if (width - content_width).abs() > 0.5 {
                ui.data_mut(|d| d.insert_temp(width_id, width));
                // Drawn again only when the rows' lines change with it: once.
                let now_per_line = ((width / char_width).floor() as usize).max(8);
                if narrow && now_per_line != shape.per_line {
                    ui.ctx().request_repaint();
                }
            }
            let text = row_content(&row, display);
            if display == DisplayMode::Both {
                // The dump of "Show both" keeps its lines.
                ui.add(egui::Label::new(mono(text).color(color)).extend());
                return;
            }
            // One line per row, or as many as the row was given, cut with "…". A row cut to
            // one line shows as much as fits: at a word's end, a long token (a certificate's
            // SHA-256, a hex run) would be left out whole.
            let max_rows = lines_of(page, index, &shape);
            let mut job = LayoutJob::simple(text, mono_font.clone(), color, width);
            job.wrap = TextWrapping {
                max_width: width,
                max_rows,
                break_anywhere: max_rows == 1,
                overflow_character: Some('…'),
            };
            let galley = ui.painter().layout_job(job);
            ui.add(egui::Label::new(galley));
        });
        if let Some(context) = &python_context {
            table_row.col(|ui| {
                let words = python_peer::words_at(page.log(), index, context);
                // A narrow column cuts the line: the whole of it on hover.
                ui.add(egui::Label::new(mono(words.clone()).color(color)).extend())
                    .on_hover_text(words);
            });
        }
        let response = table_row.response();
        if response.clicked() {
            let number = page.log().first() + index as u64;
            let open = page.selected_row() != Some(number);
            actions.push(PageAction::SelectRow(open.then_some(number)));
        }
        response.context_menu(|ui| {
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
        let uniform = display != DisplayMode::Both && !shape.wraps;
        if uniform {
            body.rows(line_height, shown.len(), &mut add_row);
        } else {
            let heights = (0..shown.len()).map(|i| {
                let lines = lines_of(page, shown.row(i), &shape);
                // One line keeps the height of a control; more add a text line each.
                line_height + (lines - 1) as f32 * text_height
            });
            body.heterogeneous_rows(heights, &mut add_row);
        }
    });
}
