//! The desktop app: tabs of pages, persistence, and the bridge from engine events to frames.
//! Drawing is in `ui`; each page's state is in `page`.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::gui::i18n::{self, Language};
use crate::gui::model::demo::Demo;
use crate::gui::model::page::{Page, PageConfig};
use crate::gui::model::stress::{StressForm, StressPage};
use crate::gui::wake::Coalescer;
use crate::net::{SessionKind, Waker};

/// The tabs, in order, with their labels.
pub const TABS: [(SessionKind, &str); 4] = [
    (SessionKind::TcpClient, "TCP Client"),
    (SessionKind::TcpServer, "TCP Server"),
    (SessionKind::Udp, "UDP"),
    (SessionKind::Relay, "Relay"),
];

/// The tabs after the session tabs: load testing, and the local demo.
pub const STRESS_TAB: usize = TABS.len();
pub const DEMO_TAB: usize = TABS.len() + 1;

/// The sessions of one tab.
pub struct Tab {
    pub kind: SessionKind,
    pub pages: Vec<Page>,
    pub selected: usize,
}

impl Tab {
    pub fn page(&mut self) -> &mut Page {
        let last = self.pages.len() - 1; // a tab always has a page: `close_page` keeps one
        &mut self.pages[self.selected.min(last)]
    }

    pub fn add_page(&mut self) {
        let config = self.pages.get(self.selected).map_or_else(
            || PageConfig::default_for(self.kind),
            |page| page.config().for_another_page(),
        );
        self.pages.push(Page::new(self.kind, config));
        self.selected = self.pages.len() - 1;
    }

    /// Each page's name in the session strip; names that repeat (a session copied with "+")
    /// are told apart by their place among their namesakes: "127.0.0.1:7 (2)".
    pub fn session_names(&self) -> Vec<String> {
        let names: Vec<String> = self.pages.iter().map(Page::session_name).collect();
        names
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let namesakes = names.iter().filter(|other| *other == name).count();
                let place = names[..index].iter().filter(|other| *other == name).count();
                match namesakes {
                    1 => name.clone(),
                    _ => format!("{name} ({})", place + 1),
                }
            })
            .collect()
    }

    /// Closes a page and its session; the last page of a tab is kept.
    pub fn close_page(&mut self, index: usize) {
        if self.pages.len() > 1 && index < self.pages.len() {
            self.pages.remove(index).close();
            self.selected = self.selected.min(self.pages.len() - 1);
        }
    }
}

/// What survives a restart.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedState {
    pub active_tab: usize,
    pub dark: bool,
    /// The projector look: large type, high contrast.
    pub presentation: bool,
    pub language: Language,
    pub zoom: f32,
    /// Whether the tool panel beside the log is shown.
    pub tools_open: bool,
    /// Each tab's pages, in `TABS` order.
    pub pages: Vec<Vec<PageConfig>>,
    pub stress: StressForm,
}

impl Default for SavedState {
    fn default() -> SavedState {
        SavedState {
            active_tab: 0,
            dark: true,
            presentation: false,
            language: Language::English,
            zoom: 1.0,
            tools_open: true,
            pages: Vec::new(),
            stress: StressForm::default(),
        }
    }
}

pub struct App {
    pub tabs: Vec<Tab>,
    /// An index into `tabs`, `STRESS_TAB` or `DEMO_TAB`.
    pub active_tab: usize,
    pub stress: StressPage,
    /// The one-click local demo, while it runs.
    pub demo: Option<Demo>,
    pub dark: bool,
    pub presentation: bool,
    pub language: Language,
    /// Whether the tool panel beside the log is shown.
    pub tools_open: bool,
    /// This machine's addresses, offered as bind addresses (read once at start).
    pub interfaces: Vec<IpAddr>,
    pub waker: Waker,
    /// Turns many engine events between two frames into one repaint request.
    coalescer: Coalescer,
    ctx: egui::Context,
}

impl App {
    pub fn new(cc: &eframe::CreationContext<'_>) -> App {
        let saved: SavedState = cc
            .storage
            .and_then(|storage| eframe::get_value(storage, eframe::APP_KEY))
            .unwrap_or_default();
        App::with_state(&cc.egui_ctx, saved)
    }

    pub fn with_state(ctx: &egui::Context, saved: SavedState) -> App {
        // The window's thread takes no engine lock: debug builds (the tests) check it.
        crate::net::mark_front_end_thread();
        crate::gui::view::setup_context(ctx, saved.dark, saved.presentation, saved.zoom);
        let tabs = TABS
            .iter()
            .enumerate()
            .map(|(i, &(kind, _))| {
                let configs = saved.pages.get(i).filter(|c| !c.is_empty()).cloned();
                let configs = configs.unwrap_or_else(|| vec![PageConfig::default_for(kind)]);
                Tab {
                    kind,
                    pages: configs
                        .into_iter()
                        .map(|c| Page::new(kind, c.with_answers_off()))
                        .collect(),
                    selected: 0,
                }
            })
            .collect();
        let repaint = ctx.clone();
        let (coalescer, waker) = Coalescer::new(move || repaint.request_repaint());
        App {
            tabs,
            active_tab: saved.active_tab.min(DEMO_TAB),
            stress: StressPage::new(saved.stress),
            demo: None,
            dark: saved.dark,
            presentation: saved.presentation,
            language: saved.language,
            tools_open: saved.tools_open,
            interfaces: local_interfaces(),
            waker,
            coalescer,
            ctx: ctx.clone(),
        }
    }

    /// The session tab shown, or the first one while the Stress tab is shown.
    pub fn tab(&mut self) -> &mut Tab {
        let index = if self.active_tab < self.tabs.len() {
            self.active_tab
        } else {
            0
        };
        &mut self.tabs[index]
    }

    pub fn saved_state(&self) -> SavedState {
        SavedState {
            active_tab: self.active_tab,
            dark: self.dark,
            presentation: self.presentation,
            language: self.language,
            zoom: self.ctx.zoom_factor(),
            tools_open: self.tools_open,
            pages: self
                .tabs
                .iter()
                .map(|tab| tab.pages.iter().map(|p| p.config().clone()).collect())
                .collect(),
            stress: self.stress.form.clone(),
        }
    }
}

impl eframe::App for App {
    /// Applies engine events; runs only when a worker woke the UI or input arrived.
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.coalescer.frame_started();
        // Log notes made while applying events are in the window's language.
        i18n::set_language(self.language);
        self.stress.refresh();
        let mut more = false;
        if let Some(demo) = &mut self.demo {
            more |= demo.drain_events(&self.waker);
        }
        for tab in &mut self.tabs {
            for page in &mut tab.pages {
                more |= page.drain_events();
            }
        }
        if more {
            ctx.request_repaint();
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        i18n::set_language(self.language);
        crate::gui::view::draw(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.saved_state());
    }
}

/// Unspecified and loopback first (the usual choices), then this machine's other addresses.
fn local_interfaces() -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = vec![
        "0.0.0.0".parse().expect("literal"),
        "127.0.0.1".parse().expect("literal"),
        "::".parse().expect("literal"),
        "::1".parse().expect("literal"),
    ];
    for interface in if_addrs::get_if_addrs().unwrap_or_default() {
        let ip = interface.ip();
        if !ips.contains(&ip) && !matches!(ip, IpAddr::V6(v6) if v6.is_unicast_link_local()) {
            ips.push(ip);
        }
    }
    ips
}
