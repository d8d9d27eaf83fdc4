//! The sequence chart: a lane for this end and one per peer, an arrow per event between them
//! (connect, each message with its length and a preview, FIN, RST), notes for errors. Only the
//! visible rows are laid out, so a long log costs no more than a short one.

use crate::gui::i18n::t;
use chrono::{DateTime, Local};
use egui::{Color32, Label, Pos2, Rect, RichText, ScrollArea, Sense, Stroke, Ui, vec2};

use super::palette;

use crate::gui::model::chart::{Tone, arrow};
use crate::gui::model::page::{Page, ShownRows};

const TIME_WIDTH: f32 = 100.0;
/// Narrow enough that both lanes of a Demo half fit on a projector (1024×768 at 160%).
const MIN_LANE_WIDTH: f32 = 90.0;
const ROW_HEIGHT: f32 = 38.0;
/// The height of an arrow's label, just above it.
const LABEL_HEIGHT: f32 = 20.0;

pub fn draw(page: &Page, shown: &ShownRows, ui: &mut Ui) {
    let log = page.log();
    let lanes = 1 + log.peers().len();
    let lane_width = ((ui.available_width() - TIME_WIDTH) / lanes as f32).max(MIN_LANE_WIDTH);
    let width = TIME_WIDTH + lane_width * lanes as f32;
    let dark = ui.visuals().dark_mode;
    let lane_x = |left: f32, lane: usize| left + TIME_WIDTH + lane_width * (lane as f32 + 0.5);
    // The chart's texts are pictures, not controls: selectable labels would take clicks in
    // rectangles taller than their rows, each over its neighbours.
    ui.style_mut().interaction.selectable_labels = false;
    ScrollArea::horizontal()
        .id_salt("chart-across")
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.set_min_width(width);
            let (header, _) = ui.allocate_exact_size(vec2(width, 28.0), Sense::hover());
            ui.put(
                Rect::from_min_size(header.min, vec2(TIME_WIDTH, 28.0)),
                Label::new(RichText::new(t("Time")).strong()),
            );
            for lane in 0..lanes {
                let title = match lane.checked_sub(1).map(|i| log.peers()[i]) {
                    None => t("This end").to_string(),
                    Some((peer, Some(id))) => format!("#{id} {peer}"),
                    Some((peer, None)) => peer.to_string(),
                };
                let center = Pos2::new(lane_x(header.left(), lane), header.center().y);
                ui.put(
                    Rect::from_center_size(center, vec2(lane_width - 8.0, 28.0)),
                    Label::new(RichText::new(title).strong()).truncate(),
                );
            }
            ui.separator();
            ScrollArea::vertical()
                .id_salt("chart-down")
                .auto_shrink(false)
                .stick_to_bottom(!page.is_paused())
                .show_rows(ui, ROW_HEIGHT, shown.len(), |ui, range| {
                    let visible = ui.clip_rect().x_range();
                    for index in range {
                        let row_index = shown.row(index);
                        let row = log.row(row_index);
                        let (rect, _) =
                            ui.allocate_exact_size(vec2(width, ROW_HEIGHT), Sense::hover());
                        let painter = ui.painter().clone();
                        let lifeline = Stroke::new(1.0, Color32::from_gray(110));
                        for lane in 0..lanes {
                            let x = lane_x(rect.left(), lane);
                            if visible.contains(x) {
                                painter.vline(x, rect.y_range(), lifeline);
                            }
                        }
                        let time = DateTime::<Local>::from(row.time).format("%H:%M:%S%.3f");
                        ui.put(
                            Rect::from_min_size(rect.min, vec2(TIME_WIDTH, ROW_HEIGHT)),
                            Label::new(RichText::new(time.to_string()).monospace()),
                        );
                        let arrow = arrow(&row, log.peer_index(row_index));
                        let color = tone_color(arrow.tone, arrow.from == 0, dark);
                        let (from, to) = (
                            lane_x(rect.left(), arrow.from),
                            lane_x(rect.left(), arrow.to),
                        );
                        let text = RichText::new(&arrow.label).color(color).size(15.0);
                        if arrow.from == arrow.to {
                            // A note on the lane: a framed box from the lane's left edge,
                            // inside the row so the layout never grows sideways.
                            let left = from - lane_width / 2.0 + 4.0;
                            let note = Rect::from_min_max(
                                Pos2::new(left, rect.top() + 5.0),
                                Pos2::new(
                                    (left + lane_width * 1.6).min(rect.right()),
                                    rect.bottom() - 5.0,
                                ),
                            );
                            // Filled, so the lifelines drawn before do not run through
                            // its text.
                            painter.rect(
                                note,
                                4.0,
                                ui.visuals().panel_fill,
                                Stroke::new(1.5, color),
                                egui::StrokeKind::Inside,
                            );
                            ui.put(note.shrink(3.0), Label::new(text).truncate());
                            continue;
                        }
                        let y = rect.bottom() - 9.0;
                        draw_arrow(&painter, Pos2::new(from, y), Pos2::new(to, y), color);
                        // Right on its arrow, farther from the arrow of the row above: a
                        // label belongs to the line under it.
                        // As wide as the two lanes it joins, not only the arrow between
                        // their middles: "11 B hello world" fits a Demo half on a projector.
                        let label = Rect::from_min_max(
                            Pos2::new(
                                (from.min(to) - lane_width / 2.0 + 4.0)
                                    .max(rect.left() + TIME_WIDTH),
                                y - LABEL_HEIGHT - 1.0,
                            ),
                            Pos2::new(
                                (from.max(to) + lane_width / 2.0 - 4.0).min(rect.right()),
                                y - 1.0,
                            ),
                        );
                        // Behind the text, not over it: lifelines the label crosses (lanes
                        // close together, an arrow across lanes) do not run through it.
                        let backdrop = painter.add(egui::Shape::Noop);
                        let drawn = ui.put(label, Label::new(text).truncate());
                        // The label takes its whole rectangle; its text, centred in it, is
                        // as wide as it needs up to that.
                        let size = drawn.intrinsic_size().unwrap_or(drawn.rect.size());
                        let text_rect = Rect::from_center_size(
                            drawn.rect.center(),
                            vec2(size.x.min(drawn.rect.width()), size.y),
                        );
                        let fill = ui.visuals().panel_fill;
                        painter.set(backdrop, egui::Shape::rect_filled(text_rect, 2.0, fill));
                    }
                });
        });
}

/// A line with a small head at `to` (egui's own arrow head grows with the length).
fn draw_arrow(painter: &egui::Painter, from: Pos2, to: Pos2, color: Color32) {
    let stroke = Stroke::new(2.5, color);
    painter.line_segment([from, to], stroke);
    let back = if to.x > from.x { -10.0 } else { 10.0 };
    painter.line_segment([to, to + vec2(back, -6.0)], stroke);
    painter.line_segment([to, to + vec2(back, 6.0)], stroke);
}

/// The log table's colours (one palette): sent blue, received green; control amber, alarms red.
fn tone_color(tone: Tone, from_here: bool, dark: bool) -> Color32 {
    match tone {
        Tone::Data if from_here => palette::sent(dark),
        Tone::Data => palette::received(dark),
        Tone::Control => palette::control(dark),
        Tone::Alarm => palette::error(dark),
        Tone::Note => palette::note(dark),
    }
}
