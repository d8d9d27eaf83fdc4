//! Live plots of the shown rows: bytes per second in and out, and round-trip times.

use crate::gui::i18n::{t, tf};
use egui::Ui;
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

use crate::codec::format_size;
use crate::gui::model::page::{Page, ShownRows};
use crate::gui::view::palette;

pub fn draw(page: &mut Page, shown: &ShownRows, ui: &mut Ui) {
    let series = page.traffic_series(shown);
    let height = (ui.available_height() / 2.0 - 12.0).max(120.0);
    let dark = ui.visuals().dark_mode;
    ui.label(tf(
        "Round trips measured: {n} (a send to the next receive from the same peer)",
        &[("n", &series.round_trips_ms.len())],
    ));
    over_time(
        "bytes-per-second",
        height,
        t("bytes/s"),
        bytes_per_second_mark,
    )
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
    over_time("round-trips", height, t("ms"), milliseconds_mark).show(ui, |plot| {
        let points = PlotPoints::from(series.round_trips_ms);
        plot.points(
            Points::new(t("round trip (ms)"), points)
                .radius(3.0)
                .color(palette::control(dark)),
        );
    });
}

/// A plot of something over seconds, its y axis labelled and marked with `y_mark`.
fn over_time(
    id: &'static str,
    height: f32,
    y_label: &str,
    y_mark: fn(f64) -> String,
) -> Plot<'static> {
    Plot::new(id)
        .height(height)
        .legend(Legend::default())
        .x_axis_label(t("seconds"))
        .y_axis_label(y_label.to_owned())
        .x_axis_formatter(|mark, _| seconds_mark(mark.value))
        .y_axis_formatter(move |mark, _| y_mark(mark.value))
        .y_axis_min_width(AXIS_WIDTH)
        // An empty or flat plot still shows a scale.
        .include_y(0.0)
        .include_y(1.0)
        .allow_scroll(false)
}

/// Room for the widest value on a y axis ("1023.9 KiB/s").
const AXIS_WIDTH: f32 = 72.0;

/// A value on a time axis: "12 s", "0.5 s".
pub fn seconds_mark(seconds: f64) -> String {
    format!("{} s", short_number(seconds))
}

/// A value on a rate axis: "512 B/s", "1.5 KiB/s". The plots never go below 0.
pub fn bytes_per_second_mark(bytes: f64) -> String {
    if bytes < 1024.0 {
        format!("{} B/s", short_number(bytes))
    } else {
        format!("{}/s", format_size(bytes as usize))
    }
}

/// A value on a round-trip axis: "0.25 ms", "12 ms".
pub fn milliseconds_mark(ms: f64) -> String {
    format!("{} ms", short_number(ms))
}

/// A number without trailing zeros: 12, 0.5, 0.25.
fn short_number(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "-0" => "0".to_string(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_values_carry_their_units() {
        assert_eq!(seconds_mark(12.0), "12 s");
        assert_eq!(seconds_mark(0.5), "0.5 s");
        assert_eq!(bytes_per_second_mark(0.0), "0 B/s");
        assert_eq!(bytes_per_second_mark(512.0), "512 B/s");
        assert_eq!(bytes_per_second_mark(1536.0), "1.5 KiB/s");
        assert_eq!(milliseconds_mark(0.25), "0.25 ms");
        assert_eq!(milliseconds_mark(-0.0), "0 ms");
    }
}
