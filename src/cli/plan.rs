//! Everything a session mode needs, checked before any socket is opened, so bad input sends
//! nothing and exits 2 naming what is wrong.

use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::args::{self, Mode};
use super::file_paths;
use super::input::Input;
use super::output::Printer;
use super::pcap_log::PcapLog;
use super::python_peer::PythonPeerLog;
use crate::codec::template::{Random, Template, Values};
use crate::codec::websocket::DataFrames;
use crate::codec::{Checksum, Framing, InputMode, PayloadFormat, TextEncoding};
use crate::error::{Error, MAX_UDP_PAYLOAD};
use crate::net::addr::{HostPort, parse_bind, parse_multicast, parse_remote};
use crate::net::tls::{ClientCertificate, TlsClient, TlsServer, Trust};
use crate::net::websocket::WebSocketUrl;
use crate::net::{
    Destination, Reconnect, RelayConfig, Responder, Rule, Sequence, Session, SessionConfig,
    SessionKind, TcpClientConfig, TcpOptions, TcpServerConfig, UdpConfig, file_chunk, no_waker,
    timeout_seconds,
};

/// A file sent with `--interval-ms` is sent whole each round, so it is read into memory once;
/// larger ones are refused (without `--interval-ms` a file of any size streams).
const MAX_REPEATED_FILE: u64 = 16 * 1024 * 1024;

pub struct Plan {
    pub pcap: Option<PcapLog>,
    /// `--python-peer`: the session's steps, for the program written at the end.
    pub python_peer: Option<PythonPeerLog>,
    pub session: Session,
    pub printer: Printer,
    /// What to send once the session is ready (a server sends `--send` per client instead).
    pub input: Input,
    /// A server's `--send` messages and `--send-file`, for each client it accepts.
    pub per_client: (Vec<Vec<u8>>, Option<std::path::PathBuf>),
    /// Where input goes.
    pub destination: Destination,
    pub wait: Duration,
    pub count: Option<u64>,
    /// Whether the run ends a `wait` after the last message is out (clients and UDP senders);
    /// servers and receivers run until Ctrl+C or `--count`.
    pub ends_after_input: bool,
    /// `--sequence`, with the encoding its texts are written and read in.
    pub sequence: Option<(Sequence, TextEncoding)>,
}

pub fn payload_format(data: &args::FormatArgs) -> Result<PayloadFormat, Error> {
    Ok(PayloadFormat {
        mode: if data.hex {
            InputMode::Hex
        } else {
            InputMode::Text
        },
        encoding: TextEncoding::from_name(&data.encoding)?,
        escapes: data.escapes,
        line_ending: data.eol.into(),
        checksum: Checksum::from_name(&data.checksum)?,
    })
}

fn tcp_options(tcp: &args::TcpArgs) -> Result<TcpOptions, Error> {
    let seconds = |name: &'static str, value: Option<f64>| {
        value
            .map(|s| timeout_seconds(name, s, &s.to_string()))
            .transpose()
    };
    Ok(TcpOptions {
        framing: Framing::parse(&tcp.framing)?,
        nodelay: tcp.nodelay,
        keepalive: tcp.keepalive,
        half_close: tcp.half_close,
        send_timeout: seconds("--send-timeout-s", tcp.send_timeout_s)?,
        idle_timeout: seconds("--idle-timeout-s", tcp.idle_timeout_s)?,
        memory_budget: usize::try_from(tcp.memory_budget_mib << 20).unwrap_or(usize::MAX),
    })
}

/// What differs between the modes; the rest of a `Plan` is built the same way for all.
struct ModePlan {
    config: SessionConfig,
    reads_stdin: bool,
    destination: Destination,
    wait: Duration,
    ends_after_input: bool,
    echo: bool,
    count: Option<u64>,
}

pub fn plan(mode: Mode) -> Result<Plan, Error> {
    let data = mode.data();
    let format = payload_format(&data.format)?;
    let mut templates: Vec<Template> = data
        .send
        .iter()
        .map(|m| Template::parse(m, format))
        .collect::<Result<_, _>>()?;
    let mut file = data.send_file.clone();
    if let Some(path) = &file {
        check_file(path)?;
    }
    file_paths::check_apart(
        &named([
            ("--send-file", &data.send_file),
            ("--sequence", &data.sequence),
        ]),
        &named([
            ("--capture", &data.capture),
            ("--pcap", &data.pcap),
            ("--python-peer", &data.python_peer),
        ]),
    )?;
    let interval = data.interval_ms.map(|ms| {
        (
            Duration::from_millis(ms),
            (data.repeat > 0).then_some(data.repeat),
        )
    });
    if interval.is_some()
        && let Some(path) = file.take()
    {
        let chunk = file_chunk(mode.kind());
        templates.extend(
            read_small_file(&path)?
                .chunks(chunk)
                .map(|c| Template::from_bytes(c.to_vec())),
        );
    }
    let messages = sent_once(&templates);
    let reply_checksum = Checksum::from_name(&data.reply_checksum)?;
    let rules = data
        .reply
        .iter()
        .map(|r| {
            Rule::parse(r).map(|rule| Rule {
                checksum: reply_checksum,
                ..rule
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (json, hex, full) = (data.json, data.format.hex, data.full);
    let capture = data.capture.clone();
    let pcap_path = data.pcap.clone();
    let (python_peer_path, as_python) = (data.python_peer.clone(), data.as_python);
    let sequence = data
        .sequence
        .as_deref()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(|e| file_error(path, &e))?;
            let sequence = Sequence::from_json(&text)?;
            sequence.check()?;
            Ok::<_, Error>((sequence, format.encoding))
        })
        .transpose()?;
    let frames = data
        .frames
        .as_deref()
        .map(DataFrames::from_name)
        .transpose()?;
    if frames.is_some() && !matches!(mode, Mode::WsClient(_) | Mode::WsServer(_)) {
        return Err(Error::InvalidSetting {
            name: "--frames",
            reason: "is for ws-client and ws-server".to_string(),
        });
    }
    let kind = mode.kind();
    let mode = mode_plan(mode, &messages, file.is_some())?;
    // Every check is done before the socket opens: bad input sends nothing.
    let responder = Responder::new(&rules, mode.echo, format.encoding)?;
    let pcap = pcap_path
        .map(|path| PcapLog::create(&path, kind))
        .transpose()?;
    // A relay has two peers: no Python program plays both.
    let python_peer = match (python_peer_path, as_python) {
        (None, false) => None,
        (path, show) => Some(PythonPeerLog::new(path, show, kind, format.encoding).ok_or(
            Error::InvalidSetting {
                name: "--python-peer and --as-python",
                reason: "are for tcp-client, tcp-server and udp: a relay has two peers".into(),
            },
        )?),
    };
    let session = Session::open(
        mode.config,
        no_waker(),
        capture.as_deref(),
        responder.is_active().then_some(responder),
    )?;
    session.set_data_frames(frames.unwrap_or_default());
    let (input, per_client) = match (kind, interval, file) {
        // The sequence is the input.
        _ if sequence.is_some() => (Input::Nothing, Default::default()),
        (SessionKind::TcpServer, _, file) => (
            if mode.reads_stdin {
                Input::Stdin(format)
            } else {
                Input::Nothing
            },
            (messages, file),
        ),
        _ if mode.reads_stdin => (Input::Stdin(format), Default::default()),
        (_, Some((every, rounds)), _) => (
            Input::Repeat {
                messages: templates,
                every,
                rounds,
            },
            Default::default(),
        ),
        (_, None, Some(path)) => (Input::MessagesThenFile(messages, path), Default::default()),
        (_, None, None) => (Input::Messages(messages), Default::default()),
    };
    Ok(Plan {
        pcap,
        python_peer,
        session,
        printer: Printer::new(json, hex, full, format.encoding, kind != SessionKind::Udp),
        input,
        per_client,
        destination: mode.destination,
        wait: mode.wait,
        count: mode.count,
        ends_after_input: mode.ends_after_input,
        sequence,
    })
}

/// The `--send` messages as sent once, in order: `${seq}` is 1 for the first.
fn sent_once(templates: &[Template]) -> Vec<Vec<u8>> {
    let mut random = Random::new(templates.len() as u64);
    (1..)
        .zip(templates)
        .map(|(seq, template)| {
            template.render(Values {
                seq,
                client: 0,
                random: random.draw(),
            })
        })
        .collect()
}

/// The files given, with the flag that named each.
fn named<'a, const N: usize>(
    files: [(&'static str, &'a Option<PathBuf>); N],
) -> Vec<(&'static str, &'a Path)> {
    files
        .into_iter()
        .filter_map(|(flag, path)| Some((flag, path.as_deref()?)))
        .collect()
}

fn file_error(path: &Path, err: &std::io::Error) -> Error {
    Error::File {
        action: "reading",
        path: path.display().to_string(),
        message: crate::error::describe_io(err),
    }
}

/// The file can be opened for reading (checked before anything is sent). A FIFO is not
/// opened here: that waits for its writer, before Ctrl+C is even listened for; the send's
/// own thread opens it.
fn check_file(path: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    if let Ok(metadata) = std::fs::metadata(path)
        && std::os::unix::fs::FileTypeExt::is_fifo(&metadata.file_type())
    {
        return Ok(());
    }
    let file = std::fs::File::open(path).map_err(|e| file_error(path, &e))?;
    match file.metadata() {
        Ok(metadata) if metadata.is_dir() => {
            Err(file_error(path, &std::io::Error::other("it is a folder")))
        }
        Ok(_) => Ok(()),
        Err(err) => Err(file_error(path, &err)),
    }
}

fn read_small_file(path: &Path) -> Result<Vec<u8>, Error> {
    let size = std::fs::metadata(path).map_err(|e| file_error(path, &e))?;
    if !size.is_file() || size.len() > MAX_REPEATED_FILE {
        return Err(Error::InvalidSetting {
            name: "--send-file",
            reason:
                "with --interval-ms must be a file of at most 16 MiB (it is sent whole each time)"
                    .to_string(),
        });
    }
    std::fs::read(path).map_err(|e| file_error(path, &e))
}

/// Checks a mode's own arguments and makes its session settings.
fn mode_plan(mode: Mode, messages: &[Vec<u8>], file: bool) -> Result<ModePlan, Error> {
    let websocket = matches!(mode, Mode::WsClient(_) | Mode::WsServer(_));
    match mode {
        Mode::TcpClient(a) | Mode::WsClient(a) => {
            let url = WebSocketUrl::parse(&a.target)?;
            if websocket && url.is_none() {
                return Err(Error::InvalidAddress {
                    input: a.target.clone(),
                    reason: "a WebSocket URL is ws://HOST[:PORT][/PATH] or wss://…".to_string(),
                });
            }
            let tls = a.tls || url.as_ref().is_some_and(|url| url.secure);
            let tls_options = [
                (a.tls_insecure, "--tls-insecure"),
                (a.sni.is_some(), "--sni"),
                (a.ca.is_some(), "--ca"),
                (a.cert.is_some(), "--cert"),
            ];
            if let Some((_, name)) = tls_options.iter().find(|(given, _)| *given && !tls) {
                return Err(Error::InvalidSetting {
                    name,
                    reason: "is for TLS: add --tls, or connect to a wss:// URL".to_string(),
                });
            }
            let mut config = match url {
                Some(url) => TcpClientConfig {
                    websocket: Some(url.target),
                    ..TcpClientConfig::new(url.peer)
                },
                None => TcpClientConfig::new(parse_remote(&a.target)?),
            };
            config.connect_timeout = Duration::from_millis(a.timeout_ms);
            config.reconnect = a.reconnect.then(Reconnect::default);
            config.tls = tls.then(|| TlsClient {
                sni: a.sni.clone(),
                trust: match (&a.ca, a.tls_insecure) {
                    (_, true) => Trust::AnyCertificate,
                    (Some(file), false) => Trust::CaFile(file.clone()),
                    (None, false) => Trust::SystemRoots,
                },
                certificate: None,
            });
            if let (Some(tls), Some(cert), Some(key)) = (&mut config.tls, &a.cert, &a.key) {
                tls.certificate = Some(ClientCertificate::from_files(cert, key)?);
            }
            config.options = tcp_options(&a.tcp)?;
            config.local_bind = a
                .bind
                .as_deref()
                .map(|b| parse_bind(b, IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
                .transpose()?;
            Ok(ModePlan {
                config: SessionConfig::TcpClient(config),
                reads_stdin: messages.is_empty() && !file,
                destination: Destination::Default,
                wait: Duration::from_millis(a.wait_ms),
                ends_after_input: true,
                echo: a.echo,
                count: a.data.count,
            })
        }
        Mode::TcpServer(a) | Mode::WsServer(a) => {
            let mut config =
                TcpServerConfig::new(parse_bind(&a.listen, IpAddr::V4(Ipv4Addr::UNSPECIFIED))?);
            config.websocket = websocket;
            config.max_clients = a.limit.max_clients as usize;
            config.dual_stack = a.dual_stack;
            config.tls = match (a.tls, &a.cert, &a.key, a.tls_self_signed) {
                (false, ..) => None,
                (true, Some(cert), Some(key), _) => Some(TlsServer::from_files(cert, key)?),
                (true, _, _, true) => Some(TlsServer::self_signed(&[
                    "localhost".to_string(),
                    config.bind.ip().to_string(),
                ])?),
                (true, ..) => {
                    return Err(Error::InvalidSetting {
                        name: "--tls",
                        reason: "needs --cert FILE --key FILE, or --tls-self-signed".to_string(),
                    });
                }
            };
            if let Some(ca) = &a.client_ca {
                config.tls = (config.tls.take())
                    .map(|tls| tls.asking_clients_for_certificates(ca))
                    .transpose()?;
            }
            config.options = tcp_options(&a.tcp)?;
            Ok(ModePlan {
                config: SessionConfig::TcpServer(config),
                // A terminal can type to every client; a script's stdin is left alone.
                reads_stdin: std::io::stdin().is_terminal(),
                destination: Destination::AllClients,
                wait: Duration::ZERO,
                ends_after_input: false,
                echo: a.echo,
                count: a.data.count,
            })
        }
        Mode::Relay(a) => {
            let data = &a.data;
            let injected = [
                (!data.send.is_empty(), "--send"),
                (data.send_file.is_some(), "--send-file"),
                (!data.reply.is_empty(), "--reply"),
            ];
            if let Some((_, name)) = injected.iter().find(|(given, _)| *given) {
                return Err(Error::InvalidSetting {
                    name,
                    reason: "is not for a relay, which passes bytes on as they come; type lines \
                             on a terminal to send them to the target"
                        .to_string(),
                });
            }
            let listen = parse_bind(&a.listen, IpAddr::V4(Ipv4Addr::UNSPECIFIED))?;
            let mut config = RelayConfig::new(listen, parse_remote(&a.target)?);
            // Spelled any way (a name, a v4-mapped address): a usage error, before it starts.
            if config.targets_itself(true) {
                return Err(Error::RelayToItself(config.target.to_string()));
            }
            config.connect_timeout = Duration::from_millis(a.timeout_ms);
            config.max_clients = a.limit.max_clients as usize;
            config.options = tcp_options(&a.tcp)?;
            Ok(ModePlan {
                config: SessionConfig::Relay(config),
                reads_stdin: std::io::stdin().is_terminal(),
                destination: Destination::Default,
                wait: Duration::ZERO,
                ends_after_input: false,
                echo: false,
                count: a.data.count,
            })
        }
        Mode::Udp(a) => {
            let target = a.to.as_deref().map(parse_remote).transpose()?;
            if let Some(big) = messages.iter().find(|m| m.len() > MAX_UDP_PAYLOAD) {
                return Err(Error::DatagramTooLarge { len: big.len() });
            }
            if target.is_none() && (!messages.is_empty() || file) {
                return Err(Error::NoTarget);
            }
            let groups: Vec<IpAddr> = a
                .join
                .iter()
                .map(|g| parse_multicast(g))
                .collect::<Result<_, _>>()?;
            // Bind in the family of the target or group, so `--to [::1]:9` works without `--bind`.
            let target_v6 = target
                .as_ref()
                .and_then(HostPort::ip)
                .is_some_and(|ip| ip.is_ipv6());
            let any = if target_v6 || groups.iter().any(IpAddr::is_ipv6) {
                IpAddr::V6(Ipv6Addr::UNSPECIFIED)
            } else {
                IpAddr::V4(Ipv4Addr::UNSPECIFIED)
            };
            let bind = match a.bind.as_deref() {
                Some(bind) => parse_bind(bind, any)?,
                None => (any, 0).into(),
            };
            let sends = target.is_some();
            let mut config = UdpConfig::new(bind);
            config.target = target;
            config.broadcast = a.broadcast;
            config.multicast_groups = groups;
            config.multicast_ttl = a.ttl;
            if a.ttl.is_some_and(|ttl| ttl > 255) {
                return Err(Error::InvalidSetting {
                    name: "--ttl",
                    reason: "must be a number of hops from 0 to 255".to_string(),
                });
            }
            config.multicast_loop = !a.no_multicast_loop;
            Ok(ModePlan {
                config: SessionConfig::Udp(config),
                reads_stdin: sends && messages.is_empty() && !file,
                destination: Destination::Default,
                wait: Duration::from_millis(a.wait_ms),
                ends_after_input: sends,
                echo: a.echo,
                count: a.data.count,
            })
        }
    }
}
