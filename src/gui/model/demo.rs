//! The one-click local demo: two pages in one window talking over loopback, a TCP server and a
//! client connected to it, or two UDP sockets aimed at each other. No drawing.

use crate::gui::model::page::{Link, LogView, Page, PageConfig};
use crate::net::{SessionKind, Waker};

pub struct Demo {
    /// Left and right: the server (or first UDP socket) and the client (or second).
    pub pages: [Page; 2],
    /// The second page still waits for the first's port (TCP) or both ports (UDP).
    wired: bool,
    /// Lecture mode: under each chart, what a Python program in that page's peer's place saw.
    pub python: bool,
}

impl Demo {
    /// A TCP server on 127.0.0.1 (a free port) and a client that connects once it listens.
    pub fn tcp(waker: Waker) -> Demo {
        let mut server = Page::new(SessionKind::TcpServer, loopback_config());
        server.toggle(waker);
        let client = Page::new(SessionKind::TcpClient, loopback_config());
        Demo {
            pages: [server, client],
            wired: false,
            python: false,
        }
    }

    /// Two UDP sockets on 127.0.0.1, each sending to the other once both are bound.
    pub fn udp(waker: Waker) -> Demo {
        let mut pages = [
            Page::new(SessionKind::Udp, loopback_config()),
            Page::new(SessionKind::Udp, loopback_config()),
        ];
        for page in &mut pages {
            page.toggle(waker.clone());
        }
        Demo {
            pages,
            wired: false,
            python: false,
        }
    }

    /// Applies both pages' events and, once the ports are known, points them at each other.
    /// True if more events wait than one frame takes.
    pub fn drain_events(&mut self, waker: &Waker) -> bool {
        let more = self
            .pages
            .iter_mut()
            .fold(false, |more, p| p.drain_events() | more);
        if !self.wired {
            self.wire(waker);
        }
        more
    }

    fn wire(&mut self, waker: &Waker) {
        let ports = self.pages.each_ref().map(|page| match page.link() {
            Link::Listening { local } => Some(local.port()),
            _ => None,
        });
        match (self.pages[1].kind(), ports) {
            (SessionKind::TcpClient, [Some(server), _]) => {
                self.pages[1].config_mut().port = server.to_string();
                self.pages[1].toggle(waker.clone());
                self.wired = true;
            }
            (SessionKind::Udp, [Some(first), Some(second)]) => {
                self.pages[0].config_mut().port = second.to_string();
                self.pages[1].config_mut().port = first.to_string();
                self.wired = true;
            }
            _ => {}
        }
    }

    /// Closes both sessions.
    pub fn close(&mut self) {
        for page in &mut self.pages {
            page.close();
        }
    }
}

/// Loopback only, a free port, and the sequence chart in view.
fn loopback_config() -> PageConfig {
    PageConfig {
        host: "127.0.0.1".into(),
        bind_address: "127.0.0.1".into(),
        bind_port: "0".into(),
        view: LogView::Chart,
        ..PageConfig::default()
    }
}
