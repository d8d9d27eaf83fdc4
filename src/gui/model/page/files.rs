//! A page's files: capture of received bytes, log export and file sends.

use super::*;
use crate::capture::record::Side;
use crate::gui::model::folder;
use crate::gui::model::recording::AlreadyOpen;

/// The path fields a file dialog can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathField {
    SendFile,
    Capture,
    Export,
}

impl Page {
    #[cfg(feature = "gui")]
    /// Opens the system's file dialog on a thread of its own, so the window keeps drawing;
    /// the path chosen goes into `field` when the window next applies events (`repaint` asks
    /// for that).
    pub fn choose_path(&mut self, field: PathField, repaint: impl Fn() + Send + 'static) {
        let (tx, picked) = crossbeam_channel::bounded(1);
        let opened = std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let dialog = rfd::FileDialog::new();
                let path = match field {
                    PathField::SendFile => dialog.pick_file(),
                    PathField::Capture | PathField::Export => dialog.save_file(),
                };
                if let Some(path) = path {
                    let _ = tx.send(path);
                    repaint();
                }
            });
        if opened.is_ok() {
            self.file_pick = Some((field, picked));
        }
    }

    /// Puts a path chosen in the file dialog into its field.
    pub fn take_chosen_path(&mut self) {
        let Some((field, picked)) = &self.file_pick else {
            return;
        };
        let Ok(path) = picked.try_recv() else {
            return;
        };
        let path = path.display().to_string();
        match field {
            PathField::SendFile => self.config.file_path = path,
            PathField::Capture => self.config.capture_path = path,
            PathField::Export => self.config.export_path = path,
        }
        self.file_pick = None;
    }

    /// What is open now, for a recording that starts while it is.
    pub(super) fn already_open(&self) -> AlreadyOpen {
        match self.link {
            Link::Connected { local, peer, .. } => AlreadyOpen {
                bound: None,
                connections: vec![(None, local, peer, Side::Here)],
            },
            Link::Listening { local } => AlreadyOpen {
                bound: Some(local),
                connections: self
                    .clients
                    .iter()
                    .map(|client| (Some(client.id), client.local, client.peer, Side::Peer))
                    .collect(),
            },
            Link::Closed | Link::Connecting => AlreadyOpen::default(),
        }
    }

    /// Starts or stops writing received bytes to the capture file.
    pub fn toggle_capture(&mut self) {
        let capturing = !self.capturing;
        let path = folder::resolve(&self.config.capture_path);
        let result = match &self.session {
            Some(session) if capturing => folder::for_writing(&self.config.capture_path)
                .and_then(|path| session.set_capture(Some(&path))),
            Some(session) => session.set_capture(None),
            None => Ok(()),
        };
        self.file_note = Some(match result {
            Ok(()) => {
                self.capturing = capturing;
                match capturing {
                    true => tf(
                        "Capturing received bytes to {path}",
                        &[("path", &path.display())],
                    ),
                    false => t("Capture stopped").to_string(),
                }
            }
            Err(error) => i18n::error(&error),
        });
    }

    /// Saves the whole log (not only the shown rows) in the chosen format.
    pub fn export_log(&mut self) {
        let written = folder::for_writing(&self.config.export_path).and_then(|path| {
            let saving = |err: std::io::Error| Error::File {
                action: "saving the log to",
                path: path.display().to_string(),
                message: crate::error::describe_io(&err),
            };
            let file = std::fs::File::create(&path).map_err(saving)?;
            let mut out = std::io::BufWriter::new(file);
            export(self.log.iter(), self.config.export_format, &mut out).map_err(saving)?;
            Ok(path)
        });
        self.file_note = Some(match written {
            Ok(path) => tf(
                "Saved {n} rows to {path}",
                &[("n", &self.log.len()), ("path", &path.display())],
            ),
            Err(error) => i18n::error(&error),
        });
    }

    /// Sends the file at `config.file_path` (a datagram per chunk over UDP).
    pub fn send_file(&mut self) {
        let started = self.start_file_send();
        let path = folder::resolve(&self.config.file_path);
        let path = &path.display();
        self.file_note = Some(match started {
            Ok(Some(total)) => tf(
                "Sending {path} ({total} bytes)",
                &[("path", path), ("total", &total)],
            ),
            Ok(None) => tf("Sending {path} (size unknown)", &[("path", path)]),
            Err(error) => i18n::error(&error),
        });
    }

    fn start_file_send(&mut self) -> Result<Option<u64>, Error> {
        let path = folder::resolve(&self.config.file_path);
        let chunk = file_chunk(self.kind);
        let session = self.session.as_ref().ok_or(Error::NotConnected)?;
        let file_send = session.send_file(self.destination()?, &path, chunk)?;
        let total = file_send.total;
        self.file_send = Some(file_send);
        Ok(total)
    }

    /// Says how a file send that finished went: all sent, or why it stopped.
    pub(super) fn check_file_send(&mut self) {
        let Some(file_send) = self.file_send.as_ref().filter(|f| !f.is_running()) else {
            return;
        };
        self.file_note = Some(match file_send.failure() {
            Some(error) => i18n::error(&error),
            None => tf(
                "Sent {path} ({n} bytes)",
                &[
                    ("path", &folder::resolve(&self.config.file_path).display()),
                    ("n", &file_send.read()),
                ],
            ),
        });
        self.file_send = None;
    }

    /// A file being sent: bytes the socket has taken so far, and the file's size if known.
    pub fn file_progress(&self) -> Option<(u64, Option<u64>)> {
        self.file_send
            .as_ref()
            .filter(|f| f.is_running())
            .map(|f| (f.written(), f.total))
    }
}
