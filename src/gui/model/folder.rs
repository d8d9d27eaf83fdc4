//! Where the window's files go. A name without a folder (the defaults "log.txt",
//! "session.pcap"…) is kept in one folder, named in the README: `socket-tester` in the user's
//! documents folder (the data folder where there is none), or the folder in the environment
//! variable `SOCKET_TESTER_FILES`. Every message about a file gives its full path.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::{Error, describe_io};

/// The environment variable that moves the files folder elsewhere.
pub const FOLDER_VARIABLE: &str = "SOCKET_TESTER_FILES";

/// The folder for names typed without one (looked up once: the documents folder is read
/// from a file on Linux).
pub fn files_folder() -> &'static Path {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        match std::env::var_os(FOLDER_VARIABLE).filter(|folder| !folder.is_empty()) {
            Some(folder) => PathBuf::from(folder),
            None => dirs::document_dir()
                .or_else(dirs::data_dir)
                .unwrap_or_default()
                .join("socket-tester"),
        }
    })
}

/// The full path of what was typed in a path field.
pub fn resolve(typed: &str) -> PathBuf {
    resolve_in(files_folder(), typed)
}

fn resolve_in(folder: &Path, typed: &str) -> PathBuf {
    let typed = native_separators(typed.trim(), cfg!(windows));
    let typed = typed.as_ref();
    let home = in_home(typed, cfg!(windows)).and_then(|rest| Some(dirs::home_dir()?.join(rest)));
    match home {
        Some(path) => path,
        // An absolute path stays as it is (`join` keeps it).
        None => folder.join(typed),
    }
}

/// What follows `~/` (and on Windows `~\`, its own separator) in a path typed relative to
/// the user's folder. Elsewhere a backslash is a character of a file name, so `~\x` stays a
/// name.
fn in_home(typed: &str, windows: bool) -> Option<&str> {
    typed
        .strip_prefix("~/")
        .or_else(|| typed.strip_prefix("~\\").filter(|_| windows))
}

/// On Windows, `/` typed in a path becomes `\`, Windows' own separator: Windows takes either,
/// but the messages then give the path as Explorer and cmd.exe write it (`C:\Users\me\logs\a.txt`,
/// not `C:\Users\me\logs/a.txt` from joining `logs/a.txt`). `/` cannot be part of a file name
/// there. Elsewhere the text stays as typed.
fn native_separators(typed: &str, windows: bool) -> Cow<'_, str> {
    if windows && typed.contains('/') {
        Cow::Owned(typed.replace('/', "\\"))
    } else {
        Cow::Borrowed(typed)
    }
}

/// The full path of a file about to be written, with its folder made if it is missing.
pub fn for_writing(typed: &str) -> Result<PathBuf, Error> {
    let path = resolve(typed);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|err| Error::File {
            action: "making the folder of",
            path: path.display().to_string(),
            message: describe_io(&err),
        })?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_name_goes_into_the_folder_and_a_full_path_stays() {
        let folder = Path::new("/data/socket-tester");
        assert_eq!(
            resolve_in(folder, " log.txt "),
            Path::new("/data/socket-tester/log.txt")
        );
        assert_eq!(
            resolve_in(folder, "runs/a.pcap"),
            Path::new("/data/socket-tester/runs/a.pcap")
        );
        assert_eq!(resolve_in(folder, "/tmp/a.pcap"), Path::new("/tmp/a.pcap"));
        if let Some(home) = dirs::home_dir() {
            assert_eq!(resolve_in(folder, "~/a.bin"), home.join("a.bin"));
        }
    }

    #[test]
    fn the_home_folder_is_written_with_either_slash_on_windows() {
        assert_eq!(in_home("~/logs/a.txt", false), Some("logs/a.txt"));
        assert_eq!(in_home("~/logs/a.txt", true), Some("logs/a.txt"));
        assert_eq!(in_home("~\\logs\\a.txt", true), Some("logs\\a.txt"));
        // On Linux `~\a` is a file name like any other.
        assert_eq!(in_home("~\\a.txt", false), None);
        assert_eq!(in_home("a~/b", true), None);
    }

    #[test]
    fn windows_paths_are_given_with_backslashes() {
        assert_eq!(native_separators("~/logs/a.txt", true), "~\\logs\\a.txt");
        assert_eq!(
            native_separators("C:/Users/me/a.pcap", true),
            "C:\\Users\\me\\a.pcap"
        );
        assert_eq!(native_separators("runs\\a.pcap", true), "runs\\a.pcap");
        // Typed with forward slashes, `~/` still names the user's folder on Windows.
        assert_eq!(
            in_home(&native_separators("~/logs/a.txt", true), true),
            Some("logs\\a.txt")
        );
        // Elsewhere nothing changes: a backslash is a character of a name.
        assert_eq!(native_separators("~/a\\b.txt", false), "~/a\\b.txt");
    }
}
