//! A page's log as "what the Python peer saw" (the log's Python column, the Demo's Python
//! view) and as the Python program that plays its other end ("Copy as Python"). The
//! translation itself is `codec::python_peer`; this reads the log's rows into it and puts
//! its results into words of the current language (the Python stays Python).

use crate::capture::python_peer::{close_step, error_step};
use crate::codec::python_peer::{self, Context, Role, Row, Step};
use crate::gui::i18n::t;
use crate::gui::model::log::{Direction, Log, Mark, Note};
use crate::gui::model::page::{Link, Page};
use crate::net::SessionKind;

/// How the page's session stood, for the translation; `None` for a relay (two peers).
pub fn context(page: &Page) -> Option<Context> {
    let role = match page.kind() {
        SessionKind::TcpClient => Role::TcpClient,
        SessionKind::TcpServer => Role::TcpServer,
        SessionKind::Udp => Role::Udp,
        SessionKind::Relay => return None,
    };
    let ours = match page.link() {
        Link::Listening { local } => Some(*local),
        // Closed since: the address it listened on, as its log says.
        _ => page.log().notes().rev().find_map(|note| match note {
            Note::Listening { local } => Some(*local),
            _ => None,
        }),
    };
    Some(Context {
        role,
        ours,
        encoding: page.config().encoding,
    })
}

/// Row `i` of `log` as the translation reads it.
pub fn row(log: &Log, i: usize) -> Row<'_> {
    let (mark, data, note) = log.raw(i);
    let step = match (log.direction(i), mark, note) {
        (Direction::Tx, Mark::Data, _) => Step::Sent(data),
        (Direction::Rx, Mark::Data, _) => Step::Received(data),
        (_, Mark::Connected, Some(&Note::Connected { local, .. })) => Step::Connected { local },
        (_, Mark::Accepted, _) => Step::Accepted,
        (_, _, Some(Note::Closed(reason))) => close_step(reason),
        (_, _, Some(Note::Error(error))) => error_step(error),
        _ => Step::Other,
    };
    Row {
        time_us: log.time_us(i),
        peer: log
            .peer_index(i)
            .and_then(|p| log.peers().get(p))
            .map(|(addr, _)| *addr),
        step,
    }
}

/// The Python line of log row `i`, in words ("conn.recv(1024) → b'Hello'"); empty for a row
/// with no Python call.
pub fn words_at(log: &Log, i: usize, context: &Context) -> String {
    // The row before (is this send joined to an earlier one?), and a send's next sends.
    let from = i.saturating_sub(1);
    let mut rows: Vec<Row> = (from..=i).map(|r| row(log, r)).collect();
    if matches!(rows.last().map(|r| r.step), Some(Step::Sent(_))) {
        let more = (i + 1..log.len()).take(python_peer::JOINED_AT_MOST);
        rows.extend(
            more.map(|r| row(log, r))
                .take_while(|r| matches!(r.step, Step::Sent(_))),
        );
    }
    python_peer::explain(&rows, i - from, context)
        .map_or_else(String::new, |line| python_peer::words(&line, context, t))
}

/// The program that plays the other end of the page's session ("Copy as Python"), or why
/// there is none yet.
pub fn program(page: &Page) -> Result<String, &'static str> {
    let context = context(page).ok_or("A relay has two peers: copy a client or server page")?;
    let log = page.log();
    let rows: Vec<Row> = (0..log.len()).map(|i| row(log, i)).collect();
    python_peer::program(&rows, &context).ok_or("Nothing to play yet: no peer in the log")
}
