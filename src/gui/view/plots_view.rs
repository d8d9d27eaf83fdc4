//! Live plots of the shown rows: bytes per second in and out, and round-trip times.

use crate::gui::i18n::{t, tf};
use egui::Ui;
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

use crate::gui::model::page::{Page, ShownRows};
use crate::gui::model::traffic::traffic_series;
use crate::gui::view::palette;

pub fn draw(page: &Page, shown: &ShownRows, ui: &mut Ui) {
    let series = traffic_series(page.log(), (0..shown.len()).map(|i| shown.row(i)));
    let height = (ui.available_height() / 2.0 - 12.0).max(120.0);
    let dark = ui.visuals().dark_mode;
    ui.label(tf(
        "Round trips measured: {n} (a send to the next receive from the same peer)",
        &[("n", &series.round_trips_ms.len())],
    ));
    Plot::new("bytes-per-second")
        .height(height)
        .legend(Legend::default())
        .x_axis_label(t("seconds"))
        .y_axis_label(t("bytes/s"))
        .include_y(0.0)
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(
                Line::new(t("RX bytes/s"), PlotPoints::from(series.rx_per_second))
                    .color(palette::received(dark)),
            );
            plot.line(
                Line::new(t("TX bytes/s"), PlotPoints::from(series.tx_per_second))
                    .color(palette::sent(dark)),
            );
        });
    Plot::new("round-trips")
        .height(height)
        .legend(Legend::default())
        .x_axis_label(t("seconds"))
        .y_axis_label(t("ms"))
        .include_y(0.0)
        .allow_scroll(false)
        .show(ui, |plot| {
            let points = PlotPoints::from(series.round_trips_ms);
            plot.points(
                Points::new(t("round trip (ms)"), points)
                    .radius(3.0)
                    .color(palette::control(dark)),
            );
        });
}
