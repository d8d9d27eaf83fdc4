use super::*;

fn at(ms: i64, step: Step<'_>) -> Row<'_> {
    Row {
        time_us: ms * 1000,
        peer: Some(peer()),
        step,
    }
}

fn peer() -> SocketAddr {
    "127.0.0.1:5000".parse().unwrap()
}

fn context(role: Role) -> Context {
    Context {
        role,
        ours: Some("127.0.0.1:40000".parse().unwrap()),
        encoding: TextEncoding::Utf8,
    }
}

fn parts(line: Option<Line>) -> (String, Outcome) {
    let line = line.expect("a Python line");
    (line.call, line.outcome)
}

#[test]
fn a_send_is_what_the_peers_recv_returns() {
    let rows = [at(0, Step::Sent(b"Hello"))];
    let (call, outcome) = parts(explain(&rows, 0, &context(Role::TcpClient)));
    assert_eq!(call, "conn.recv(1024)");
    assert_eq!(outcome, returns("b'Hello'".into(), None, 1, 0));
    // A Python client's socket is `s`.
    let (call, _) = parts(explain(&rows, 0, &context(Role::TcpServer)));
    assert_eq!(call, "s.recv(1024)");
}

#[test]
fn quick_sends_come_out_of_one_recv_and_slow_ones_apart() {
    let rows = [
        at(0, Step::Sent(b"a")),
        at(1, Step::Sent(b"b")),
        at(2, Step::Sent(b"c")),
        at(100, Step::Sent(b"d")),
    ];
    let context = context(Role::TcpClient);
    let (_, first) = parts(explain(&rows, 0, &context));
    assert_eq!(first, returns("b'abc'".into(), None, 3, 0));
    assert_eq!(parts(explain(&rows, 1, &context)).1, Outcome::InRecvAbove);
    assert_eq!(parts(explain(&rows, 2, &context)).1, Outcome::InRecvAbove);
    assert_eq!(
        parts(explain(&rows, 3, &context)).1,
        returns("b'd'".into(), None, 1, 0)
    );
    // Something received in between: the peer read before it answered.
    let rows = [
        at(0, Step::Sent(b"a")),
        at(1, Step::Received(b"x")),
        at(2, Step::Sent(b"b")),
    ];
    assert_eq!(
        parts(explain(&rows, 2, &context)).1,
        returns("b'b'".into(), None, 1, 0)
    );
}

#[test]
fn a_long_send_takes_several_recv_calls() {
    let data = vec![b'x'; 2500];
    let rows = [at(0, Step::Sent(&data))];
    let Outcome::Returns { value, rest, .. } =
        parts(explain(&rows, 0, &context(Role::TcpClient))).1
    else {
        panic!("returns")
    };
    assert_eq!(value.len(), "b''".len() + 1024);
    assert_eq!(rest, 2500 - 1024);
}

#[test]
fn a_long_datagram_is_cut_at_1024_bytes() {
    let data = vec![b'y'; 2000];
    let rows = [at(0, Step::Sent(&data))];
    let (call, outcome) = parts(explain(&rows, 0, &context(Role::Udp)));
    assert_eq!(call, "data, addr = s.recvfrom(1024)");
    let Outcome::Returns { value, rest, .. } = outcome else {
        panic!("returns")
    };
    assert_eq!(value.len(), "b''".len() + 1024);
    assert_eq!(rest, 976);
    // What we received over UDP, the peer sent to our address.
    let rows = [at(0, Step::Received(b"hi"))];
    let (call, _) = parts(explain(&rows, 0, &context(Role::Udp)));
    assert_eq!(call, "s.sendto(b'hi', ('127.0.0.1', 40000))");
}

#[test]
fn closes_resets_refusals_and_timeouts() {
    let context = context(Role::TcpClient);
    let cases: [(Step, &str, Outcome); 6] = [
        (
            Step::ClosedHere { reset: false },
            "conn.recv(1024)",
            returns("b''".into(), None, 1, 0),
        ),
        (
            Step::ClosedHere { reset: true },
            "conn.recv(1024)",
            Outcome::Raises("ConnectionResetError: [Errno 104] Connection reset by peer"),
        ),
        (
            Step::PeerClosed { reset: true },
            "conn.close()",
            Outcome::Done { reset: true },
        ),
        (
            Step::Refused { addr: peer() },
            "s.connect(('127.0.0.1', 5000))",
            Outcome::Raises("ConnectionRefusedError: [Errno 111] Connection refused"),
        ),
        (
            Step::TimedOut {
                millis: 2000,
                connecting: false,
            },
            // We gave up waiting: our own socket's call, in Python.
            "s.settimeout(2); s.recv(1024)",
            Outcome::Raises("TimeoutError: timed out"),
        ),
        (
            Step::Received(b"it's"),
            "conn.sendall(b\"it's\")",
            Outcome::Done { reset: false },
        ),
    ];
    for (step, call, outcome) in cases {
        let rows = [at(0, step)];
        assert_eq!(parts(explain(&rows, 0, &context)), (call.into(), outcome));
    }
    assert_eq!(explain(&[at(0, Step::Other)], 0, &context), None);
}

#[test]
fn gbk_text_is_shown_decoded_too() {
    let context = Context {
        encoding: TextEncoding::Gbk,
        ..context(Role::TcpClient)
    };
    let rows = [at(0, Step::Sent(b"\xc4\xe3\xba\xc3"))];
    assert_eq!(
        parts(explain(&rows, 0, &context)).1,
        returns(r"b'\xc4\xe3\xba\xc3'".into(), Some("'你好'".into()), 1, 0)
    );
    // Not GBK text (a cut character): only the bytes.
    let rows = [at(0, Step::Sent(b"\xc4"))];
    let Outcome::Returns { decoded, .. } = parts(explain(&rows, 0, &context)).1 else {
        panic!("returns")
    };
    assert_eq!(decoded, None);
}

#[test]
fn the_program_plays_a_clients_server() {
    let local: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let rows = [
        at(0, Step::Connected { local }),
        at(1, Step::Sent(b"Hel")),
        at(2, Step::Sent(b"lo")),
        at(3, Step::Received(b"World")),
        at(4, Step::ClosedHere { reset: false }),
    ];
    let text = program(&rows, &context(Role::TcpClient)).expect("a program");
    let calls: Vec<&str> = text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.starts_with(' ') && !line.is_empty())
        .collect();
    assert_eq!(
        calls,
        [
            "import socket",
            "from socket import AF_INET, SOCK_STREAM",
            "def recv_exactly(sock, size):",
            "s = socket.socket(AF_INET, SOCK_STREAM)",
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "s.bind(('127.0.0.1', 5000))",
            "s.listen(1)",
            "print('listening on', s.getsockname())",
            "conn, addr = s.accept()",
            "print('accepted', addr)",
            "data = recv_exactly(conn, 5)",
            "print('recv', data)",
            "conn.sendall(b'World')",
            "data = conn.recv(1024)",
            "print('recv', data)  # b'': the other end closed (FIN)",
            "conn.close()",
            "s.close()",
        ]
    );
    // A session that never connected has no other end to play.
    assert_eq!(program(&rows[1..], &context(Role::TcpClient)), None);
}

#[test]
fn the_program_sends_gbk_text_as_a_course_writes_it() {
    let context = Context {
        encoding: TextEncoding::Gbk,
        ..context(Role::TcpServer)
    };
    let rows = [
        at(0, Step::Accepted),
        at(1, Step::Received(b"\xc4\xe3\xba\xc3")),
    ];
    let text = program(&rows, &context).expect("a program");
    assert!(text.contains("s.connect(('127.0.0.1', 40000))"), "{text}");
    assert!(text.contains("s.sendall('你好'.encode('gbk'))"), "{text}");
}

#[test]
fn lines_in_words() {
    let context = context(Role::TcpClient);
    let data = vec![b'z'; 2100];
    let rows = [at(0, Step::Sent(b"ab")), at(1, Step::Sent(&data))];
    let line = explain(&rows, 0, &context).unwrap();
    let said = words(&line, &context, |english| english);
    assert!(said.starts_with("conn.recv(1024) → b'abzz"), "{said}");
    assert!(
        said.ends_with("  (2 sends in one recv)  (+1078 bytes for the next 2 recv)"),
        "{said}"
    );
    let line = explain(&rows, 1, &context).unwrap();
    assert_eq!(
        words(&line, &context, |english| english),
        "(came out of the recv above)"
    );
}
