//! What `cargo deb` packs is there: every file the package metadata names, and a desktop entry
//! that starts the app by name, in English and Chinese, with the icon the package installs.

#[test]
fn every_file_the_package_names_exists_and_the_desktop_entry_starts_the_app() {
    let root = env!("CARGO_MANIFEST_DIR");
    let manifest = std::fs::read_to_string(format!("{root}/Cargo.toml")).unwrap();
    let sources: Vec<&str> = manifest
        .lines()
        .filter_map(|line| line.trim().strip_prefix("[\""))
        .filter_map(|rest| rest.split('"').next())
        .filter(|source| !source.starts_with("target/"))
        .collect();
    assert!(sources.len() >= 9, "{sources:?}");
    for source in &sources {
        assert!(
            std::path::Path::new(root).join(source).is_file(),
            "{source} is missing"
        );
    }
    let entry =
        std::fs::read_to_string(format!("{root}/assets/desktop/socket-tester.desktop")).unwrap();
    for line in [
        "Exec=socket-tester",
        "Icon=socket-tester",
        "Name=Socket Tester",
        "StartupWMClass=socket-tester",
    ] {
        assert!(entry.lines().any(|l| l == line), "{line}");
    }
    assert!(entry.lines().any(|l| l.starts_with("Name[zh_CN]=")));
    let main = std::fs::read_to_string(format!("{root}/src/main.rs")).unwrap();
    assert!(
        main.contains(".with_app_id(\"socket-tester\")"),
        "the window's class is the entry's StartupWMClass"
    );
}

/// The Windows exe's icon: build.rs compiles assets/icon.ico into the exe, and the file holds
/// every size Explorer and the taskbar ask for (16 and 32 in lists and the taskbar, 48 for
/// medium icons, 256 for large ones and on HiDPI screens), as PNG or bitmap images.
#[test]
fn the_windows_icon_has_every_size_explorer_shows_and_build_rs_compiles_it() {
    let root = env!("CARGO_MANIFEST_DIR");
    let ico = std::fs::read(format!("{root}/assets/icon.ico")).unwrap();
    let word = |at: usize| u16::from_le_bytes([ico[at], ico[at + 1]]);
    assert_eq!((word(0), word(2)), (0, 1), "an ICO file's header");
    let sizes: Vec<u32> = (0..usize::from(word(4)))
        .map(|i| match ico[6 + 16 * i] {
            0 => 256, // a width of 0 means 256
            width => u32::from(width),
        })
        .collect();
    for size in [16, 32, 48, 256] {
        assert!(sizes.contains(&size), "{size} px missing from {sizes:?}");
    }
    let build = std::fs::read_to_string(format!("{root}/build.rs")).unwrap();
    assert!(build.contains(".set_icon(\"assets/icon.ico\")"));
    assert!(build.contains("rerun-if-changed=assets/icon.ico"));
}
