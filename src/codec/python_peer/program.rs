//! "Copy as Python": a short program in a course's style that plays the other end of what a
//! session did: it listens where we connected (or connects where we listened, or binds where
//! we sent datagrams), receives what we sent, sends what we received, and closes as the peer
//! did. Run against the same session again, the session sees the same bytes in the same order.

use std::fmt::Write;
use std::net::SocketAddr;

use super::{Context, RECV_SIZE, Role, Row, Step, address, python_encoding};
use crate::codec::TextEncoding;
use crate::codec::dissect::python_literal;

/// The program, or `None` when the session has no peer to play yet (it never connected, no
/// client came, no datagram crossed).
pub fn program(rows: &[Row], context: &Context) -> Option<String> {
    let (peer, steps) = conversation(rows, context.role)?;
    let encoding = context.encoding;
    let tcp = context.role != Role::Udp;
    let mut out = Program::default();
    let (what, ours) = match context.role {
        Role::TcpClient => ("a TCP client: this program is its server", None),
        Role::TcpServer => ("a TCP server: this program is its client", context.ours),
        Role::Udp => (
            "a UDP socket: this program is the socket it talked to",
            context.ours,
        ),
    };
    out.line(format!(
        "# The other end of a socket-tester session, {what}."
    ));
    out.line("# Start this first, then the same session again: it sees what it saw before.");
    out.line("import socket");
    let kind = if tcp { "SOCK_STREAM" } else { "SOCK_DGRAM" };
    let resets = steps
        .iter()
        .any(|step| matches!(step, Step::PeerClosed { reset: true }));
    if resets {
        out.line("import struct");
    }
    let ours = ours.map(reachable);
    let family = |addr: SocketAddr| {
        if addr.is_ipv6() {
            "AF_INET6"
        } else {
            "AF_INET"
        }
    };
    let bound = match context.role {
        Role::TcpServer => ours?,
        _ => peer,
    };
    out.line(format!("from socket import {}, {kind}", family(bound)));
    if tcp && steps.iter().any(|step| matches!(step, Step::Sent(_))) {
        out.blank();
        out.line("def recv_exactly(sock, size):");
        out.line("    # TCP is a stream: one send may come in several recv calls, several in one.");
        out.line("    data = b''");
        out.line("    while len(data) < size:");
        out.line(format!("        part = sock.recv({RECV_SIZE})"));
        out.line("        if not part:");
        out.line("            break");
        out.line("        data += part");
        out.line("    return data");
    }
    out.blank();
    // The socket this program talks through: a server's accepted `conn`, else `s`.
    let sock = match context.role {
        Role::TcpClient => {
            out.line(format!("s = socket.socket({}, {kind})", family(peer)));
            out.line("s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)");
            out.line(format!("s.bind({})", address(peer)));
            out.line("s.listen(1)");
            out.line("print('listening on', s.getsockname())");
            out.line("conn, addr = s.accept()");
            out.line("print('accepted', addr)");
            "conn"
        }
        Role::TcpServer => {
            out.line(format!("s = socket.socket({}, {kind})", family(bound)));
            out.line(format!("s.connect({})", address(bound)));
            "s"
        }
        Role::Udp => {
            out.line(format!("s = socket.socket({}, {kind})", family(peer)));
            out.line(format!("s.bind({})", address(peer)));
            out.line("print('bound to', s.getsockname())");
            "s"
        }
    };
    let mut index = 0;
    while index < steps.len() {
        match steps[index] {
            Step::Sent(_) if tcp => {
                // Our sends in a row: one run of bytes, however TCP cuts it.
                let mut expected = Vec::new();
                while let Some(Step::Sent(data)) = steps.get(index) {
                    expected.extend_from_slice(data);
                    index += 1;
                }
                out.line(format!("data = recv_exactly({sock}, {})", expected.len()));
                out.show_received(&expected, encoding);
                continue;
            }
            Step::Sent(data) => {
                out.line(format!("data, addr = s.recvfrom({RECV_SIZE})"));
                if data.len() > RECV_SIZE {
                    out.line(format!(
                        "# The datagram had {} bytes: recvfrom({RECV_SIZE}) keeps the first \
                         {RECV_SIZE}, the rest is gone.",
                        data.len()
                    ));
                }
                out.show_received(&data[..data.len().min(RECV_SIZE)], encoding);
            }
            Step::Received(data) => {
                let payload = payload(data, encoding);
                match ours {
                    Some(ours) if !tcp => {
                        out.line(format!("s.sendto({payload}, {})", address(ours)));
                    }
                    _ if !tcp => out.line(format!("s.sendto({payload}, addr)")),
                    _ => out.line(format!("{sock}.sendall({payload})")),
                }
            }
            Step::ClosedHere { reset: false } => {
                out.line(format!("data = {sock}.recv({RECV_SIZE})"));
                out.line("print('recv', data)  # b'': the other end closed (FIN)");
            }
            Step::ClosedHere { reset: true } => {
                out.line("try:");
                out.line(format!("    {sock}.recv({RECV_SIZE})"));
                out.line("except ConnectionResetError as error:");
                out.line("    print(error)  # the other end closed with RST");
            }
            Step::PeerClosed { reset: true } => {
                out.line("# SO_LINGER on, 0 seconds: close sends RST instead of FIN.");
                out.line(format!(
                    "{sock}.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, \
                     struct.pack('ii', 1, 0))"
                ));
            }
            _ => {}
        }
        index += 1;
    }
    out.line(format!("{sock}.close()"));
    if context.role == Role::TcpClient {
        out.line("s.close()");
    }
    Some(out.text)
}

/// The peer the program plays (the first one the session talked with) and what happened with
/// it, up to the end of its first connection.
fn conversation<'a>(rows: &[Row<'a>], role: Role) -> Option<(SocketAddr, Vec<Step<'a>>)> {
    let first = rows.iter().find(|row| {
        matches!(
            (role, row.step),
            (Role::TcpClient, Step::Connected { .. })
                | (Role::TcpServer, Step::Accepted)
                | (Role::Udp, Step::Sent(_) | Step::Received(_))
        )
    })?;
    let peer = first.peer?;
    let mut steps = Vec::new();
    for row in rows.iter().filter(|row| row.peer == Some(peer)) {
        steps.push(row.step);
        if matches!(row.step, Step::PeerClosed { .. } | Step::ClosedHere { .. })
            && role != Role::Udp
        {
            break;
        }
    }
    Some((peer, steps))
}

/// An address the program can reach: one bound to every address is reached on loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(v4) if v4.ip().is_unspecified() => {
            SocketAddr::from(([127, 0, 0, 1], v4.port()))
        }
        SocketAddr::V6(v6) if v6.ip().is_unspecified() => {
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, v6.port()))
        }
        other => other,
    }
}

/// What to send: `'你好'.encode('gbk')` when the bytes are text beyond ASCII in the page's
/// encoding (as a course writes it), else a bytes literal.
fn payload(data: &[u8], encoding: TextEncoding) -> String {
    match super::decoded(data, encoding) {
        Some(text) => format!("{text}.encode('{}')", python_encoding(encoding)),
        None => python_literal(data),
    }
}

#[derive(Default)]
struct Program {
    text: String,
}

impl Program {
    fn line(&mut self, line: impl AsRef<str>) {
        // Writing to a String cannot fail.
        let _ = writeln!(self.text, "{}", line.as_ref());
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }

    /// Prints what came (`expected`, as the session sent it): its bytes, and its text when it
    /// is text beyond ASCII in the page's encoding.
    fn show_received(&mut self, expected: &[u8], encoding: TextEncoding) {
        self.line("print('recv', data)");
        if super::decoded(expected, encoding).is_some() {
            let name = python_encoding(encoding);
            self.line(format!("print(data.decode('{name}'))"));
        }
    }
}
