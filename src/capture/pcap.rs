//! pcap files of recorded traffic, with synthesised IPv4/IPv6 and TCP/UDP headers, so Wireshark
//! and tshark show the conversation between the right addresses and ports with the right
//! payloads. TCP gets a handshake, sequence and acknowledgement numbers, and FIN or RST.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};

use crate::capture::record::{Item, Side, Transport, What};

/// LINKTYPE_RAW: each packet starts with its IP header (version 4 or 6).
const LINKTYPE_RAW: u32 = 101;
const SNAPLEN: u32 = 262_144;
/// Payload per synthesised TCP segment: keeps IP packets under 65,535 bytes.
const MAX_SEGMENT: usize = 65_000;

const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;

/// Sequence numbers of one TCP connection: what each side sends next.
struct Flow {
    here: u32,
    peer: u32,
}

pub struct PcapWriter<W: Write> {
    out: W,
    transport: Transport,
    flows: HashMap<(SocketAddr, SocketAddr), Flow>,
    ip_id: u16,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header.
    pub fn new(mut out: W, transport: Transport) -> io::Result<PcapWriter<W>> {
        out.write_all(&0xa1b2_c3d4u32.to_le_bytes())?; // microsecond timestamps
        out.write_all(&2u16.to_le_bytes())?;
        out.write_all(&4u16.to_le_bytes())?;
        out.write_all(&0i32.to_le_bytes())?; // time zone: UTC
        out.write_all(&0u32.to_le_bytes())?; // accuracy
        out.write_all(&SNAPLEN.to_le_bytes())?;
        out.write_all(&LINKTYPE_RAW.to_le_bytes())?;
        Ok(PcapWriter {
            out,
            transport,
            flows: HashMap::new(),
            ip_id: 1,
        })
    }

    /// Writes the packets that carried `item`.
    pub fn write(&mut self, item: &Item) -> io::Result<()> {
        let (local, peer) = same_family(item.local, item.peer);
        match self.transport {
            Transport::Udp => match &item.what {
                What::Data { from, data } => {
                    let (src, dst) = ends(*from, local, peer);
                    for piece in data.chunks(MAX_SEGMENT).chain(empty_if(data)) {
                        let packet = self.ip_packet(src, dst, 17, &udp(src, dst, piece));
                        self.record(item.time_us, &packet)?;
                    }
                    Ok(())
                }
                _ => Ok(()),
            },
            Transport::Tcp => self.write_tcp(item.time_us, local, peer, &item.what),
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn write_tcp(
        &mut self,
        time: u64,
        local: SocketAddr,
        peer: SocketAddr,
        what: &What,
    ) -> io::Result<()> {
        // A connection first seen mid-way (recording started late) starts without a handshake.
        let flow = self.flows.entry((local, peer)).or_insert(Flow {
            here: 1_000,
            peer: 5_000,
        });
        let mut segments: Vec<(Side, u8, Vec<u8>)> = Vec::new();
        match what {
            What::Open { by } => {
                // SYN and SYN-ACK take one sequence number each.
                *flow = Flow {
                    here: 1_000,
                    peer: 5_000,
                };
                segments.push((*by, SYN, Vec::new()));
                segments.push((other(*by), SYN | ACK, Vec::new()));
                segments.push((*by, ACK, Vec::new()));
            }
            What::Data { from, data } => {
                for piece in data.chunks(MAX_SEGMENT) {
                    segments.push((*from, PSH | ACK, piece.to_vec()));
                }
            }
            What::Close { by, reset: true } => segments.push((*by, RST | ACK, Vec::new())),
            // Our FIN is the last this end sees: the session closed and read no more, so a
            // FIN the peer may send after is not known (after a stop it may never come).
            What::Close {
                by: Side::Here,
                reset: false,
            } => {
                segments.push((Side::Here, FIN | ACK, Vec::new()));
                segments.push((Side::Peer, ACK, Vec::new()));
            }
            // The peer's FIN: the connection then closes here too, a FIN back.
            What::Close {
                by: Side::Peer,
                reset: false,
            } => {
                segments.push((Side::Peer, FIN | ACK, Vec::new()));
                segments.push((Side::Here, FIN | ACK, Vec::new()));
                segments.push((Side::Peer, ACK, Vec::new()));
            }
            What::Finished { by } => {
                segments.push((*by, FIN | ACK, Vec::new()));
                segments.push((other(*by), ACK, Vec::new()));
            }
        }
        let ends_flow = matches!(what, What::Close { .. });
        for (from, flags, payload) in segments {
            let flow = self.flows.get_mut(&(local, peer)).expect("inserted above");
            let (seq, ack) = match from {
                Side::Here => (&mut flow.here, flow.peer),
                Side::Peer => (&mut flow.peer, flow.here),
            };
            let header = TcpHeader {
                seq: *seq,
                ack: if flags & ACK != 0 { ack } else { 0 },
                flags,
            };
            // SYN and FIN count as one byte of the sequence.
            let length = payload.len() as u32 + u32::from(flags & (SYN | FIN) != 0);
            *seq = seq.wrapping_add(length);
            let (src, dst) = ends(from, local, peer);
            let segment = tcp(src, dst, &header, &payload);
            let packet = self.ip_packet(src, dst, 6, &segment);
            self.record(time, &packet)?;
        }
        if ends_flow {
            self.flows.remove(&(local, peer));
        }
        Ok(())
    }

    fn record(&mut self, time_us: u64, packet: &[u8]) -> io::Result<()> {
        let seconds = (time_us / 1_000_000) as u32;
        let micros = (time_us % 1_000_000) as u32;
        let len = packet.len() as u32;
        self.out.write_all(&seconds.to_le_bytes())?;
        self.out.write_all(&micros.to_le_bytes())?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(packet)
    }

    fn ip_packet(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        protocol: u8,
        body: &[u8],
    ) -> Vec<u8> {
        let mut packet = Vec::with_capacity(40 + body.len());
        match (src.ip(), dst.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                let total = (20 + body.len()) as u16;
                packet.extend_from_slice(&[0x45, 0]);
                packet.extend_from_slice(&total.to_be_bytes());
                packet.extend_from_slice(&self.ip_id.to_be_bytes());
                self.ip_id = self.ip_id.wrapping_add(1);
                packet.extend_from_slice(&[0x40, 0, 64, protocol, 0, 0]); // DF, TTL 64
                packet.extend_from_slice(&s.octets());
                packet.extend_from_slice(&d.octets());
                let sum = checksum(&[&packet]);
                packet[10..12].copy_from_slice(&sum.to_be_bytes());
            }
            (s, d) => {
                let (s, d) = (v6(s), v6(d));
                packet.extend_from_slice(&[0x60, 0, 0, 0]);
                packet.extend_from_slice(&(body.len() as u16).to_be_bytes());
                packet.extend_from_slice(&[protocol, 64]);
                packet.extend_from_slice(&s.octets());
                packet.extend_from_slice(&d.octets());
            }
        }
        packet.extend_from_slice(body);
        packet
    }
}

struct TcpHeader {
    seq: u32,
    ack: u32,
    flags: u8,
}

fn tcp(src: SocketAddr, dst: SocketAddr, header: &TcpHeader, payload: &[u8]) -> Vec<u8> {
    let mut segment = Vec::with_capacity(20 + payload.len());
    segment.extend_from_slice(&src.port().to_be_bytes());
    segment.extend_from_slice(&dst.port().to_be_bytes());
    segment.extend_from_slice(&header.seq.to_be_bytes());
    segment.extend_from_slice(&header.ack.to_be_bytes());
    segment.extend_from_slice(&[5 << 4, header.flags]);
    segment.extend_from_slice(&65_535u16.to_be_bytes()); // window
    segment.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent pointer
    segment.extend_from_slice(payload);
    let sum = transport_checksum(src, dst, 6, &segment);
    segment[16..18].copy_from_slice(&sum.to_be_bytes());
    segment
}

fn udp(src: SocketAddr, dst: SocketAddr, payload: &[u8]) -> Vec<u8> {
    let mut datagram = Vec::with_capacity(8 + payload.len());
    datagram.extend_from_slice(&src.port().to_be_bytes());
    datagram.extend_from_slice(&dst.port().to_be_bytes());
    datagram.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    datagram.extend_from_slice(&[0, 0]);
    datagram.extend_from_slice(payload);
    // 0 means "no checksum" in UDP, so a computed 0 is sent as all ones.
    let sum = match transport_checksum(src, dst, 17, &datagram) {
        0 => 0xffff,
        sum => sum,
    };
    datagram[6..8].copy_from_slice(&sum.to_be_bytes());
    datagram
}

/// The TCP/UDP checksum over the pseudo-header and the segment.
fn transport_checksum(src: SocketAddr, dst: SocketAddr, protocol: u8, segment: &[u8]) -> u16 {
    let len = segment.len() as u32;
    match (src.ip(), dst.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let pseudo = [
                &s.octets()[..],
                &d.octets()[..],
                &[0, protocol],
                &(len as u16).to_be_bytes(),
            ]
            .concat();
            checksum(&[&pseudo, segment])
        }
        (s, d) => {
            let pseudo = [
                &v6(s).octets()[..],
                &v6(d).octets()[..],
                &len.to_be_bytes(),
                &[0, 0, 0, protocol],
            ]
            .concat();
            checksum(&[&pseudo, segment])
        }
    }
}

/// The Internet checksum (RFC 1071) of the parts taken as one byte string.
fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum = 0u32;
    let mut odd: Option<u8> = None;
    for byte in parts.iter().flat_map(|p| p.iter().copied()) {
        match odd.take() {
            Some(high) => sum += u32::from(u16::from_be_bytes([high, byte])),
            None => odd = Some(byte),
        }
    }
    if let Some(high) = odd {
        sum += u32::from(u16::from_be_bytes([high, 0]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn other(side: Side) -> Side {
    match side {
        Side::Here => Side::Peer,
        Side::Peer => Side::Here,
    }
}

fn ends(from: Side, local: SocketAddr, peer: SocketAddr) -> (SocketAddr, SocketAddr) {
    match from {
        Side::Here => (local, peer),
        Side::Peer => (peer, local),
    }
}

/// An empty datagram is still one packet.
fn empty_if(data: &[u8]) -> Option<&[u8]> {
    data.is_empty().then_some(&[][..])
}

fn v6(ip: IpAddr) -> std::net::Ipv6Addr {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    }
}

/// Both addresses in one family: IPv4-mapped IPv6 addresses (dual-stack servers) become IPv4.
fn same_family(local: SocketAddr, peer: SocketAddr) -> (SocketAddr, SocketAddr) {
    let canonical = |a: SocketAddr| SocketAddr::new(a.ip().to_canonical(), a.port());
    let (local, peer) = (canonical(local), canonical(peer));
    if local.is_ipv4() == peer.is_ipv4() {
        return (local, peer);
    }
    let as_v6 = |a: SocketAddr| SocketAddr::new(IpAddr::V6(v6(a.ip())), a.port());
    (as_v6(local), as_v6(peer))
}

#[cfg(test)]
mod tests {
    use super::checksum;

    #[test]
    fn checksum_matches_the_rfc_1071_example() {
        // RFC 1071 section 3: the sum of these words is 0xddf2, so the checksum is !0xddf2.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(checksum(&[&data]), !0xddf2);
        assert_eq!(checksum(&[&data[..3], &data[3..]]), !0xddf2, "odd split");
    }
}
