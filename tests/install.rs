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
