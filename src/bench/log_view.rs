//! The GUI's log measured: a frame of the log view with many rows against one with 100, and
//! the memory a logged message costs.

use super::*;

use crate::gui::model::page::{Page, PageAction, PageConfig};

fn waker() -> crate::net::Waker {
    std::sync::Arc::new(|| {})
}

/// A TCP server page whose log holds `rows` received 64-byte messages.
fn page_with_rows(rows: usize) -> Page {
    let mut page = Page::new(SessionKind::TcpServer, PageConfig::default());
    page.perform(PageAction::SetRowLimit(usize::MAX), &waker());
    let peer = SocketAddr::from(([127, 0, 0, 1], 50_000));
    let data = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".to_vec();
    for _ in 0..rows {
        page.apply_event(Event {
            time: SystemTime::now(),
            kind: EventKind::Received {
                client: Some(1),
                peer,
                data: data.clone(),
            },
        });
    }
    page
}

/// CPU time of one frame of the real log view (headless egui, no window) over `frames` frames.
fn frame_time(page: &mut Page, frames: u32) -> f64 {
    let ctx = egui::Context::default();
    crate::gui::view::fonts::install(&ctx);
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1100.0, 700.0),
        )),
        ..Default::default()
    };
    let mut frame = || {
        let mut output = ctx.run_ui(input(), |ui| crate::gui::view::draw_log(page, ui));
        // No renderer here: font textures are not uploaded anywhere.
        output.textures_delta.clear();
    };
    // The first frames load fonts and lay out the table's columns.
    for _ in 0..3 {
        frame();
    }
    let start = Instant::now();
    for _ in 0..frames {
        frame();
    }
    start.elapsed().as_secs_f64() * 1e6 / frames as f64
}

/// One frame of the log view with `rows` rows against the same with 100 rows.
pub(super) fn log_frame(rows: usize) -> Figure {
    let baseline = frame_time(&mut page_with_rows(100), 30);
    let ours = frame_time(&mut page_with_rows(rows), 30);
    Figure::new("log_frame", ours, "µs/frame", baseline)
}

/// Bytes of memory per logged 64-byte message, measured by the counting allocator.
pub(super) fn log_memory(rows: usize) -> Figure {
    let before = crate::bench::alloc_count::live_bytes();
    let page = page_with_rows(rows);
    let after = crate::bench::alloc_count::live_bytes();
    let per_message = (after - before).max(0) as f64 / rows as f64;
    drop(page);
    // The reference is the message's own 64 bytes: what storing it costs at the least.
    Figure::against_reference("log_memory", per_message, "bytes/message", 64.0)
}
