//! Linux: a client of this relay that is another socket-tester relay process passing a
//! connection of ours back (two relays aimed at each other). Read from /proc: the TCP table (who is
//! connected to whom, by socket inode) and each process's descriptors (whose sockets).

use std::collections::HashSet;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::relay_loop::canonical;

/// One connection of the TCP table.
struct Entry {
    local: SocketAddr,
    remote: SocketAddr,
    inode: u64,
}

/// Whether the client at `peer` (connected to our port `listen_port`) belongs to another
/// socket-tester process that holds a connection from one of this process's sockets: a relay
/// passing our connection to its target back to us.
pub fn relayed_back(peer: SocketAddr, listen_port: u16) -> bool {
    // Other socket-tester relays first: usually there are none, and nothing more is read.
    let relays = other_relays();
    if relays.is_empty() {
        return false;
    }
    let table = tcp_table();
    let peer = canonical(peer);
    let Some(peer_inode) = table
        .iter()
        .find(|e| e.local == peer && e.remote.port() == listen_port)
        .map(|e| e.inode)
    else {
        return false;
    };
    let Some(theirs) = relays
        .iter()
        .map(|pid| socket_inodes(pid))
        .find(|inodes| inodes.contains(&peer_inode))
    else {
        return false;
    };
    // Our connections to others (their local port is none we listen on): the relay that
    // holds the other end of one took a connection from us, so its one target is us and we
    // pass on to it: each passes on to the other.
    let ours = socket_inodes("self");
    let listening: HashSet<u16> = table
        .iter()
        .filter(|e| ours.contains(&e.inode) && e.remote.port() == 0)
        .map(|e| e.local.port())
        .collect();
    let our_ends: HashSet<SocketAddr> = table
        .iter()
        .filter(|e| ours.contains(&e.inode) && e.remote.port() != 0)
        .filter(|e| !listening.contains(&e.local.port()))
        .map(|e| e.local)
        .collect();
    table
        .iter()
        .any(|e| theirs.contains(&e.inode) && our_ends.contains(&e.remote))
}

/// The other processes running `socket-tester relay …` (this program, by its executable). A
/// window holding a client of ours and the server we pass on to is no relay.
fn other_relays() -> Vec<String> {
    let me = fs::read_link("/proc/self/exe").ok();
    let own = std::process::id().to_string();
    let Ok(processes) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    processes
        .flatten()
        .map(|process| process.file_name().to_string_lossy().into_owned())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()) && *pid != own)
        .filter(|pid| is_relay(pid) && fs::read_link(format!("/proc/{pid}/exe")).ok() == me)
        .collect()
}

/// Whether a process runs `socket-tester relay …`.
fn is_relay(pid: &str) -> bool {
    let command = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    command.split(|&b| b == 0).nth(1) == Some(b"relay".as_slice())
}

/// The socket inodes a process holds (`self` or a pid); none when it cannot be read.
fn socket_inodes(process: &str) -> HashSet<u64> {
    let Ok(fds) = fs::read_dir(format!("/proc/{process}/fd")) else {
        return HashSet::new();
    };
    fds.flatten()
        .filter_map(|fd| fs::read_link(fd.path()).ok())
        .filter_map(|target| {
            let target = target.to_string_lossy().into_owned();
            target
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect()
}

/// Every TCP connection and listener of this network namespace, IPv4 and IPv6.
fn tcp_table() -> Vec<Entry> {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|path| fs::read_to_string(path).ok())
        .flat_map(|text| text.lines().skip(1).filter_map(entry).collect::<Vec<_>>())
        .collect()
}

fn entry(line: &str) -> Option<Entry> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    Some(Entry {
        local: address(fields.get(1)?)?,
        remote: address(fields.get(2)?)?,
        inode: fields.get(9)?.parse().ok()?,
    })
}

/// `0100007F:1F90` or 32 hex digits and a port: each 32-bit word printed in the machine's
/// byte order.
fn address(text: &str) -> Option<SocketAddr> {
    let (ip, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let mut bytes = Vec::with_capacity(16);
    for word in 0..ip.len() / 8 {
        let word = u32::from_str_radix(ip.get(word * 8..word * 8 + 8)?, 16).ok()?;
        bytes.extend_from_slice(&word.to_ne_bytes());
    }
    let ip = match bytes.len() {
        4 => IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => return None,
    };
    Some(canonical(SocketAddr::new(ip, port)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_addresses_are_read() {
        if cfg!(target_endian = "little") {
            assert_eq!(
                address("0100007F:1F90"),
                Some("127.0.0.1:8080".parse().unwrap())
            );
            assert_eq!(
                address("00000000000000000000000001000000:0050"),
                Some("[::1]:80".parse().unwrap())
            );
            assert_eq!(
                address("0000000000000000FFFF00000100007F:0050"),
                Some("127.0.0.1:80".parse().unwrap())
            );
        }
        assert_eq!(address("zz:1"), None);
    }
}
