//! Linux: a client of this relay that is another socket-tester relay process passing a
//! connection of ours back (two relays aimed at each other). Read from /proc: the TCP table (who is
//! connected to whom, by socket inode) and each process's descriptors (whose sockets).

use std::collections::HashSet;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

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
    let table = tcp_table();
    let peer = canonical(peer);
    let Some(peer_inode) = table
        .iter()
        .find(|e| e.local == peer && e.remote.port() == listen_port)
        .map(|e| e.inode)
    else {
        return false;
    };
    let ours = socket_inodes("self");
    if ours.contains(&peer_inode) {
        return false;
    }
    // Our connections to others (their local port is none we listen on): a process that
    // holds the other end of one took a connection from us.
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
    let me = fs::read_link("/proc/self/exe").ok();
    let Ok(processes) = fs::read_dir("/proc") else {
        return false;
    };
    for process in processes.flatten() {
        let pid = process.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) || pid == std::process::id().to_string() {
            continue;
        }
        let theirs = socket_inodes(&pid);
        if !theirs.contains(&peer_inode) {
            continue;
        }
        // The client's process: another socket-tester relay (so its one target is us) that
        // took a connection of ours (so we are its client): each end passes on to the other.
        // A window holding a client of ours and the server we pass on to is no relay.
        return me.is_some()
            && fs::read_link(format!("/proc/{pid}/exe")).ok() == me
            && is_relay(&pid)
            && table
                .iter()
                .any(|e| theirs.contains(&e.inode) && our_ends.contains(&e.remote));
    }
    false
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

fn canonical(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip().to_canonical(), addr.port())
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
