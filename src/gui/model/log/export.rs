//! Saving the log as text, CSV or JSON Lines.

use super::*;

/// File formats the log can be saved in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ExportFormat {
    #[default]
    Txt,
    Csv,
    JsonLines,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [
        ExportFormat::Txt,
        ExportFormat::Csv,
        ExportFormat::JsonLines,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Txt => "TXT",
            ExportFormat::Csv => "CSV",
            ExportFormat::JsonLines => "JSON Lines",
        }
    }
}

/// One row as the export formats write it.
#[derive(Serialize)]
struct ExportRow<'a> {
    time: String,
    direction: &'a str,
    peer: String,
    client: Option<ClientId>,
    len: usize,
    text: &'a str,
    hex: String,
}

impl<'a> ExportRow<'a> {
    fn of(row: &'a LogRow<'_>) -> ExportRow<'a> {
        ExportRow {
            time: DateTime::<Local>::from(row.time).to_rfc3339_opts(SecondsFormat::Millis, false),
            direction: row.direction.label(),
            peer: row.peer.map(|p| p.to_string()).unwrap_or_default(),
            client: row.client,
            len: row.data.len(),
            text: &row.text,
            hex: format_hex(row.data),
        }
    }
}

/// Writes `rows` in `format`: TXT as the CLI prints them, CSV with a header row, or one JSON
/// object per line.
pub fn export<'a>(
    rows: impl IntoIterator<Item = LogRow<'a>>,
    format: ExportFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    if format == ExportFormat::Csv {
        writeln!(out, "time,direction,peer,client,len,text,hex")?;
    }
    for row in rows {
        let r = ExportRow::of(&row);
        match format {
            ExportFormat::Txt => writeln!(
                out,
                "{} {} {} {}B {}",
                r.time,
                r.direction,
                r.peer,
                r.len,
                one_line(r.text)
            )?,
            ExportFormat::Csv => {
                let client = r.client.map(|c| c.to_string()).unwrap_or_default();
                let len = r.len.to_string();
                let fields = [
                    r.time.as_str(),
                    r.direction,
                    &r.peer,
                    &client,
                    &len,
                    r.text,
                    &r.hex,
                ];
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                writeln!(out, "{}", line.join(","))?;
            }
            ExportFormat::JsonLines => {
                serde_json::to_writer(&mut *out, &r)?;
                writeln!(out)?;
            }
        }
    }
    out.flush()
}

/// Quotes a CSV field when it holds a comma, quote or line break (RFC 4180).
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}
