//! What the window tests of issue 27 share: the app at a projector's size, clicks and typing
//! by label, and waiting on real sockets.
#![allow(dead_code)]

use std::thread;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use socket_tester::gui::app::{App, SavedState};
use socket_tester::gui::i18n::{self, Language, t};
use socket_tester::gui::view::PRESENTATION_ZOOM;

pub const SIZES: [(f32, f32); 2] = [(1024.0, 768.0), (1280.0, 720.0)];

/// The app as a projector shows it: `size` in pixels, presentation on (the harness draws a
/// point per pixel, so the window is `size` / zoom points).
pub fn projector(size: (f32, f32), language: Language) -> Harness<'static, App> {
    restarted(
        size,
        SavedState {
            presentation: true,
            zoom: PRESENTATION_ZOOM,
            language,
            ..SavedState::default()
        },
    )
}

/// The app started from `saved`, at `size` pixels.
pub fn restarted(size: (f32, f32), saved: SavedState) -> Harness<'static, App> {
    i18n::set_language(saved.language);
    let zoom = saved.zoom;
    let theme = if saved.dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    };
    Harness::builder()
        .with_size(egui::vec2(size.0 / zoom, size.1 / zoom))
        .with_theme(theme)
        .with_max_steps(64)
        .with_context_setup(socket_tester::gui::view::fonts::install)
        .build_eframe(move |cc| App::with_state(&cc.egui_ctx, saved))
}

/// Clicks a control by its label in the current language, scrolled into sight first.
pub fn click(h: &mut Harness<'static, App>, english: &'static str) {
    let label = t(english);
    h.get_by_label(label).scroll_to_me();
    h.run();
    h.get_by_label(label).click();
    h.run();
}

/// Types `text` into the text field labelled `english`, as keystrokes.
pub fn type_into(h: &mut Harness<'static, App>, english: &'static str, text: &str) {
    let field = h.get_by_role_and_label(Role::TextInput, t(english));
    field.scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::TextInput, t(english)).click();
    h.run();
    for c in text.chars() {
        h.event(egui::Event::Text(c.to_string()));
        h.run();
    }
}

/// Steps the app until `done`, for at most 10 s.
pub fn wait_until(
    h: &mut Harness<'static, App>,
    what: &str,
    done: impl Fn(&mut Harness<'static, App>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(h) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        h.step();
        thread::sleep(Duration::from_millis(5));
    }
    h.run();
}

/// The TCP Server tab's page listening on 127.0.0.1 at a port the system chose: that address.
pub fn listening_server(h: &mut Harness<'static, App>) -> std::net::SocketAddr {
    use socket_tester::gui::model::page::Link;
    click(h, "TCP Server");
    {
        let config = h.state_mut().tab().page().config_mut();
        config.bind_address = "127.0.0.1".into();
        config.bind_port = "0".into();
    }
    click(h, "Listen");
    wait_until(h, "listening", |h| {
        matches!(h.state_mut().tab().page().link(), Link::Listening { .. })
    });
    match *h.state_mut().tab().page().link() {
        Link::Listening { local } => local,
        ref other => panic!("not listening: {other:?}"),
    }
}
