//! The command line: the same engine and codecs as the desktop app, one line per event.

mod args;
mod output;
mod stress;

use std::io::{BufRead, IsTerminal};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use clap::Parser;
use crossbeam_channel::{Receiver, after, at, never, select, unbounded};

pub use args::{Cli, Command, Mode};

use crate::codec::{Checksum, Framing, InputMode, PayloadFormat, TextEncoding, build_payload};
use crate::error::{Error, MAX_UDP_PAYLOAD};
use crate::net::addr::{parse_bind, parse_multicast, parse_remote};
use crate::net::{
    Destination, EventKind, Reconnect, Session, SessionConfig, SessionKind, TcpClientConfig,
    TcpOptions, TcpServerConfig, UdpConfig, file_chunk, no_waker,
};
use crate::pcap::PcapWriter;
use crate::record::{Recorder, Transport};
use crate::rules::{Responder, Rule};
use output::Printer;

/// Exit codes scripts rely on.
pub const EXIT_OK: i32 = 0;
pub const EXIT_NETWORK: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// What the command line asks for.
pub enum Invocation {
    /// No command: open the desktop app.
    Gui,
    /// A command ran (or the arguments were wrong); exit with this code.
    Exit(i32),
}

/// Parses the process arguments and runs a command if one was given.
pub fn main_entry() -> Invocation {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go out whole; a usage error is one line, like every other error.
        Err(err) if err.use_stderr() => {
            let rendered = err.render().to_string();
            let first = rendered
                .lines()
                .next()
                .unwrap_or("error: invalid arguments");
            eprintln!("{first} (see --help)");
            return Invocation::Exit(EXIT_USAGE);
        }
        Err(err) => {
            let _ = err.print();
            return Invocation::Exit(EXIT_OK);
        }
    };
    match cli.command {
        None => Invocation::Gui,
        Some(Command::Bench(args)) => {
            run_bench(&args);
            Invocation::Exit(EXIT_OK)
        }
        Some(Command::Session(mode)) => Invocation::Exit(exit_code(run(mode))),
        Some(Command::Stress(args)) => Invocation::Exit(exit_code(stress::run(&args))),
    }
}

/// The exit code of a run; an error is told on stderr in one line.
fn exit_code(result: Result<i32, Error>) -> i32 {
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            if error.is_input_error() {
                EXIT_USAGE
            } else {
                EXIT_NETWORK
            }
        }
    }
}

fn run_bench(args: &args::BenchArgs) {
    if !args.json {
        println!(
            "{:<16} {:>16} {:<18} {:>16} {:>8}",
            "figure", "value", "unit", "baseline", "ratio"
        );
    }
    crate::bench::run(args.quick, args.only.as_deref(), |figure| {
        if args.json {
            // Serializing numbers and fixed names cannot fail.
            println!("{}", serde_json::to_string(figure).unwrap_or_default());
        } else {
            println!(
                "{:<16} {:>16.1} {:<18} {:>16.1} {:>8.3}",
                figure.name, figure.value, figure.unit, figure.baseline, figure.ratio
            );
        }
    });
}

/// `--pcap`: every event's packets, written through at once (servers end with Ctrl+C).
struct PcapLog {
    recorder: Recorder,
    writer: PcapWriter<std::io::BufWriter<std::fs::File>>,
    path: std::path::PathBuf,
}

impl PcapLog {
    fn create(path: &std::path::Path, kind: SessionKind) -> Result<PcapLog, Error> {
        let transport = match kind {
            SessionKind::Udp => Transport::Udp,
            _ => Transport::Tcp,
        };
        let writing = |err: std::io::Error| Error::File {
            action: "writing",
            path: path.display().to_string(),
            message: crate::error::describe_io(&err),
        };
        let file = std::fs::File::create(path).map_err(writing)?;
        let writer = PcapWriter::new(std::io::BufWriter::new(file), transport).map_err(writing)?;
        Ok(PcapLog {
            recorder: Recorder::new(transport),
            writer,
            path: path.to_path_buf(),
        })
    }

    fn write(&mut self, event: &crate::net::Event) -> Result<(), Error> {
        let Some(item) = self.recorder.item(event) else {
            return Ok(());
        };
        self.writer
            .write(&item)
            .and_then(|()| self.writer.flush())
            .map_err(|err| Error::File {
                action: "writing",
                path: self.path.display().to_string(),
                message: crate::error::describe_io(&err),
            })
    }
}

/// Everything a mode needs, checked before any socket is opened, so bad input sends nothing.
struct Plan {
    pcap: Option<PcapLog>,
    session: Session,
    printer: Printer,
    format: PayloadFormat,
    /// `--send` messages, already encoded.
    messages: Vec<Vec<u8>>,
    /// `--interval-ms` and `--repeat`: send the messages again this often, this many times
    /// (None: until stopped).
    interval: Option<(Duration, Option<u64>)>,
    /// Where stdin lines and `--send` messages go.
    destination: Destination,
    wait: Duration,
    count: Option<u64>,
    /// Auto-replies: `--echo` and `--reply` rules.
    responder: Responder,
    /// Whether the run ends a `wait` after the last message is sent (clients and UDP senders);
    /// servers and receivers run until Ctrl+C or `--count`.
    ends_after_input: bool,
    reads_stdin: bool,
}

fn payload_format(data: &args::FormatArgs) -> Result<PayloadFormat, Error> {
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

fn read_file(path: &std::path::Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|err| Error::File {
        action: "reading",
        path: path.display().to_string(),
        message: crate::error::describe_io(&err),
    })
}

fn tcp_options(tcp: &args::TcpArgs) -> Result<TcpOptions, Error> {
    Ok(TcpOptions {
        framing: Framing::parse(&tcp.framing)?,
        nodelay: tcp.nodelay,
        keepalive: tcp.keepalive,
        half_close: tcp.half_close,
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

fn plan(mode: Mode) -> Result<Plan, Error> {
    let data = mode.data();
    let format = payload_format(&data.format)?;
    let mut messages: Vec<Vec<u8>> = data
        .send
        .iter()
        .map(|m| build_payload(m, &format))
        .collect::<Result<_, _>>()?;
    if let Some(path) = &data.send_file {
        let chunk = file_chunk(mode.kind());
        messages.extend(read_file(path)?.chunks(chunk).map(<[u8]>::to_vec));
    }
    let rules = data
        .reply
        .iter()
        .map(|r| Rule::parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    let interval = match data.interval_ms {
        Some(0) => return Err(Error::InvalidInterval),
        Some(ms) => Some((
            Duration::from_millis(ms),
            (data.repeat > 0).then_some(data.repeat),
        )),
        None => None,
    };
    let (json, hex, capture) = (data.json, data.format.hex, data.capture.clone());
    let pcap_path = data.pcap.clone();
    let mode = mode_plan(mode, &messages)?;
    // Every check is done before the socket opens: bad input sends nothing.
    let responder = Responder::new(&rules, mode.echo, format.encoding)?;
    let streams = mode.config.kind() != SessionKind::Udp;
    let pcap = pcap_path
        .map(|path| PcapLog::create(&path, mode.config.kind()))
        .transpose()?;
    Ok(Plan {
        pcap,
        session: Session::open(mode.config, no_waker(), capture.as_deref())?,
        printer: Printer::new(json, hex, format.encoding, streams),
        reads_stdin: mode.reads_stdin,
        responder,
        format,
        messages,
        interval,
        destination: mode.destination,
        wait: mode.wait,
        count: mode.count,
        ends_after_input: mode.ends_after_input,
    })
}

/// Checks a mode's own arguments and makes its session settings.
fn mode_plan(mode: Mode, messages: &[Vec<u8>]) -> Result<ModePlan, Error> {
    match mode {
        Mode::TcpClient(a) => {
            let mut config = TcpClientConfig::new(parse_remote(&a.target)?);
            config.connect_timeout = Duration::from_millis(a.timeout_ms);
            config.reconnect = a.reconnect.then(Reconnect::default);
            config.options = tcp_options(&a.tcp)?;
            config.local_bind = a
                .bind
                .as_deref()
                .map(|b| parse_bind(b, IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
                .transpose()?;
            Ok(ModePlan {
                config: SessionConfig::TcpClient(config),
                reads_stdin: messages.is_empty(),
                destination: Destination::Default,
                wait: Duration::from_millis(a.wait_ms),
                ends_after_input: true,
                echo: a.echo,
                count: a.count,
            })
        }
        Mode::TcpServer(a) => {
            let mut config =
                TcpServerConfig::new(parse_bind(&a.listen, IpAddr::V4(Ipv4Addr::UNSPECIFIED))?);
            config.max_clients = a.max_clients;
            config.dual_stack = a.dual_stack;
            config.options = tcp_options(&a.tcp)?;
            Ok(ModePlan {
                config: SessionConfig::TcpServer(config),
                // A terminal can type to every client; a script's stdin is left alone.
                reads_stdin: std::io::stdin().is_terminal(),
                destination: Destination::AllClients,
                wait: Duration::ZERO,
                ends_after_input: false,
                echo: a.echo,
                count: a.count,
            })
        }
        Mode::Udp(a) => {
            let target = a.to.as_deref().map(parse_remote).transpose()?;
            if let Some(big) = messages.iter().find(|m| m.len() > MAX_UDP_PAYLOAD) {
                return Err(Error::DatagramTooLarge { len: big.len() });
            }
            if target.is_none() && !messages.is_empty() {
                return Err(Error::NoTarget);
            }
            let groups: Vec<IpAddr> = a
                .join
                .iter()
                .map(|g| parse_multicast(g))
                .collect::<Result<_, _>>()?;
            // Bind in the family of the target or group, so `--to [::1]:9` works without `--bind`.
            let target_v6 = matches!(
                target.as_ref().map(|t| t.host.parse::<IpAddr>()),
                Some(Ok(IpAddr::V6(_)))
            );
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
            config.multicast_loop = !a.no_multicast_loop;
            Ok(ModePlan {
                config: SessionConfig::Udp(config),
                reads_stdin: sends && messages.is_empty(),
                destination: Destination::Default,
                wait: Duration::from_millis(a.wait_ms),
                ends_after_input: sends,
                echo: a.echo,
                count: a.count,
            })
        }
    }
}

fn run(mode: Mode) -> Result<i32, Error> {
    let Plan {
        mut pcap,
        session,
        mut printer,
        format,
        messages,
        interval,
        destination,
        wait,
        count,
        mut responder,
        ends_after_input,
        reads_stdin,
    } = plan(mode)?;
    let mut lines = never();
    // All input is handed to the session: `--send` messages once ready, or stdin at its end.
    let mut input_done = false;
    let mut outstanding = 0usize; // sends asked for and not yet reported sent or failed
    let mut received = 0u64;
    let mut finishing = false; // `--count` reached: exit once outstanding sends are out
    let mut deadline: Receiver<std::time::Instant> = never();
    let mut deadline_set = false;
    let mut failed = false;
    let mut _repeater = None;

    loop {
        let reply_timer = responder.next_due().map_or_else(never, at);
        select! {
            recv(session.events()) -> event => {
                let Ok(event) = event else { break };
                printer.print(&event);
                if let Some(log) = &mut pcap
                    && let Err(error) = log.write(&event)
                {
                    // The session goes on; the file says no more.
                    eprintln!("error: {error}");
                    pcap = None;
                }
                match &event.kind {
                    // Ready to send: a client connected, or a UDP socket bound.
                    EventKind::Connected { .. } | EventKind::Listening { .. } => {
                        if reads_stdin {
                            // Read only now, so no line is refused for want of a connection.
                            lines = stdin_lines();
                        } else if session.kind() != SessionKind::TcpServer {
                            match interval {
                                Some((every, rounds)) => {
                                    // Kept until the run ends: dropping it stops the repeats.
                                    _repeater = Some(session.repeat(destination.clone(), messages.clone(), every, rounds)?);
                                    // Endless repeats end only with Ctrl+C or --count.
                                    input_done = rounds.is_some();
                                    outstanding += messages.len() * rounds.unwrap_or(0) as usize;
                                }
                                None => {
                                    for message in &messages {
                                        session.send(destination.clone(), message.clone());
                                        outstanding += 1;
                                    }
                                    input_done = true;
                                }
                            }
                        }
                    }
                    EventKind::Accepted { client, .. } => {
                        for message in &messages {
                            session.send(Destination::Client(*client), message.clone());
                        }
                    }
                    EventKind::Received { client, peer, data } => {
                        let from = match session.kind() {
                            SessionKind::TcpServer => Destination::Client(client.unwrap_or_default()),
                            SessionKind::Udp => Destination::Address(peer.to_string()),
                            SessionKind::TcpClient => Destination::Default,
                        };
                        let text = format.encoding.decode_whole(data);
                        for (to, reply) in responder.on_received(&from, data, &text, Instant::now()) {
                            session.send(to, reply);
                            outstanding += 1;
                        }
                        received += 1;
                        finishing |= count.is_some_and(|n| received >= n);
                    }
                    EventKind::Sent { .. } => outstanding = outstanding.saturating_sub(1),
                    EventKind::Error { .. } => {
                        outstanding = outstanding.saturating_sub(1);
                        failed = true;
                    }
                    EventKind::Stopped => return Ok(if failed { EXIT_NETWORK } else { EXIT_OK }),
                    _ => {}
                }
            },
            recv(lines) -> line => match line {
                Ok(line) => match build_payload(&line, &format) {
                    Ok(data) => {
                        session.send(destination.clone(), data);
                        outstanding += 1;
                    }
                    Err(error) => eprintln!("error: {error}"),
                },
                Err(_) => {
                    input_done = true;
                    // No more lines: stop selecting on the closed channel.
                    lines = never();
                }
            },
            recv(deadline) -> _ => break,
            recv(reply_timer) -> _ => {
                for (to, reply) in responder.due(Instant::now()) {
                    session.send(to, reply);
                    outstanding += 1;
                }
            },
        }
        if finishing && outstanding == 0 && responder.next_due().is_none() {
            break;
        }
        if ends_after_input && input_done && outstanding == 0 && !deadline_set {
            deadline = after(wait);
            deadline_set = true;
        }
    }
    let closing = session.stop_and_collect();
    if let Some(log) = &mut pcap {
        for event in &closing {
            if let Err(error) = log.write(event) {
                eprintln!("error: {error}");
                break;
            }
        }
    }
    Ok(if failed { EXIT_NETWORK } else { EXIT_OK })
}

/// Standard input, line by line, from a thread (a blocking read cannot be selected on). The
/// channel disconnects at end of input.
fn stdin_lines() -> Receiver<String> {
    let (tx, rx) = unbounded();
    // If the thread cannot start, input is treated as empty.
    let _ = std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if tx.send(line.trim_end_matches('\r').to_string()).is_err() {
                    break;
                }
            }
        });
    rx
}
