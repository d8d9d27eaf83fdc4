//! What does not fit a protocol, kept as an English template with named values: the command
//! line prints it as it is, and the window words it in its own language.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// English, with `{name}` where each value goes.
    pub template: &'static str,
    pub values: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn new<const N: usize>(
        template: &'static str,
        values: [(&'static str, String); N],
    ) -> Problem {
        Problem {
            template,
            values: values.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.template.to_string();
        for (name, value) in &self.values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        f.write_str(&text)
    }
}
