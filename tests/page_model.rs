//! A session's page as the window's model, without drawing: what it says and where it stands.

mod common;

use common::*;
use socket_tester::gui::model::page::{Link, Page, PageConfig};
use socket_tester::net::{SessionKind, no_waker};

#[test]
fn a_client_whose_capture_file_cannot_be_made_stays_closed_and_says_why() {
    let echo = EchoServer::start();
    let mut page = Page::new(
        SessionKind::TcpClient,
        PageConfig {
            host: "127.0.0.1".into(),
            port: echo.addr.port().to_string(),
            capture_path: "/nonexistent-folder/capture.bin".into(),
            ..PageConfig::default()
        },
    );
    page.capturing = true;
    page.toggle(no_waker());
    assert!(!page.is_open());
    assert_eq!(page.link, Link::Closed, "not left 'Connecting…'");
    let error = page.status_error.clone().expect("the reason is shown");
    assert!(error.contains("/nonexistent-folder/capture.bin"), "{error}");
    assert!(!page.status().contains("Connecting"), "{}", page.status());
}
