//! Parsing and resolving the addresses people type: `host:port`, `[::1]:8080`, `[ADDR:]PORT`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, ToSocketAddrs};

use crate::error::{Error, describe_io};

/// A host (name or IP literal) and port, as typed, checked but not resolved.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

impl std::fmt::Display for HostPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl HostPort {
    /// The IP address when the host is one (without its scope), None for a name.
    pub fn ip(&self) -> Option<IpAddr> {
        let ip = self
            .host
            .split_once('%')
            .map_or(self.host.as_str(), |(ip, _)| ip);
        ip.parse().ok()
    }

    /// The socket address when the host is an IP address, its scope (`%eth0`) made a number;
    /// None for a name, which must be looked up. Fails for an interface this machine lacks.
    pub fn literal(&self) -> Result<Option<SocketAddr>, Error> {
        let Some(ip) = self.ip() else {
            return Ok(None);
        };
        match (ip, self.host.split_once('%')) {
            (IpAddr::V6(ip), Some((_, zone))) => {
                let scope = scope_id(&self.host, zone)?;
                Ok(Some(SocketAddrV6::new(ip, self.port, 0, scope).into()))
            }
            _ => Ok(Some(SocketAddr::new(ip, self.port))),
        }
    }
}

/// A network interface as an IPv6 scope names it: letters, digits, '-', '_' and '.'.
fn is_zone(zone: &str) -> bool {
    (1..=64).contains(&zone.len())
        && zone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// The number of the interface a scope names: itself when it is a number, else the interface
/// of that name.
fn scope_id(host: &str, zone: &str) -> Result<u32, Error> {
    if let Ok(index) = zone.parse::<u32>() {
        return Ok(index);
    }
    interface_index(zone).ok_or_else(|| Error::InvalidAddress {
        input: host.to_string(),
        reason: NO_SUCH_INTERFACE.replace("{zone}", zone),
    })
}

#[cfg(unix)]
const NO_SUCH_INTERFACE: &str = "this machine has no network interface named '{zone}'";
/// Windows names its interfaces in words ("Ethernet 2"); a scope there is the number.
#[cfg(not(unix))]
const NO_SUCH_INTERFACE: &str = "on Windows give the interface's number after '%', not '{zone}' \
    (netsh interface ipv6 show interfaces: column Idx)";

#[cfg(unix)]
fn interface_index(name: &str) -> Option<u32> {
    let name = std::ffi::CString::new(name).ok()?;
    // SAFETY: `name` is a valid NUL-terminated string that outlives the call, which only
    // reads it.
    let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
    (index != 0).then_some(index)
}

#[cfg(not(unix))]
fn interface_index(_name: &str) -> Option<u32> {
    None
}

pub fn parse_port(input: &str) -> Result<u16, Error> {
    input
        .trim()
        .parse::<u16>()
        .map_err(|_| Error::InvalidPort(input.to_string()))
}

/// Checks a host as typed: a name, an IPv4 literal or an IPv6 literal (brackets optional).
pub fn parse_host(input: &str) -> Result<String, Error> {
    let invalid = |reason: &str| Error::InvalidAddress {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    let host = input.trim();
    let (host, bracketed) = match (host.strip_prefix('['), host.ends_with(']')) {
        (Some(inner), true) => (&inner[..inner.len() - 1], true),
        (Some(_), false) => return Err(invalid("'[' is not closed by ']'")),
        (None, true) => return Err(invalid("']' without '['")),
        (None, false) => (host, false),
    };
    if host.is_empty() {
        return Err(invalid("the host is empty"));
    }
    if host.chars().any(char::is_whitespace) {
        return Err(invalid("a host has no spaces"));
    }
    // Brackets hold an IPv6 literal, never a name to look up; it may name the interface it
    // is on (its scope: `fe80::1%eth0`, `fe80::1%2`), which a link-local address needs.
    if host.contains(':') || bracketed {
        let (ip, zone) = match host.split_once('%') {
            Some((ip, zone)) => (ip, Some(zone)),
            None => (host, None),
        };
        let ip = ip
            .parse::<Ipv6Addr>()
            .map_err(|_| invalid("not a valid IPv6 address"))?;
        return match zone {
            None => Ok(ip.to_string()),
            Some(zone) if is_zone(zone) => Ok(format!("{ip}%{zone}")),
            Some(_) => Err(invalid(
                "after '%' comes a network interface, by name (eth0) or number (2)",
            )),
        };
    }
    if host.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return host
            .parse::<Ipv4Addr>()
            .map(|ip| ip.to_string())
            .map_err(|_| invalid("not a valid IPv4 address (four numbers from 0 to 255)"));
    }
    let valid_name = host.split('.').all(|label| {
        !label.is_empty()
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    if !valid_name {
        return Err(invalid("not a valid host name"));
    }
    Ok(host.to_string())
}

/// Parses `HOST:PORT`; an IPv6 host goes in brackets: `[::1]:8080`.
pub fn parse_host_port(input: &str) -> Result<HostPort, Error> {
    let trimmed = input.trim();
    let (host, port) = if trimmed.starts_with('[') {
        let close = trimmed.find(']').ok_or_else(|| Error::InvalidAddress {
            input: input.to_string(),
            reason: "'[' is not closed by ']'".to_string(),
        })?;
        let rest = &trimmed[close + 1..];
        let port = rest.strip_prefix(':').ok_or_else(|| missing_port(input))?;
        (&trimmed[..=close], port)
    } else {
        let (host, port) = trimmed
            .rsplit_once(':')
            .ok_or_else(|| missing_port(input))?;
        if host.contains(':') {
            return Err(Error::InvalidAddress {
                input: input.to_string(),
                reason: "put an IPv6 address in brackets, like [::1]:8080".to_string(),
            });
        }
        (host, port)
    };
    Ok(HostPort {
        host: parse_host(host)?,
        port: parse_port(port)?,
    })
}

/// A peer to send to or connect to: `HOST:PORT` with a port other than 0.
pub fn parse_remote(input: &str) -> Result<HostPort, Error> {
    let target = parse_host_port(input)?;
    remote(target.host, target.port)
}

/// A peer from a host and a port typed in two fields: the port cannot be 0.
pub fn parse_remote_parts(host: &str, port: &str) -> Result<HostPort, Error> {
    let port = parse_port(port)?;
    remote(parse_host(host)?, port)
}

/// The one check that a peer's port is not 0 (0 means "any port" only when binding).
fn remote(host: String, port: u16) -> Result<HostPort, Error> {
    if port == 0 {
        return Err(Error::PeerPortZero);
    }
    let peer = HostPort { host, port };
    // A scope names an interface this machine has (checked now: a mistake in what was typed).
    peer.literal()?;
    Ok(peer)
}

fn missing_port(input: &str) -> Error {
    Error::InvalidAddress {
        input: input.to_string(),
        reason: "expected HOST:PORT, like 127.0.0.1:8080".to_string(),
    }
}

/// Parses a local address to bind: `PORT` alone (on `default_ip`), `ADDR:PORT` or
/// `[ADDR]:PORT`. The address must be an IP literal or `localhost`.
pub fn parse_bind(input: &str, default_ip: IpAddr) -> Result<SocketAddr, Error> {
    let trimmed = input.trim();
    if !trimmed.is_empty() && trimmed.chars().all(|c| c.is_ascii_digit()) {
        return Ok(SocketAddr::new(default_ip, parse_port(trimmed)?));
    }
    let HostPort { host, port } = parse_host_port(trimmed)?;
    bind_address(&host, port)
}

/// A local address typed in two fields: an IP literal or `localhost`, and a port (0 for any).
pub fn parse_bind_parts(host: &str, port: &str) -> Result<SocketAddr, Error> {
    let port = parse_port(port)?;
    bind_address(host, port)
}

/// A local IP literal (an IPv6 one may carry its scope, `fe80::1%eth0`), or `localhost`
/// (127.0.0.1), with the port to bind.
fn bind_address(host: &str, port: u16) -> Result<SocketAddr, Error> {
    let host = parse_host(host)?;
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    let local = HostPort { host, port };
    local.literal()?.ok_or_else(|| Error::InvalidAddress {
        input: local.host.clone(),
        reason: "a local address must be an IP address such as 0.0.0.0, 127.0.0.1 or ::"
            .to_string(),
    })
}

/// A multicast group address: 224.0.0.0/4 or ff00::/8.
pub fn parse_multicast(input: &str) -> Result<IpAddr, Error> {
    let invalid = |reason: &str| Error::InvalidAddress {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    let ip: IpAddr = input
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .map_err(|_| invalid("not an IP address"))?;
    if !ip.is_multicast() {
        return Err(invalid("not a multicast group (224.0.0.0/4 or ff00::/8)"));
    }
    Ok(ip)
}

/// Resolves a host to its addresses (blocking: call it on a worker thread).
pub fn resolve(target: &HostPort) -> Result<Vec<SocketAddr>, Error> {
    let resolve_error = |reason: String| Error::Resolve {
        host: target.host.clone(),
        reason,
    };
    if let Some(addr) = target.literal()? {
        return Ok(vec![addr]);
    }
    let addrs: Vec<SocketAddr> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| resolve_error(describe_io(&e)))?
        .collect();
    if addrs.is_empty() {
        return Err(resolve_error("no address found".to_string()));
    }
    Ok(addrs)
}

/// Whether `ip` is a broadcast address: 255.255.255.255, or the broadcast address of one of
/// this machine's IPv4 networks.
pub fn is_broadcast(ip: IpAddr) -> bool {
    let IpAddr::V4(ip) = ip else {
        return false;
    };
    ip.is_broadcast()
        || if_addrs::get_if_addrs()
            .unwrap_or_default()
            .iter()
            .any(|interface| match &interface.addr {
                if_addrs::IfAddr::V4(v4) => v4.broadcast == Some(ip),
                _ => false,
            })
}

/// The address to reach a socket bound to `local` from this machine: an unspecified address
/// (0.0.0.0 or ::) becomes loopback of the same family.
pub fn reachable_local(local: SocketAddr) -> SocketAddr {
    let ip = match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, local.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        assert_eq!(
            parse_host_port("127.0.0.1:8080").unwrap(),
            HostPort {
                host: "127.0.0.1".into(),
                port: 8080
            }
        );
        assert_eq!(
            parse_host_port("[::1]:8080").unwrap(),
            HostPort {
                host: "::1".into(),
                port: 8080
            }
        );
        assert_eq!(
            parse_host_port("example.local:1").unwrap().host,
            "example.local"
        );
        assert_eq!(parse_host_port("[::1]:9").unwrap().to_string(), "[::1]:9");
    }

    #[test]
    fn bad_hosts_and_ports_are_explained() {
        for bad in [
            ":80",
            " :80",
            "a b:80",
            "999.1.1.1:80",
            "[::1:80",
            "[zz]:80",
            "::1:80",
            "host",
            "h:70000",
            "h:abc",
            "h:",
        ] {
            assert!(parse_host_port(bad).is_err(), "{bad} should be rejected");
        }
        assert_eq!(
            parse_host_port("host:70000").unwrap_err().to_string(),
            "invalid port '70000': use a number from 0 to 65535"
        );
    }

    #[test]
    fn bind_forms() {
        let any = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        for (typed, bound) in [
            ("9000", "0.0.0.0:9000"),
            ("127.0.0.1:0", "127.0.0.1:0"),
            ("[::]:5", "[::]:5"),
            ("localhost:5", "127.0.0.1:5"),
        ] {
            let bound: SocketAddr = bound.parse().unwrap();
            assert_eq!(parse_bind(typed, any).unwrap(), bound, "{typed}");
        }
        assert!(parse_bind("example.com:5", any).is_err());
        assert!(parse_bind("", any).is_err());
    }

    /// An IPv6 address may name its interface (its scope): by name or by number, in a
    /// `HOST:PORT`, a Host field and a local address. Parsing only: nothing is sent.
    #[test]
    fn ipv6_scopes_are_taken() {
        let typed = parse_host_port("[fe80::1%lo]:8080").unwrap();
        assert_eq!(typed.host, "fe80::1%lo");
        assert_eq!(typed.to_string(), "[fe80::1%lo]:8080");
        assert_eq!(typed.ip(), Some("fe80::1".parse().unwrap()));
        let numbered = parse_remote("[FE80::0:1%1]:9").unwrap();
        assert_eq!(numbered.host, "fe80::1%1");
        let addr = numbered.literal().unwrap().unwrap();
        assert_eq!(
            addr,
            SocketAddrV6::new("fe80::1".parse().unwrap(), 9, 0, 1).into()
        );
        assert_eq!(parse_host("fe80::1%eth0").unwrap(), "fe80::1%eth0");
        assert_eq!(parse_remote_parts("[::1%1]", "7").unwrap().host, "::1%1");
        let bound = parse_bind("[fe80::1%3]:0", IpAddr::V4(Ipv4Addr::UNSPECIFIED)).unwrap();
        assert_eq!(
            bound,
            SocketAddrV6::new("fe80::1".parse().unwrap(), 0, 0, 3).into()
        );
        assert_eq!(
            parse_bind_parts("::1%1", "5").unwrap(),
            SocketAddrV6::new(Ipv6Addr::LOCALHOST, 5, 0, 1).into()
        );
        #[cfg(unix)]
        {
            let lo = HostPort {
                host: "fe80::1%lo".into(),
                port: 1,
            };
            match lo.literal().unwrap() {
                Some(SocketAddr::V6(addr)) => assert_ne!(addr.scope_id(), 0),
                other => panic!("{other:?}"),
            }
        }
        for bad in [
            "[fe80::1%]:1",
            "[fe80::1%a b]:1",
            "[fe80::1%e/x]:1",
            "1.2.3.4%1:80",
        ] {
            assert!(parse_host_port(bad).is_err(), "{bad} should be rejected");
        }
        let missing = parse_bind("[fe80::1%no-such-if9]:0", IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let missing = missing.unwrap_err().to_string();
        assert!(missing.contains("no-such-if9"), "{missing}");
        assert!(
            parse_remote("[fe80::1%no-such-if9]:1").is_err(),
            "said before connecting"
        );
    }

    #[test]
    fn unspecified_becomes_loopback() {
        assert_eq!(
            reachable_local("0.0.0.0:7".parse().unwrap()),
            "127.0.0.1:7".parse().unwrap()
        );
        assert_eq!(
            reachable_local("[::]:7".parse().unwrap()),
            "[::1]:7".parse().unwrap()
        );
    }
}
