//! UDP multicast between two network namespaces this test creates and joins with a veth pair,
//! so no datagram reaches a real network. Needs root and iproute2; SKIPPED with a printed
//! reason where either is missing.

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use common::Cli;

/// Two namespaces, A (192.0.2.1, sender) and B (192.0.2.2, receiver), on one veth link.
/// Removed when dropped.
struct Link {
    a: String,
    b: String,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let output = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

impl Link {
    fn create() -> Result<Link, String> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}-{n}", std::process::id());
        let link = Link {
            a: format!("st-a-{id}"),
            b: format!("st-b-{id}"),
        };
        ip(&["netns", "add", &link.a])?;
        ip(&["netns", "add", &link.b])?;
        let (va, vb) = (format!("sta{n}"), format!("stb{n}"));
        ip(&[
            "link", "add", &va, "netns", &link.a, "type", "veth", "peer", "name", &vb, "netns",
            &link.b,
        ])?;
        for (ns, dev, addr) in [
            (&link.a, &va, "192.0.2.1/24"),
            (&link.b, &vb, "192.0.2.2/24"),
        ] {
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
            ip(&["-n", ns, "link", "set", dev, "up"])?;
            // No duplicate-address wait: IPv6 link-local addresses are usable at once.
            ip(&[
                "netns",
                "exec",
                ns,
                "sysctl",
                "-q",
                "-w",
                &format!("net.ipv6.conf.{dev}.accept_dad=0"),
            ])
            .ok();
            ip(&["-n", ns, "addr", "add", addr, "dev", dev])?;
            ip(&["-n", ns, "route", "add", "224.0.0.0/4", "dev", dev])?;
        }
        Ok(link)
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.a]);
        let _ = ip(&["netns", "del", &self.b]);
    }
}

fn link_or_skip() -> Option<Link> {
    match Link::create() {
        Ok(link) => Some(link),
        Err(why) => {
            eprintln!("SKIPPED: cannot create network namespaces here ({why})");
            None
        }
    }
}

/// Starts a receiver in `ns` joined to `group`, and returns it once it listens.
fn receiver(ns: &str, bind: &str, group: &str) -> Cli {
    let mut cli = Cli::spawn_in_netns(
        ns,
        &["udp", "--bind", bind, "--join", group, "--count", "1"],
    );
    cli.listening();
    cli
}

fn send(ns: &str, to: &str, text: &str, extra: &[&str]) {
    let mut args = vec!["udp", "--to", to, "--send", text, "--wait-ms", "0"];
    args.extend_from_slice(extra);
    let (code, _, stderr) = Cli::spawn_in_netns(ns, &args).finish();
    assert_eq!(code, 0, "{stderr}");
}

/// The first datagram `cli` printed (it waits up to the deadline, then fails the test).
fn first_datagram(cli: &mut Cli) -> String {
    cli.line_containing(" RX ")
}

#[test]
fn ipv4_group_reaches_a_joined_receiver_in_another_namespace() {
    let Some(link) = link_or_skip() else { return };
    let mut far = receiver(&link.b, "0.0.0.0:45700", "239.1.2.3");
    send(&link.a, "239.1.2.3:45700", "hello group", &["--ttl", "1"]);
    let line = first_datagram(&mut far);
    assert!(line.ends_with("hello group"), "{line}");
    assert!(line.contains("RX 192.0.2.1:"), "{line}");
}

#[test]
fn ipv6_group_reaches_a_joined_receiver_in_another_namespace() {
    let Some(link) = link_or_skip() else { return };
    let mut far = receiver(&link.b, "[::]:45701", "ff05::1:3");
    send(&link.a, "[ff05::1:3]:45701", "hello group", &[]);
    let line = first_datagram(&mut far);
    assert!(line.ends_with("hello group"), "{line}");
}

#[test]
fn loop_switch_decides_whether_our_own_host_hears_the_group() {
    let Some(link) = link_or_skip() else { return };
    let mut near = receiver(&link.a, "0.0.0.0:45702", "239.1.2.4");
    // Looped back datagrams are delivered as they are sent, so the first one sent would be
    // the first printed: the second, with the loop on, comes first when the first was not
    // delivered.
    send(
        &link.a,
        "239.1.2.4:45702",
        "loop off",
        &["--no-multicast-loop"],
    );
    send(&link.a, "239.1.2.4:45702", "loop on", &[]);
    let line = first_datagram(&mut near);
    assert!(
        line.ends_with("loop on"),
        "loop off: not delivered on the sending host; loop on (the default): delivered: {line}"
    );
}
