//! Traffic at rest, shared by the window and the command line: recordings of a session (for
//! replay) and pcap files (for Wireshark).

pub mod pcap;
pub mod python_peer;
pub mod record;
