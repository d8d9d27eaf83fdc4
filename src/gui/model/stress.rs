//! The Stress tab's state: the form as typed, the run, and its latest figures. No drawing.

use serde::{Deserialize, Serialize};

use crate::codec::{Checksum, InputMode, LineEnding, PayloadFormat, TextEncoding};
use crate::error::Error;
use crate::gui::i18n::{self, t, tf};
use crate::gui::model::folder;
use crate::net::Waker;
use crate::net::addr::parse_remote_parts;
use crate::net::stress::{
    Protocol, Report, Sample, Stress, StressConfig, StressMode, Template, duration_from_seconds,
};

/// The form, as typed; saved with the app's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StressForm {
    pub protocol: Protocol,
    pub host: String,
    pub port: String,
    pub clients: String,
    pub short_connections: bool,
    pub mode: StressMode,
    /// Messages per second over all clients; empty: as fast as possible.
    pub rate: String,
    /// Seconds; empty: until Count is reached.
    pub duration_s: String,
    /// Requests in all; empty: until the duration is over.
    pub count: String,
    pub timeout_ms: String,
    pub payload: String,
    pub hex: bool,
    pub encoding: TextEncoding,
    pub export_path: String,
}

impl Default for StressForm {
    fn default() -> StressForm {
        StressForm {
            protocol: Protocol::Tcp,
            host: "127.0.0.1".into(),
            port: "8080".into(),
            clients: "10".into(),
            short_connections: false,
            mode: StressMode::PingPong,
            rate: String::new(),
            duration_s: "10".into(),
            count: String::new(),
            timeout_ms: "3000".into(),
            payload: "ping ${seq}".into(),
            hex: false,
            encoding: TextEncoding::Utf8,
            export_path: "stress-report.json".into(),
        }
    }
}

impl StressForm {
    /// Checks every field; the error names the field.
    pub fn to_config(&self) -> Result<StressConfig, Error> {
        let format = PayloadFormat {
            mode: if self.hex {
                InputMode::Hex
            } else {
                InputMode::Text
            },
            encoding: self.encoding,
            escapes: true,
            line_ending: LineEnding::None,
            checksum: Checksum::None,
        };
        let config = StressConfig {
            protocol: self.protocol,
            target: parse_remote_parts(&self.host, &self.port)?,
            clients: number(t("Clients"), &self.clients)?.unwrap_or(0),
            short_connections: self.short_connections,
            mode: self.mode,
            rate: number(t("Rate (msg/s)"), &self.rate)?,
            duration: number::<f64>(t("Duration (s)"), &self.duration_s)?
                .map(duration_from_seconds)
                .transpose()?,
            count: number(t("Count"), &self.count)?,
            payload: Template::parse_for_stress(&self.payload, format)?,
            timeout: std::time::Duration::from_millis(
                number(t("Timeout (ms)"), &self.timeout_ms)?.unwrap_or(0),
            ),
        };
        config.check()?;
        Ok(config)
    }
}

/// An optional number field: empty is None, anything else must parse.
fn number<T: std::str::FromStr>(name: &'static str, text: &str) -> Result<Option<T>, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| Error::InvalidSetting {
        name,
        reason: tf("'{text}' is not a number", &[("text", &text)]),
    })
}

#[derive(Default)]
pub struct StressPage {
    pub form: StressForm,
    run: Option<Stress>,
    /// The latest figures: live while running, the final report after.
    pub report: Option<Report>,
    pub timeline: Vec<Sample>,
    /// A field that is wrong, or why the run could not start.
    pub error: Option<String>,
    /// What the last export did.
    pub export_note: Option<String>,
}

impl StressPage {
    pub fn new(form: StressForm) -> StressPage {
        StressPage {
            form,
            ..StressPage::default()
        }
    }

    pub fn is_running(&self) -> bool {
        self.run.is_some()
    }

    pub fn start(&mut self, waker: Waker) {
        self.error = None;
        match self
            .form
            .to_config()
            .and_then(|config| Stress::start(config, waker))
        {
            Ok(run) => {
                self.run = Some(run);
                self.report = None;
                self.timeline.clear();
            }
            Err(error) => self.error = Some(i18n::error(&error)),
        }
    }

    /// Asks the run to end; the final report arrives a moment later.
    pub fn stop(&mut self) {
        if let Some(run) = &mut self.run {
            run.stop();
        }
    }

    /// Takes the latest figures (called when the run woke the app).
    pub fn refresh(&mut self) {
        let Some(run) = &self.run else { return };
        // The figures change with each sample (twice a second) and at the end; other frames
        // (the mouse moving, say) neither lock the run's histogram nor copy its timeline.
        if run.samples() == self.timeline.len() && !run.is_finished() && self.report.is_some() {
            return;
        }
        self.timeline
            .extend(run.timeline_since(self.timeline.len()));
        let report = run.report();
        if !report.running {
            self.error.clone_from(&report.error);
            // Finished: dropping joins threads that have already ended.
            self.run = None;
        }
        self.report = Some(report);
    }

    /// Writes the report as JSON or CSV, by the path's extension.
    pub fn export(&mut self) {
        let Some(report) = &self.report else {
            self.export_note = Some(t("Nothing to export yet: start a run").into());
            return;
        };
        let typed = &self.form.export_path;
        let csv = typed.trim().to_ascii_lowercase().ends_with(".csv");
        let text = if csv {
            report.to_csv()
        } else {
            report.to_json() + "\n"
        };
        let written = folder::for_writing(typed).and_then(|path| {
            std::fs::write(&path, text).map_err(|err| Error::File {
                action: "writing",
                path: path.display().to_string(),
                message: crate::error::describe_io(&err),
            })?;
            Ok(path)
        });
        self.export_note = Some(match written {
            Ok(path) => tf("Report written to {path}", &[("path", &path.display())]),
            Err(error) => i18n::error(&error),
        });
    }
}
