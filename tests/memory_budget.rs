//! A session's memory budget over real connections: past it the connection holding the most
//! is closed, and the others go on once it has freed what it held.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::*;

#[test]
fn past_the_budget_the_largest_is_closed_and_the_server_goes_on_serving() {
    // With half-close, a connection the budget closed read as the peer's FIN and waited to
    // send on, holding its memory: every other reader then waited for that memory for good.
    for half_close in [false, true] {
        let mut args = vec![
            "tcp-server",
            "127.0.0.1:0",
            "--framing",
            "line",
            "--echo",
            "--memory-budget-mib",
            "4",
        ];
        args.extend(half_close.then_some("--half-close"));
        let mut server = Cli::spawn(&args);
        let addr = server.listening();
        // Two unfinished lines of 3 MiB each: together over the budget.
        let unfinished: Vec<TcpStream> = (0..2)
            .map(|_| {
                let mut stream = TcpStream::connect(addr).unwrap();
                // Refused part-way once the budget closed it.
                let _ = stream.write_all(&vec![b'x'; 3 * MIB]);
                stream
            })
            .collect();
        server.line_containing("memory budget");
        let mut fresh = TcpStream::connect(addr).unwrap();
        fresh.set_read_timeout(Some(DEADLINE)).unwrap();
        fresh.write_all(b"ping\n").unwrap();
        let mut echoed = [0u8; 5];
        fresh
            .read_exact(&mut echoed)
            .unwrap_or_else(|err| panic!("half-close {half_close}: no echo: {err}"));
        assert_eq!(&echoed, b"ping\n");
        drop(unfinished);
        server.signal(libc::SIGINT);
        let (code, _, stderr) = server.finish();
        assert_eq!(code, 130, "{stderr}");
    }
}
