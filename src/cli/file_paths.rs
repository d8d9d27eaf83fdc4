//! The files a run reads and writes must be different files: a `--capture` or `--pcap` that
//! names the `--send-file` would empty it before it is read, and two outputs in one file
//! would write over each other. Checked before anything is opened.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// Refuses an output that is an input or another output, naming both flags.
pub fn check_apart(
    inputs: &[(&'static str, &Path)],
    outputs: &[(&'static str, &Path)],
) -> Result<(), Error> {
    for (at, &(flag, path)) in outputs.iter().enumerate() {
        let Some(file) = written_file(path) else {
            continue;
        };
        let earlier = inputs.iter().chain(&outputs[..at]);
        for &(other_flag, other) in earlier {
            if written_file(other).is_some_and(|other| other == file) {
                return Err(Error::InvalidSetting {
                    name: flag,
                    reason: format!(
                        "names the same file as {other_flag} ({}): choose another file",
                        path.display()
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The file a path names, as one absolute path however it was written; None for what is not
/// a regular file that writing would empty (a device such as /dev/null, or a FIFO).
fn written_file(path: &Path) -> Option<PathBuf> {
    match std::fs::metadata(path) {
        Ok(metadata) if !metadata.is_file() => None,
        Ok(_) => path.canonicalize().ok(),
        // Not there yet: its folder's real path and its name.
        Err(_) => {
            let name = path.file_name()?;
            let folder = match path.parent() {
                Some(folder) if !folder.as_os_str().is_empty() => folder.canonicalize().ok()?,
                _ => std::env::current_dir().ok()?,
            };
            Some(folder.join(name))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_may_not_be_an_input_or_another_output() {
        let folder = std::env::temp_dir().join(format!("file-paths-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let input = folder.join("in.bin");
        std::fs::write(&input, b"data").unwrap();
        let (capture, pcap) = (folder.join("out.bin"), folder.join("out.pcap"));
        // The same file written another way (through "..") is still the same file.
        let input_again = folder
            .join("..")
            .join(folder.file_name().unwrap())
            .join("in.bin");

        assert!(
            check_apart(
                &[("--send-file", &input)],
                &[("--capture", &capture), ("--pcap", &pcap)]
            )
            .is_ok()
        );
        let error =
            check_apart(&[("--send-file", &input)], &[("--capture", &input_again)]).unwrap_err();
        assert!(error.is_input_error());
        assert!(
            error
                .to_string()
                .starts_with("--capture names the same file as --send-file"),
            "{error}"
        );
        // Two outputs not there yet, in one file.
        let error = check_apart(&[], &[("--pcap", &pcap), ("--capture", &pcap)]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("--capture names the same file as --pcap"),
            "{error}"
        );
        // A device is no file to empty.
        let null = Path::new("/dev/null");
        if null.exists() {
            assert!(check_apart(&[], &[("--pcap", null), ("--capture", null)]).is_ok());
        }
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
