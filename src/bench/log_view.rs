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
        page.apply_event(Event::now(EventKind::received(Some(1), peer, data.clone())));
    }
    page
}

/// The real log view drawn in a 1100×700 egui context with no window and no renderer.
struct HeadlessLogView {
    ctx: egui::Context,
}

impl HeadlessLogView {
    fn new() -> Self {
        let ctx = egui::Context::default();
        crate::gui::view::fonts::install(&ctx);
        Self { ctx }
    }

    fn draw(&self, page: &mut Page) {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1100.0, 700.0),
            )),
            ..Default::default()
        };
        let mut output = self
            .ctx
            .run_ui(input, |ui| crate::gui::view::draw_log(page, ui));
        // No renderer here: font textures are not uploaded anywhere.
        output.textures_delta.clear();
    }
}

/// One frame of the log view with `rows` rows against the same with 100 rows: the CPU time
/// of one frame of the real view (headless egui, no window), each page drawn in turn so the
/// machine's swings fall on both alike.
pub(super) fn log_frame(rows: usize) -> Figure {
    const FRAMES: u32 = 30;
    let mut pages = [page_with_rows(100), page_with_rows(rows)];
    let views = [HeadlessLogView::new(), HeadlessLogView::new()];
    // The first frames load fonts and lay out the table's columns.
    for _ in 0..3 {
        for (view, page) in views.iter().zip(&mut pages) {
            view.draw(page);
        }
    }
    let mut spent = [Duration::ZERO; 2];
    for _ in 0..FRAMES {
        for ((view, page), spent) in views.iter().zip(&mut pages).zip(&mut spent) {
            let start = Instant::now();
            view.draw(page);
            *spent += start.elapsed();
        }
    }
    let per_frame = |spent: Duration| spent.as_secs_f64() * 1e6 / f64::from(FRAMES);
    Figure::new(
        "log_frame",
        per_frame(spent[1]),
        "µs/frame",
        per_frame(spent[0]),
    )
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

/// Frames of the log view on a UDP page while 100,000 64-byte datagrams a second arrive, against
/// the same frames with nothing arriving: the 99th percentile of each frame's CPU time (the
/// page taking its events and the log view drawing), frames 16 ms apart as a window draws.
pub(super) fn flood_frame(duration: Duration) -> Figure {
    let quiet = frame_p99(None, duration);
    let flood = frame_p99(Some(100_000), duration);
    Figure::new("flood_frame_p99", flood, "ms", quiet)
}

fn frame_p99(datagrams_per_second: Option<u64>, duration: Duration) -> f64 {
    let config = PageConfig {
        bind_address: "127.0.0.1".into(),
        bind_port: "0".into(),
        ..PageConfig::default_for(SessionKind::Udp)
    };
    let mut page = Page::new(SessionKind::Udp, config);
    page.perform(PageAction::Toggle, &waker());
    let started = Instant::now();
    let local = loop {
        page.drain_events();
        if let crate::gui::model::page::Link::Listening { local } = *page.link() {
            break Some(local);
        }
        if started.elapsed() > Duration::from_secs(5) {
            break None;
        }
        thread::sleep(Duration::from_millis(1));
    };
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sender = match (local, datagrams_per_second) {
        (Some(to), Some(rate)) => Some(paced_datagrams(to, rate, stop.clone())),
        _ => None,
    };
    let view = HeadlessLogView::new();
    let mut frames_ms = Vec::new();
    let start = Instant::now();
    while start.elapsed() < duration {
        let tick = Instant::now();
        let cpu = thread_cpu_time();
        page.drain_events();
        view.draw(&mut page);
        frames_ms.push((thread_cpu_time() - cpu).as_secs_f64() * 1000.0);
        thread::sleep(Duration::from_millis(16).saturating_sub(tick.elapsed()));
    }
    stop.store(true, Ordering::Relaxed);
    if let Some(sender) = sender {
        let _ = sender.join();
    }
    page.close();
    frames_ms.sort_by(f64::total_cmp);
    percentile(&frames_ms, 0.99)
}

/// Sends 64-byte datagrams to `to` at `rate` a second, in bursts every millisecond, until
/// `stop`.
fn paced_datagrams(
    to: SocketAddr,
    rate: u64,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let Ok(socket) = UdpSocket::bind(loopback()) else {
            return;
        };
        let payload = [0x42u8; 64];
        let start = Instant::now();
        let mut sent = 0u64;
        while !stop.load(Ordering::Relaxed) {
            let due = start.elapsed().as_micros() as u64 * rate / 1_000_000;
            while sent < due {
                let _ = socket.send_to(&payload, to);
                sent += 1;
            }
            thread::sleep(Duration::from_millis(1));
        }
    })
}

/// CPU time this thread has used (wall time where the system cannot tell).
fn thread_cpu_time() -> Duration {
    #[cfg(unix)]
    {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: a valid clock id and a timespec to fill.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) } == 0 {
            return Duration::new(now.tv_sec as u64, now.tv_nsec as u32);
        }
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}
