//! Parsing and resolving the addresses people type: `host:port`, `[::1]:8080`, `[ADDR:]PORT`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};

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
    // Brackets hold an IPv6 literal, never a name to look up.
    if host.contains(':') || bracketed {
        return host
            .parse::<std::net::Ipv6Addr>()
            .map(|ip| ip.to_string())
            .map_err(|_| invalid("not a valid IPv6 address"));
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
    Ok(HostPort { host, port })
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
    let ip = parse_bind_ip(&host)?;
    Ok(SocketAddr::new(ip, port))
}

/// A local IP literal, or `localhost` (127.0.0.1).
pub fn parse_bind_ip(host: &str) -> Result<IpAddr, Error> {
    let host = parse_host(host)?;
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    host.parse::<IpAddr>().map_err(|_| Error::InvalidAddress {
        input: host.clone(),
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
    let addrs: Vec<SocketAddr> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| resolve_error(describe_io(&e)))?
        .collect();
    if addrs.is_empty() {
        return Err(resolve_error("no address found".to_string()));
    }
    Ok(addrs)
}

/// The address to reach a socket bound to `local` from this machine: an unspecified address
/// (0.0.0.0 or ::) becomes loopback of the same family.
pub fn reachable_local(local: SocketAddr) -> SocketAddr {
    let ip = match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
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
