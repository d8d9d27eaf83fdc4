//! Recordings of a session: who connected, every message with its time and direction, how each
//! connection ended. Saved as JSON for replay, or written as pcap for Wireshark (`pcap`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::codec::hex::{format_hex, parse_hex};
use crate::error::Error;
use crate::net::{ClientId, Closer, Event, EventKind, Message};

/// Payload bytes a recording keeps at most; past it, recording stops (and says so).
pub const RECORDING_LIMIT: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Transport {
    Tcp,
    Udp,
}

/// Which end did something: this app's socket, or the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    Here,
    Peer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum What {
    /// A TCP connection opened; `by` connected (the other end accepted).
    Open { by: Side },
    /// Bytes sent by `from`, exactly as one read or write moved them.
    Data {
        from: Side,
        #[serde(with = "hex_text")]
        data: Vec<u8>,
    },
    /// A TCP connection ended: `by` closed it, with RST if `reset`, else with FIN.
    Close { by: Side, reset: bool },
    /// `by` sent FIN and the connection stays open the other way (half-close); a `Close`
    /// follows.
    Finished { by: Side },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Microseconds since the Unix epoch.
    pub time_us: u64,
    pub local: SocketAddr,
    pub peer: SocketAddr,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    pub transport: Transport,
    pub items: Vec<Item>,
    /// True when the size limit stopped the recording early.
    #[serde(default)]
    pub truncated: bool,
}

impl Recording {
    pub fn to_json(&self) -> String {
        // Addresses, numbers and hex strings always serialise.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Recording, Error> {
        serde_json::from_str(text).map_err(|err| Error::InvalidSetting {
            name: "recording",
            reason: format!("is not a socket-tester recording: {err}"),
        })
    }

    /// The messages `side` sent, in the order recorded, each with its time from the first of
    /// them: what a replay of that side sends. Times taken on several threads, or edited by
    /// hand, may run backwards; a message then goes right after the one before it (never
    /// before it, so the stream keeps its order), and no wait is longer than a day.
    pub fn messages_from(&self, side: Side) -> Vec<(std::time::Duration, Vec<u8>)> {
        const LONGEST_US: u64 = 24 * 3600 * 1_000_000;
        let mut first = None;
        let mut latest = 0;
        self.items
            .iter()
            .filter_map(|item| match &item.what {
                What::Data { from, data } if *from == side => {
                    let first = *first.get_or_insert(item.time_us);
                    latest = item.time_us.saturating_sub(first).clamp(latest, LONGEST_US);
                    Some((std::time::Duration::from_micros(latest), data.clone()))
                }
                _ => None,
            })
            .collect()
    }
}

/// Turns a session's events into recording items; it knows each connection's local address
/// from the event that opened it.
pub struct Recorder {
    recording: Recording,
    bytes: usize,
    locals: HashMap<Option<ClientId>, SocketAddr>,
    /// A relay's connection to its target for each pair: the target and this end's address.
    relayed: HashMap<ClientId, (SocketAddr, SocketAddr)>,
}

impl Recorder {
    pub fn new(transport: Transport) -> Recorder {
        Recorder {
            recording: Recording {
                transport,
                items: Vec::new(),
                truncated: false,
            },
            bytes: 0,
            locals: HashMap::new(),
            relayed: HashMap::new(),
        }
    }

    /// Starts with a connection that was open before the recording began (`by` opened it):
    /// its real addresses, and an `Open` item now, so a pcap shows its handshake.
    pub fn already_open(
        &mut self,
        client: Option<ClientId>,
        local: SocketAddr,
        peer: SocketAddr,
        by: Side,
    ) {
        self.locals.insert(client, local);
        self.recording.items.push(Item {
            time_us: micros_since_epoch(SystemTime::now()),
            local: reachable(local, peer),
            peer,
            what: What::Open { by },
        });
    }

    /// Starts with the address of a socket bound before the recording began (a UDP socket, a
    /// listening server).
    pub fn already_bound(&mut self, local: SocketAddr) {
        self.locals.insert(None, local);
    }

    /// Adds what `event` means for the traffic; false once the size limit was reached.
    pub fn observe(&mut self, event: &Event) -> bool {
        for item in self.items(event) {
            if let What::Data { data, .. } = &item.what {
                if self.bytes + data.len() > RECORDING_LIMIT {
                    self.recording.truncated = true;
                    return false;
                }
                self.bytes += data.len();
            }
            self.recording.items.push(item);
        }
        !self.recording.truncated
    }

    /// What `event` is as recording items (one per message of a batch), if it is traffic. Also
    /// used to write pcap live.
    pub fn items(&mut self, event: &Event) -> Vec<Item> {
        let one = |peer: SocketAddr, what: What| vec![(event.time, peer, what)];
        let (client, happened) = match &event.kind {
            EventKind::Listening { local } => {
                self.locals.insert(None, *local);
                return Vec::new();
            }
            EventKind::Connected { local, peer } => {
                self.locals.insert(None, *local);
                (None, one(*peer, What::Open { by: Side::Here }))
            }
            EventKind::Accepted {
                client,
                local,
                peer,
                ..
            } => {
                self.locals.insert(Some(*client), *local);
                (Some(*client), one(*peer, What::Open { by: Side::Peer }))
            }
            EventKind::Relaying {
                client,
                local,
                target,
            } => {
                self.relayed.insert(*client, (*target, *local));
                (Some(*client), one(*target, What::Open { by: Side::Here }))
            }
            EventKind::Received { client, messages } => {
                let data = |message: &Message| What::Data {
                    from: Side::Peer,
                    data: message.data.clone(),
                };
                let happened = messages.iter().map(|m| (m.time, m.peer, data(m))).collect();
                (*client, happened)
            }
            EventKind::Sent {
                client, peer, data, ..
            } => {
                let what = What::Data {
                    from: Side::Here,
                    data: data.clone(),
                };
                (*client, one(*peer, what))
            }
            EventKind::PeerFinished { client, peer } => {
                (*client, one(*peer, What::Finished { by: Side::Peer }))
            }
            EventKind::Closed {
                client,
                peer,
                reason,
            } => {
                let (closer, reset) = reason.ending();
                let by = match closer {
                    Closer::Here => Side::Here,
                    Closer::Peer => Side::Peer,
                };
                (*client, one(*peer, What::Close { by, reset }))
            }
            _ => return Vec::new(),
        };
        let items: Vec<Item> = happened
            .into_iter()
            .map(|(time, peer, what)| {
                let local = self.local(client, peer);
                Item {
                    time_us: micros_since_epoch(time),
                    local: local
                        .map_or_else(|| unspecified_like(peer), |local| reachable(local, peer)),
                    peer,
                    what,
                }
            })
            .collect();
        // A server's client ids are not reused; forget the closed one's address.
        if let (Some(id), [item]) = (client, &items[..])
            && let What::Close { .. } = item.what
        {
            if self
                .relayed
                .get(&id)
                .is_some_and(|(target, _)| *target == item.peer)
            {
                self.relayed.remove(&id);
            } else {
                self.locals.remove(&client);
            }
        }
        items
    }

    /// This end's address on the connection of `client` with `peer`.
    fn local(&self, client: Option<ClientId>, peer: SocketAddr) -> Option<SocketAddr> {
        let relayed = client.and_then(|id| self.relayed.get(&id));
        match relayed {
            Some((target, local)) if *target == peer => Some(*local),
            _ => self
                .locals
                .get(&client)
                .or_else(|| self.locals.get(&None))
                .copied(),
        }
    }

    pub fn recording(&self) -> &Recording {
        &self.recording
    }
}

fn micros_since_epoch(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// A socket bound to 0.0.0.0 or :: talks from a real address; loopback is the one a peer on
/// loopback reaches, and the best guess otherwise.
fn reachable(local: SocketAddr, peer: SocketAddr) -> SocketAddr {
    if local.ip().is_unspecified() && peer.ip().is_loopback() {
        SocketAddr::new(peer.ip(), local.port())
    } else {
        local
    }
}

fn unspecified_like(peer: SocketAddr) -> SocketAddr {
    let ip = match peer {
        SocketAddr::V4(_) => std::net::Ipv4Addr::UNSPECIFIED.into(),
        SocketAddr::V6(_) => std::net::Ipv6Addr::UNSPECIFIED.into(),
    };
    SocketAddr::new(ip, 0)
}

/// Payload bytes as hex text in JSON, readable and exact.
mod hex_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_hex(data))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_hex(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{CloseReason, EventKind};

    fn event(kind: EventKind) -> Event {
        Event::now(kind)
    }

    #[test]
    fn a_server_conversation_becomes_items_with_the_accepted_local_address() {
        let mut recorder = Recorder::new(Transport::Tcp);
        let local: SocketAddr = "127.0.0.1:9000".parse().unwrap();
        let peer: SocketAddr = "127.0.0.1:50000".parse().unwrap();
        for kind in [
            EventKind::Listening {
                local: "0.0.0.0:9000".parse().unwrap(),
            },
            EventKind::Accepted {
                client: 1,
                local,
                peer,
                counters: Default::default(),
            },
            EventKind::received(Some(1), peer, b"hi".to_vec()),
            EventKind::sent(Some(1), peer, b"yo".to_vec()),
            EventKind::Closed {
                client: Some(1),
                peer,
                reason: CloseReason::Reset,
            },
        ] {
            assert!(recorder.observe(&event(kind)));
        }
        let whats: Vec<(SocketAddr, What)> = recorder
            .recording()
            .items
            .iter()
            .map(|i| (i.local, i.what.clone()))
            .collect();
        assert_eq!(
            whats,
            [
                (local, What::Open { by: Side::Peer }),
                (
                    local,
                    What::Data {
                        from: Side::Peer,
                        data: b"hi".to_vec()
                    }
                ),
                (
                    local,
                    What::Data {
                        from: Side::Here,
                        data: b"yo".to_vec()
                    }
                ),
                (
                    local,
                    What::Close {
                        by: Side::Peer,
                        reset: true
                    }
                ),
            ]
        );
        let json = recorder.recording().to_json();
        assert_eq!(&Recording::from_json(&json).unwrap(), recorder.recording());
        assert_eq!(
            recorder.recording().messages_from(Side::Here)[0].1,
            b"yo".to_vec()
        );
    }

    #[test]
    fn a_connection_this_end_gave_up_on_is_recorded_as_closed_here_with_fin() {
        let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let mut recorder = Recorder::new(Transport::Tcp);
        let closes = [
            (CloseReason::PeerClosed, Side::Peer, false),
            (CloseReason::Reset, Side::Peer, true),
            (CloseReason::ResetHere, Side::Here, true),
            (
                CloseReason::Failed(Error::IdleTimeout { peer, millis: 500 }),
                Side::Here,
                false,
            ),
            (
                CloseReason::Failed(Error::OverBudget { limit: 1, held: 2 }),
                Side::Here,
                false,
            ),
            (CloseReason::Failed(Error::NotConnected), Side::Peer, true),
        ];
        for (reason, by, reset) in closes {
            let items = recorder.items(&event(EventKind::Closed {
                client: None,
                peer,
                reason: reason.clone(),
            }));
            let whats: Vec<What> = items.into_iter().map(|item| item.what).collect();
            assert_eq!(whats, [What::Close { by, reset }], "{reason}");
        }
    }

    #[test]
    fn times_that_run_backwards_replay_in_the_recorded_order_without_a_panic() {
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let item = |time_us: u64, byte: u8| Item {
            time_us,
            local: addr,
            peer: addr,
            what: What::Data {
                from: Side::Here,
                data: vec![byte],
            },
        };
        let recording = Recording {
            transport: Transport::Tcp,
            // Later than the first, earlier than the first, far in the future, then normal.
            items: vec![
                item(5_000, 1),
                item(9_000, 2),
                item(1_000, 3),
                item(u64::MAX, 4),
                item(6_000, 5),
            ],
            truncated: false,
        };
        let timeline: Vec<(u64, u8)> = recording
            .messages_from(Side::Here)
            .into_iter()
            .map(|(at, data)| (at.as_micros() as u64, data[0]))
            .collect();
        let day = 24 * 3600 * 1_000_000;
        assert_eq!(
            timeline,
            [(0, 1), (4_000, 2), (4_000, 3), (day, 4), (day, 5)]
        );
    }

    #[test]
    fn a_bad_file_is_refused_in_words() {
        let err = Recording::from_json("{}").unwrap_err();
        assert!(err.to_string().contains("recording"), "{err}");
    }
}
