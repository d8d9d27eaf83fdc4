//! The Stress tab: the form, Start/Stop, live figures, the QPS and p99 plots, export.

use crate::gui::i18n::t;
use egui::{CentralPanel, Grid, Panel, RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints};

use crate::gui::model::log::grouped;

use crate::codec::TextEncoding;
use crate::gui::model::stress::StressPage;
use crate::gui::view::{labelled_combo, labelled_field, switch_button};
use crate::net::Waker;
use crate::net::stress::{Protocol, Report, StressMode, micros};

const NUMBER_WIDTH: f32 = 70.0;

pub fn draw(page: &mut StressPage, waker: Waker, ui: &mut Ui) {
    Panel::top("stress_form").show(ui, |ui| form(page, waker, ui));
    CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            match &page.report {
                Some(report) => figures(report, ui),
                None => {
                    ui.label(t(
                        "Set a target and press Start. Only load servers you run or may test.",
                    ));
                }
            }
            ui.separator();
            plots(page, ui);
            ui.separator();
            ui.horizontal(|ui| {
                labelled_field(
                    ui,
                    t("Report file"),
                    &mut page.form.export_path,
                    220.0,
                    true,
                )
                .on_hover_text(t("A .csv name writes CSV; anything else writes JSON"));
                if ui.button(t("Export report")).clicked() {
                    page.export();
                }
                if let Some(note) = &page.export_note {
                    ui.label(note);
                }
            });
        });
    });
}

fn form(page: &mut StressPage, waker: Waker, ui: &mut Ui) {
    let editable = !page.is_running();
    let form = &mut page.form;
    ui.horizontal_wrapped(|ui| {
        ui.add_enabled_ui(editable, |ui| {
            let protocol = match form.protocol {
                Protocol::Tcp => t("TCP"),
                Protocol::Udp => t("UDP"),
            };
            labelled_combo(ui, t("Protocol"), protocol, |ui| {
                ui.selectable_value(&mut form.protocol, Protocol::Tcp, t("TCP"));
                ui.selectable_value(&mut form.protocol, Protocol::Udp, t("UDP"));
            });
            labelled_field(ui, t("Target host"), &mut form.host, 140.0, editable);
            labelled_field(ui, t("Target port"), &mut form.port, 60.0, editable);
            labelled_field(ui, t("Clients"), &mut form.clients, NUMBER_WIDTH, editable)
                .on_hover_text(t("Clients at once, each with its own socket and thread"));
            let mode = match form.mode {
                StressMode::PingPong => t("Ping-pong"),
                StressMode::Throughput => t("Throughput"),
            };
            labelled_combo(ui, t("Mode"), mode, |ui| {
                ui.selectable_value(&mut form.mode, StressMode::PingPong, t("Ping-pong"))
                    .on_hover_text(t("Send, wait for the reply, measure the round trip"));
                ui.selectable_value(&mut form.mode, StressMode::Throughput, t("Throughput"))
                    .on_hover_text(t("Send only, as fast as the rate allows"));
            });
            if form.protocol == Protocol::Tcp {
                ui.checkbox(&mut form.short_connections, t("Short connections"))
                    .on_hover_text(t("A new connection for every request"));
            }
        });
    });
    ui.horizontal_wrapped(|ui| {
        ui.add_enabled_ui(editable, |ui| {
            labelled_field(
                ui,
                t("Rate (msg/s)"),
                &mut form.rate,
                NUMBER_WIDTH,
                editable,
            )
            .on_hover_text(t("Over all clients; empty: as fast as possible"));
            labelled_field(
                ui,
                t("Duration (s)"),
                &mut form.duration_s,
                NUMBER_WIDTH,
                editable,
            )
            .on_hover_text(t("Empty: until Count is reached"));
            labelled_field(ui, t("Count"), &mut form.count, NUMBER_WIDTH, editable)
                .on_hover_text(t("Requests in all; empty: until the duration is over"));
            labelled_field(
                ui,
                t("Timeout (ms)"),
                &mut form.timeout_ms,
                NUMBER_WIDTH,
                editable,
            )
            .on_hover_text(t("Wait this long for a connection or a reply"));
        });
    });
    ui.horizontal_wrapped(|ui| {
        let form = &mut page.form;
        ui.add_enabled_ui(editable, |ui| {
            labelled_field(ui, t("Payload"), &mut form.payload, 260.0, editable).on_hover_text(
                t("Variables: ${seq} ${client} ${time} ${random:MIN:MAX}; escapes such as \\r\\n work"),
            );
            ui.checkbox(&mut form.hex, t("Hex payload"));
            labelled_combo(ui, t("Payload encoding"), form.encoding.label(), |ui| {
                for encoding in TextEncoding::ALL {
                    ui.selectable_value(&mut form.encoding, encoding, encoding.label());
                }
            });
        });
        let running = page.is_running();
        if switch_button(ui, running, [t("Start test"), t("Stop test")]).clicked() {
            if running {
                page.stop();
            } else {
                page.start(waker);
            }
        }
    });
    if let Some(error) = &page.error {
        ui.colored_label(super::palette::error(ui.visuals().dark_mode), error);
    }
}

fn figures(report: &Report, ui: &mut Ui) {
    let state = if report.running {
        t("Running")
    } else {
        t("Finished")
    };
    ui.heading(format!("{state} · {:.1} s", report.elapsed_s));
    Grid::new("stress_figures")
        .num_columns(4)
        .spacing([32.0, 6.0])
        .show(ui, |ui| {
            let f = &report.failures;
            let latency = |pick: fn(&crate::net::stress::LatencyFigures) -> u64| {
                report
                    .latency
                    .as_ref()
                    .map_or("–".to_string(), |l| micros(pick(l)))
            };
            // Two figures a row.
            let figures = [
                (t("QPS now"), grouped(report.qps_now.round() as u64)),
                (t("QPS peak"), grouped(report.qps_peak.round() as u64)),
                (t("Sent"), grouped(report.sent)),
                (t("Succeeded"), grouped(report.succeeded)),
                (t("Failed"), grouped(report.failed)),
                (t("Active connections"), report.active.to_string()),
                (t("Bytes out"), format!("{} B", grouped(report.bytes_out))),
                (t("Bytes in"), format!("{} B", grouped(report.bytes_in))),
                (t("Connect failed"), f.connect_failed.to_string()),
                (t("Send failed"), f.send_failed.to_string()),
                (t("Timed out"), f.timed_out.to_string()),
                (t("Closed by peer"), f.closed_by_peer.to_string()),
                (t("Latency p50"), latency(|l| l.p50_us)),
                (t("Latency p95"), latency(|l| l.p95_us)),
                (t("Latency p99"), latency(|l| l.p99_us)),
                (t("Latency max"), latency(|l| l.max_us)),
            ];
            for (i, (name, value)) in figures.into_iter().enumerate() {
                ui.label(name);
                ui.label(RichText::new(value).strong().monospace());
                if i % 2 == 1 {
                    ui.end_row();
                }
            }
        });
}

fn plots(page: &StressPage, ui: &mut Ui) {
    let qps: Vec<[f64; 2]> = page.timeline.iter().map(|s| [s.at_s, s.qps]).collect();
    let p99: Vec<[f64; 2]> = page
        .timeline
        .iter()
        .filter(|s| s.p99_us > 0)
        .map(|s| [s.at_s, s.p99_us as f64 / 1000.0])
        .collect();
    let width = (ui.available_width() / 2.0 - 8.0).max(200.0);
    let highest = |points: &[[f64; 2]]| points.iter().map(|p| p[1]).fold(1.0, f64::max);
    let (qps_top, p99_top) = (highest(&qps), highest(&p99));
    ui.horizontal(|ui| {
        let qps = Line::new(t("QPS"), PlotPoints::from(qps));
        live_plot(ui, "stress_qps", width, qps, qps_top);
        let p99 = Line::new(t("p99 round trip (ms)"), PlotPoints::from(p99));
        live_plot(ui, "stress_p99", width, p99, p99_top);
    });
}

/// One line over the run's seconds, from zero to a sixth above its highest point (so it never
/// runs over the top), with the y axis numbered in a margin wide enough for its figures.
fn live_plot(ui: &mut Ui, id: &str, width: f32, line: Line<'_>, highest: f64) {
    Plot::new(id)
        .width(width)
        .height(180.0)
        .legend(Legend::default())
        .x_axis_label("s")
        .show_axes([true, true])
        .y_axis_min_width(48.0)
        .include_y(0.0)
        .include_y(highest * 1.15)
        .allow_scroll(false)
        .show(ui, |plot| plot.line(line));
}
