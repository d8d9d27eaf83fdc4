//! WebSocket connections (RFC 6455). The opening handshake runs over a connected socket (the
//! plain one, or the loopback pair under TLS) on the thread that connected or accepted it;
//! then the connection's reader reads frames (`codec::websocket::MessageReader`) and its
//! writer writes one frame per message, masked from a client.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use socket2::Socket;
use tungstenite::handshake::client::generate_key;
use tungstenite::handshake::derive_accept_key;

use crate::codec::websocket::random_mask;
use crate::error::{Error, WebSocketProblem};
use crate::net::addr::HostPort;

/// The most a handshake's request or answer may take, headers and all.
const HEAD_LIMIT: usize = 16 * 1024;

/// Where a WebSocket client asks to go: the Host header and the path of its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketTarget {
    /// "host:port", as the Host header says it.
    pub host: String,
    /// "/chat?room=1": the URL's path and query ("/" when it has none).
    pub path: String,
}

/// A WebSocket URL read: where to connect, what to ask for there, and whether over TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketUrl {
    pub peer: HostPort,
    pub target: WebSocketTarget,
    /// `wss://`: WebSocket over TLS.
    pub secure: bool,
}

impl WebSocketUrl {
    /// `ws://HOST[:PORT][/PATH]` or `wss://…` (ports 80 and 443 by default); None for
    /// anything that does not start so (a plain `HOST:PORT`).
    pub fn parse(input: &str) -> Result<Option<WebSocketUrl>, Error> {
        WebSocketUrl::parse_or_port(input, None)
    }

    /// The port a `ws://` or `wss://` URL names itself; None for one that names none (it would
    /// take the window's Port) and for anything else.
    pub fn port_named(input: &str) -> Option<u16> {
        // Port 0 is no peer's: a URL that takes it from here is refused.
        let url = WebSocketUrl::parse_or_port(input, Some(0)).ok()??;
        Some(url.peer.port)
    }

    /// As [`WebSocketUrl::parse`], with `port` for a URL that names none (the window's Port
    /// field) instead of the scheme's.
    pub fn parse_or_port(input: &str, port: Option<u16>) -> Result<Option<WebSocketUrl>, Error> {
        let input = input.trim();
        let lower = input.to_ascii_lowercase();
        let (secure, rest) = if lower.starts_with("ws://") {
            (false, &input[5..])
        } else if lower.starts_with("wss://") {
            (true, &input[6..])
        } else {
            return Ok(None);
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(at) if rest[at..].starts_with('/') => (&rest[..at], rest[at..].to_string()),
            Some(at) => (&rest[..at], format!("/{}", &rest[at..])),
            None => (rest, "/".to_string()),
        };
        let default_port = port.unwrap_or(if secure { 443 } else { 80 });
        // "[::1]:9000", "[::1]", "host:9000", "host".
        let with_port = match authority.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(':') && !port.contains(']') => {
                format!("{host}:{port}")
            }
            _ => format!("{authority}:{default_port}"),
        };
        let peer =
            crate::net::addr::parse_remote(&with_port).map_err(|_| Error::InvalidAddress {
                input: input.to_string(),
                reason: "a WebSocket URL is ws://HOST[:PORT][/PATH] or wss://…".to_string(),
            })?;
        Ok(Some(WebSocketUrl {
            target: WebSocketTarget {
                host: peer.to_string(),
                path,
            },
            peer,
            secure,
        }))
    }
}

/// What the opening handshake said, as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WebSocketHandshake {
    /// "GET /chat HTTP/1.1".
    pub request: String,
    /// "HTTP/1.1 101 Switching Protocols".
    pub response: String,
    /// The headers that tell something (Host, Origin, User-Agent, Server, subprotocols,
    /// extensions asked for), from either side, in order.
    pub headers: Vec<(String, String)>,
}

impl WebSocketHandshake {
    /// "GET /chat HTTP/1.1 → HTTP/1.1 101 Switching Protocols; Host: …; Origin: …".
    pub fn summary(&self) -> String {
        let mut line = format!("{} → {}", self.request, self.response);
        for (name, value) in &self.headers {
            line.push_str(&format!("; {name}: {value}"));
        }
        line
    }
}

/// Which end of the connection this is: a client masks what it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Client,
    Server,
}

impl Role {
    pub fn mask(self) -> Option<[u8; 4]> {
        match self {
            Role::Client => Some(random_mask()),
            Role::Server => None,
        }
    }
}

/// A connection that passed the handshake: its role, the bytes read past the handshake (the
/// first frames, when the peer sent them at once), and what the handshake said.
pub(crate) struct WebSocketLink {
    pub role: Role,
    pub leftover: Vec<u8>,
    pub handshake: WebSocketHandshake,
}

/// The headers worth showing, whichever side sent them.
const SHOWN: [&str; 6] = [
    "host",
    "origin",
    "user-agent",
    "server",
    "sec-websocket-protocol",
    "sec-websocket-extensions",
];

/// The client's side of the handshake: asks `target` to switch to WebSocket.
pub(crate) fn connect(
    mut socket: &Socket,
    peer: SocketAddr,
    target: &WebSocketTarget,
    timeout: Duration,
) -> Result<WebSocketLink, Error> {
    let problem = |problem| Error::WebSocket { peer, problem };
    let key = generate_key();
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nUser-Agent: socket-tester/{}\r\n\r\n",
        target.path,
        target.host,
        env!("CARGO_PKG_VERSION")
    );
    let _ = socket.set_write_timeout(Some(timeout));
    socket
        .write_all(request.as_bytes())
        .map_err(|err| Error::from_io("writing to", peer, &err))?;
    let (head, leftover) = read_head(socket, peer, timeout)?;
    let head = Head::parse(&head);
    if !head.start.starts_with("HTTP/1.") {
        return Err(problem(WebSocketProblem::NotHttp {
            start: shown_start(&head.start),
        }));
    }
    if head.start.split(' ').nth(1) != Some("101") {
        return Err(problem(WebSocketProblem::NotUpgraded {
            status: head.start,
        }));
    }
    if head.header("sec-websocket-accept") != Some(derive_accept_key(key.as_bytes()).as_str()) {
        return Err(problem(WebSocketProblem::WrongAccept));
    }
    let mut headers = vec![("Host".to_string(), target.host.clone())];
    headers.extend(head.shown());
    Ok(WebSocketLink {
        role: Role::Client,
        leftover,
        handshake: WebSocketHandshake {
            request: format!("GET {} HTTP/1.1", target.path),
            response: head.start,
            headers,
        },
    })
}

/// The server's side of the handshake with a client just accepted: a request that is not a
/// WebSocket upgrade is answered 400 (426 for another protocol version) and refused in words.
pub(crate) fn accept(
    mut socket: &Socket,
    peer: SocketAddr,
    timeout: Duration,
) -> Result<WebSocketLink, Error> {
    let problem = |problem| Error::WebSocket { peer, problem };
    let (head, leftover) = read_head(socket, peer, timeout)?;
    let head = Head::parse(&head);
    if !head.start.ends_with("HTTP/1.1") && !head.start.ends_with("HTTP/1.0") {
        return Err(problem(WebSocketProblem::NotHttp {
            start: shown_start(&head.start),
        }));
    }
    let missing = if !head.start.starts_with("GET ") {
        Some("it is not a GET")
    } else if !head.has_token("upgrade", "websocket") {
        Some("no \"Upgrade: websocket\"")
    } else if !head.has_token("connection", "upgrade") {
        Some("no \"Connection: Upgrade\"")
    } else if head.header("sec-websocket-key").is_none() {
        Some("no Sec-WebSocket-Key")
    } else if head.header("sec-websocket-version") != Some("13") {
        Some("not Sec-WebSocket-Version 13")
    } else {
        None
    };
    let _ = socket.set_write_timeout(Some(timeout));
    if let Some(missing) = missing {
        let status = if missing.contains("Version") {
            "426 Upgrade Required\r\nSec-WebSocket-Version: 13"
        } else {
            "400 Bad Request"
        };
        let body = format!("not a WebSocket upgrade: {missing}\n");
        let answer = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        // The refusal is said here whether or not the client takes the answer.
        let _ = socket.write_all(answer.as_bytes());
        return Err(problem(WebSocketProblem::NotAnUpgrade {
            missing: missing.to_string(),
        }));
    }
    let key = head.header("sec-websocket-key").unwrap_or_default();
    let response = "HTTP/1.1 101 Switching Protocols";
    let answer = format!(
        "{response}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\
         Server: socket-tester/{}\r\n\r\n",
        derive_accept_key(key.as_bytes()),
        env!("CARGO_PKG_VERSION")
    );
    socket
        .write_all(answer.as_bytes())
        .map_err(|err| Error::from_io("writing to", peer, &err))?;
    Ok(WebSocketLink {
        role: Role::Server,
        leftover,
        handshake: WebSocketHandshake {
            request: head.start.clone(),
            response: response.to_string(),
            headers: head.shown(),
        },
    })
}

/// Reads up to the blank line that ends an HTTP head: the head, and what came after it.
fn read_head(
    mut socket: &Socket,
    peer: SocketAddr,
    timeout: Duration,
) -> Result<(String, Vec<u8>), Error> {
    let problem = |problem| Error::WebSocket { peer, problem };
    let deadline = Instant::now() + timeout;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            let leftover = bytes.split_off(end + 4);
            return Ok((String::from_utf8_lossy(&bytes).into_owned(), leftover));
        }
        if bytes.len() > HEAD_LIMIT {
            return Err(problem(WebSocketProblem::HeadersTooLong {
                limit: HEAD_LIMIT,
            }));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let timed_out = || {
            problem(WebSocketProblem::Timeout {
                millis: timeout.as_millis() as u64,
            })
        };
        if left.is_zero() {
            return Err(timed_out());
        }
        let _ = socket.set_read_timeout(Some(left));
        match socket.read(&mut chunk) {
            Ok(0) if bytes.is_empty() => {
                return Err(problem(WebSocketProblem::ClosedDuringHandshake));
            }
            // A peer that sends something else and closes: say what it sent.
            Ok(0) => {
                let start = String::from_utf8_lossy(&bytes);
                return Err(problem(WebSocketProblem::NotHttp {
                    start: shown_start(start.lines().next().unwrap_or_default()),
                }));
            }
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timed_out());
            }
            Err(err) => return Err(Error::from_io("reading from", peer, &err)),
        }
    }
}

/// The first 40 characters of what a peer sent, hidden characters escaped.
fn shown_start(start: &str) -> String {
    let cut: String = start.chars().take(40).collect();
    format!("{:?}", cut)
}

/// An HTTP head: its first line, and its headers with lower-case names.
struct Head {
    start: String,
    headers: Vec<(String, String, String)>,
}

impl Head {
    fn parse(text: &str) -> Head {
        let mut lines = text.split("\r\n");
        let start = lines.next().unwrap_or_default().trim().to_string();
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| {
                let name = name.trim();
                (
                    name.to_ascii_lowercase(),
                    name.to_string(),
                    value.trim().to_string(),
                )
            })
            .collect();
        Head { start, headers }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(lower, _, _)| lower == name)
            .map(|(_, _, value)| value.as_str())
    }

    /// A comma-separated header holds `token` (in any case).
    fn has_token(&self, name: &str, token: &str) -> bool {
        self.header(name).is_some_and(|value| {
            value
                .split(',')
                .any(|part| part.trim().eq_ignore_ascii_case(token))
        })
    }

    fn shown(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|(lower, _, _)| SHOWN.contains(&lower.as_str()))
            .map(|(_, name, value)| (name.clone(), value.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_s_headers_are_found_in_any_case_and_tokens_in_lists() {
        let head = Head::parse(
            "GET /chat HTTP/1.1\r\nHOST: a:1\r\nconnection: keep-alive, Upgrade\r\n\
             Upgrade: WebSocket\r\nOrigin: http://x\r\n\r\n",
        );
        assert_eq!(head.start, "GET /chat HTTP/1.1");
        assert_eq!(head.header("host"), Some("a:1"));
        assert!(head.has_token("connection", "upgrade"));
        assert!(head.has_token("upgrade", "websocket"));
        assert_eq!(
            head.shown(),
            [
                ("HOST".to_string(), "a:1".to_string()),
                ("Origin".to_string(), "http://x".to_string())
            ]
        );
        // RFC 6455 1.3's key and answer.
        assert_eq!(
            derive_accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn urls_give_the_peer_the_host_header_and_the_path() {
        let url = WebSocketUrl::parse("ws://127.0.0.1:9000/chat?room=1")
            .unwrap()
            .unwrap();
        assert_eq!(url.peer.to_string(), "127.0.0.1:9000");
        assert_eq!(url.target.path, "/chat?room=1");
        assert!(!url.secure);
        let url = WebSocketUrl::parse("WSS://[::1]").unwrap().unwrap();
        assert_eq!(
            (url.peer.to_string(), url.secure),
            ("[::1]:443".to_string(), true)
        );
        assert_eq!(url.target.path, "/");
        let url = WebSocketUrl::parse("ws://localhost?x=1").unwrap().unwrap();
        assert_eq!((url.peer.port, url.target.path.as_str()), (80, "/?x=1"));
        assert_eq!(WebSocketUrl::parse("127.0.0.1:9000").unwrap(), None);
        let url = WebSocketUrl::parse_or_port("ws://device/ws", Some(8080))
            .unwrap()
            .unwrap();
        assert_eq!(url.peer.port, 8080);
        let url = WebSocketUrl::parse_or_port("ws://device:81/", Some(8080))
            .unwrap()
            .unwrap();
        assert_eq!(url.peer.port, 81);
        assert!(WebSocketUrl::parse("ws://:0/").is_err());
        assert_eq!(WebSocketUrl::port_named("ws://device:81/ws"), Some(81));
        assert_eq!(WebSocketUrl::port_named("wss://[::1]:9443"), Some(9443));
        assert_eq!(WebSocketUrl::port_named("ws://device/ws"), None);
        assert_eq!(WebSocketUrl::port_named("device:81"), None);
    }
}
