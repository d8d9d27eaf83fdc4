//! Makes the README's screenshots from the real app against real peers on loopback:
//! `cargo test --test screenshots -- --ignored` writes docs/*.png. Ignored in normal runs:
//! pictures are for people, the other tests check behaviour.

#[path = "../common/mod.rs"]
mod common;

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use socket_tester::gui::app::App;
use socket_tester::gui::model::page::Link;

/// The app's window at this size, with the bundled fonts.
fn window(width: f32, height: f32) -> egui_kittest::HarnessBuilder<App> {
    Harness::builder()
        .with_size(egui::vec2(width, height))
        .with_context_setup(socket_tester::gui::view::fonts::install)
}

fn save(h: &mut Harness<'static, App>, name: &str) {
    let image = h.render().expect("render the window");
    let path = format!("{}/../../docs/{name}.png", env!("CARGO_MANIFEST_DIR"));
    image.save(&path).expect("write the screenshot");
    eprintln!("wrote {path}");
}

fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run();
    h.get_by_label(label).click();
    h.run();
}

fn set_field(h: &mut Harness<'static, App>, label: &str, value: &str) {
    h.get_by_role_and_label(Role::TextInput, label)
        .set_text_value_accesskit(value);
    h.run();
}

/// Page `index` of the running Demo: 0 the server, 1 the client.
fn demo_page<'h>(
    h: &'h Harness<'static, App>,
    index: usize,
) -> &'h socket_tester::gui::model::page::Page {
    &h.state().demo.as_ref().expect("the Demo runs").pages[index]
}

/// Clicks `button` (Listen, Open) and returns the address the socket got.
fn bound_by(h: &mut Harness<'static, App>, button: &str) -> std::net::SocketAddr {
    click(h, button);
    settle(h, |h| {
        matches!(h.state_mut().tab().page().link(), Link::Listening { .. })
    });
    match h.state_mut().tab().page().link() {
        Link::Listening { local } => *local,
        other => panic!("not listening: {other:?}"),
    }
}

/// Steps the app until `until` holds; a picture of a state that never came fails instead of
/// being written (under load the wait used to run out and save whatever was on screen).
fn settle(h: &mut Harness<'static, App>, until: impl Fn(&mut Harness<'static, App>) -> bool) {
    let deadline = Instant::now() + common::DEADLINE;
    while !until(h) {
        assert!(
            Instant::now() < deadline,
            "the screen never reached its state"
        );
        h.step();
        thread::sleep(Duration::from_millis(5));
    }
    h.run();
}

#[test]
#[ignore = "writes docs/toolkit.png; run by hand"]
fn toolkit_screenshot() {
    let mut h = window(1180.0, 800.0).build_eframe(|cc| App::new(cc));
    click(&mut h, "TCP Server");
    click(&mut h, "Framing and TCP options");
    h.get_by_role_and_label(Role::ComboBox, "Framing").click();
    h.run();
    click(&mut h, "Line (LF)");
    set_field(&mut h, "Address", "127.0.0.1");
    set_field(&mut h, "Port", "0");
    click(&mut h, "Auto-reply rules");
    click(&mut h, "Add rule");
    set_field(&mut h, "Pattern", "T=");
    set_field(&mut h, "Reply", "ACK\\n");
    click(&mut h, "On");
    let local = bound_by(&mut h, "Listen");
    let mut sensor = TcpStream::connect(local).unwrap();
    sensor
        .write_all("T=21.5\nH=40%\nT=21.6 温度正常\n".as_bytes())
        .unwrap();
    let mut panel = TcpStream::connect(local).unwrap();
    panel.write_all(b"STATUS?\n").unwrap();
    settle(&mut h, |h| {
        h.state_mut().tab().page().totals().rx_messages == 4
    });
    h.get_by_role_and_label(Role::ComboBox, "Rows").click();
    h.run();
    click(&mut h, "Show both");
    click(&mut h, "Presets and history");
    *h.state_mut().tab().page().message_mut() = "STATUS OK".into();
    set_field(&mut h, "Preset name", "Status OK");
    click(&mut h, "Save as preset");
    save(&mut h, "toolkit");
}

#[test]
#[ignore = "writes docs/lecture.png and docs/lecture-en.png; run by hand"]
fn lecture_screenshots() {
    for (chinese, name) in [(true, "lecture"), (false, "lecture-en")] {
        let mut h = window(1500.0, 900.0)
            .with_max_steps(64)
            .build_eframe(|cc| App::new(cc));
        if chinese {
            h.get_by_role_and_label(Role::ComboBox, "Language").click();
            h.run();
            click(&mut h, "简体中文");
        }
        let (presentation, demo, start) = if chinese {
            ("演示模式", "演示", "开始 TCP 演示")
        } else {
            ("Presentation", "Demo", "Start TCP demo")
        };
        click(&mut h, presentation);
        click(&mut h, demo);
        click(&mut h, start);
        settle(&mut h, |h| {
            h.state()
                .demo
                .as_ref()
                .is_some_and(|d| d.pages[1].is_connected())
        });
        // The client sends one message as three writes 100 ms apart; the server answers once.
        {
            let demo = h.state_mut().demo.as_mut().unwrap();
            let client = &mut demo.pages[1];
            client.config_mut().split_writes = "3".into();
            client.config_mut().split_gap_ms = "100".into();
            *client.message_mut() = "GET /hello".into();
            client.send();
        }
        settle(&mut h, |h| demo_page(h, 0).totals().rx_messages == 3);
        {
            let server = &mut h.state_mut().demo.as_mut().unwrap().pages[0];
            *server.message_mut() = "200 OK 你好".into();
            server.send();
        }
        settle(&mut h, |h| demo_page(h, 1).totals().rx_messages == 1);
        h.state_mut().demo.as_mut().unwrap().pages[1].reset_connection(0);
        settle(&mut h, |h| demo_page(h, 0).clients().is_empty());
        save(&mut h, name);
    }
}

#[test]
#[ignore = "writes docs/decoder.png; run by hand"]
fn decoder_screenshot() {
    let mut h = window(1280.0, 720.0)
        .allow_missing_glyphs()
        .build_eframe(|cc| App::new(cc));
    click(&mut h, "UDP");
    set_field(&mut h, "Local address", "127.0.0.1");
    set_field(&mut h, "Local port", "0");
    let local = bound_by(&mut h, "Open");
    let device = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let reply = [
        0x00, 0x01, 0x00, 0x00, 0x00, 0x09, 0x11, 0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64,
    ];
    device.send_to(&reply, local).unwrap();
    settle(&mut h, |h| {
        h.state_mut().tab().page().totals().rx_messages == 1
    });
    h.get_by_role_and_label(Role::ComboBox, "Rows").click();
    h.run();
    click(&mut h, "Show hex");
    h.get_by_label("15 B").click();
    h.run();
    save(&mut h, "decoder");
}

#[test]
#[ignore = "writes docs/relay.png; run by hand"]
fn relay_screenshot() {
    use std::io::Read;
    // A device that answers each request with its reading.
    let device = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let device_addr = device.local_addr().unwrap();
    thread::spawn(move || {
        for stream in device.incoming().take(2) {
            let mut stream = stream.unwrap();
            thread::spawn(move || {
                let mut buf = [0u8; 64];
                while let Ok(n @ 1..) = stream.read(&mut buf) {
                    let answer = format!(
                        "OK {} T=21.5\r\n",
                        String::from_utf8_lossy(&buf[..n]).trim()
                    );
                    let _ = stream.write_all(answer.as_bytes());
                }
            });
        }
    });
    let mut h = window(1180.0, 760.0).build_eframe(|cc| App::new(cc));
    click(&mut h, "Relay");
    set_field(&mut h, "Listen on", "127.0.0.1");
    set_field(&mut h, "Port", "0");
    set_field(&mut h, "Target host", "127.0.0.1");
    set_field(&mut h, "Target port", &device_addr.port().to_string());
    let local = bound_by(&mut h, "Start relay");
    let mut clients: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(local).unwrap()).collect();
    for (i, client) in clients.iter_mut().enumerate() {
        client
            .write_all(format!("READ {}\r\n", i + 1).as_bytes())
            .unwrap();
        client.set_read_timeout(Some(common::DEADLINE)).unwrap();
        let mut answer = [0u8; 64];
        let _ = client.read(&mut answer).unwrap();
    }
    settle(&mut h, |h| {
        h.state_mut().tab().page().totals().rx_messages == 4
    });
    save(&mut h, "relay");
}

#[test]
#[ignore = "writes docs/sequence.png; run by hand"]
fn sequence_screenshot() {
    use std::io::Read;
    // A device that answers "PING" with "PONG" and "READ" with a reading.
    let device = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let device_addr = device.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = device.accept().unwrap();
        let mut buf = [0u8; 64];
        while let Ok(n @ 1..) = stream.read(&mut buf) {
            let answer: &[u8] = if buf[..n].starts_with(b"PING") {
                b"PONG\r\n"
            } else {
                b"T=21.5\r\n"
            };
            let _ = stream.write_all(answer);
        }
    });
    let mut h = window(1180.0, 760.0).build_eframe(|cc| App::new(cc));
    set_field(&mut h, "Host", "127.0.0.1");
    set_field(&mut h, "Port", &device_addr.port().to_string());
    click(&mut h, "Connect");
    settle(&mut h, |h| {
        matches!(h.state_mut().tab().page().link(), Link::Connected { .. })
    });
    click(&mut h, "Send sequence");
    {
        use socket_tester::net::{MatchKind, Sequence, Step};
        let text = |text: &str| Step::Send {
            text: text.to_string(),
            format: socket_tester::codec::PayloadFormat {
                escapes: true,
                ..Default::default()
            },
        };
        let expect = |pattern: &str| Step::Expect {
            kind: MatchKind::ContainsText,
            pattern: pattern.to_string(),
            timeout_ms: 1000,
        };
        h.state_mut().tab().page().config_mut().sequence = Sequence {
            steps: vec![
                text("PING\\r\\n"),
                expect("PONG"),
                Step::Wait { ms: 200 },
                text("READ\\r\\n"),
                expect("T="),
            ],
            rounds: 3,
        };
    }
    h.run();
    click(&mut h, "Run sequence");
    settle(&mut h, |h| {
        h.state_mut()
            .tab()
            .page()
            .sequence_progress()
            .ended
            .is_some()
    });
    save(&mut h, "sequence");
}

#[test]
#[cfg(feature = "tls")]
#[ignore = "writes docs/tls.png; run by hand (needs python3)"]
fn tls_screenshot() {
    use common::tls_peer::{Certificates, python_server};
    let certs = Certificates::new("shot-tls");
    let (cert, key) = certs.leaf("device", &["localhost"], true, false);
    let (_python, addr) = python_server(&cert, &key).expect("python3");
    let port = addr.rsplit(':').next().unwrap().to_string();
    let mut h = window(1180.0, 560.0).build_eframe(|cc| App::new(cc));
    set_field(&mut h, "Host", "127.0.0.1");
    set_field(&mut h, "Port", &port);
    click(&mut h, "TLS");
    click(&mut h, "Accept any certificate");
    click(&mut h, "Connect");
    settle(&mut h, |h| {
        matches!(h.state_mut().tab().page().link(), Link::Connected { .. })
    });
    let message = h.get_by_role_and_label(Role::MultilineTextInput, "Message");
    message.focus();
    message.type_text("GET STATUS");
    h.run();
    click(&mut h, "Send");
    settle(&mut h, |h| {
        h.state_mut().tab().page().totals().rx_messages == 1
    });
    save(&mut h, "tls");
}

#[test]
#[cfg(feature = "tls")]
#[ignore = "writes docs/mutual-tls.png; run by hand (needs python3)"]
fn mutual_tls_screenshot() {
    use common::tls_peer::{Certificates, python_presenting_client};
    let certs = Certificates::new("shot-mtls");
    let (cert, key) = certs.leaf("server", &["localhost"], false, false);
    let (client_cert, client_key) = certs.client("student-07");
    let ca = certs.ca_file();
    let mut h = window(1180.0, 560.0).build_eframe(|cc| App::new(cc));
    click(&mut h, "TCP Server");
    {
        let config = h.state_mut().tab().page().config_mut();
        config.bind_address = "127.0.0.1".into();
        config.bind_port = "0".into();
        config.tls = true;
        config.tls_cert_file = cert.display().to_string();
        config.tls_key_file = key.display().to_string();
        config.tls_client_ca_file = ca.display().to_string();
        config.echo = true;
    }
    h.run();
    let local = bound_by(&mut h, "Listen");
    let port = local.port().to_string();
    let client = |cert: &std::path::Path, key: &std::path::Path| {
        let mut python =
            python_presenting_client(&port, cert.to_str().unwrap(), key.to_str().unwrap(), &ca)
                .expect("python3");
        python.line()
    };
    assert_eq!(client(&client_cert, &client_key), "got hello");
    // A client without a certificate: refused, and the log says why.
    let refused = python_presenting_client(&port, "", "", &ca)
        .expect("python3")
        .line();
    assert!(refused.starts_with("failed:"), "{refused}");
    settle(&mut h, |h| {
        h.state_mut().tab().page().totals().rx_messages == 1
            && h.state_mut()
                .tab()
                .page()
                .log()
                .iter()
                .any(|row| row.text.contains("no certificate"))
    });
    save(&mut h, "mutual-tls");
}

#[test]
#[ignore = "writes docs/websocket.png and docs/websocket-chart.png; run by hand (needs python3 with websockets)"]
fn websocket_screenshot() {
    const PYTHON_CLIENT: &str = r#"
import sys
from websockets.sync.client import connect
with connect(sys.argv[1], compression=None) as ws:
    ws.send("你好, server")
    print("echo", ws.recv(timeout=10), flush=True)
    ws.ping(b"are you there").wait(5)
    ws.send(bytes([0x01, 0x03, 0x00, 0x00, 0x00, 0x0A]))
    print("echo", ws.recv(timeout=10).hex(), flush=True)
    ws.close(4001, "lesson over")
"#;
    let mut h = window(1180.0, 680.0).build_eframe(|cc| App::new(cc));
    click(&mut h, "TCP Server");
    {
        let config = h.state_mut().tab().page().config_mut();
        config.bind_address = "127.0.0.1".into();
        config.bind_port = "0".into();
        config.websocket = true;
        config.echo = true;
    }
    h.run();
    let local = bound_by(&mut h, "Listen");
    let url = format!("ws://{local}/lab");
    let mut python = common::Python::start(PYTHON_CLIENT, &[&url]).expect("python3");
    assert_eq!(python.line(), "echo 你好, server");
    assert_eq!(python.line(), "echo 01030000000a");
    settle(&mut h, |h| {
        h.state_mut()
            .tab()
            .page()
            .log()
            .iter()
            .any(|row| row.text.contains("4001"))
    });
    save(&mut h, "websocket");
    h.state_mut().tab().page().config_mut().view = socket_tester::gui::model::page::LogView::Chart;
    h.run();
    save(&mut h, "websocket-chart");
}
