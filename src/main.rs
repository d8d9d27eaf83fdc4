//! The binary: the command line when given a command, the desktop app otherwise.

use socket_tester::cli::{Invocation, main_entry};

/// Counts live bytes so `socket-tester bench` measures memory (one relaxed add per call);
/// only in builds with the `bench` feature.
#[cfg(feature = "bench")]
#[global_allocator]
static ALLOCATOR: socket_tester::bench::alloc_count::CountingAllocator =
    socket_tester::bench::alloc_count::CountingAllocator;

fn main() {
    socket_tester::net::set_up_the_allocator();
    match main_entry() {
        Invocation::Gui => std::process::exit(run_gui()),
        Invocation::Exit(code) => std::process::exit(code),
    }
}

/// A build without the window (`--no-default-features`) has only the command line.
#[cfg(not(feature = "gui"))]
fn run_gui() -> i32 {
    eprintln!(
        "error: this build has no window (it was built without the gui feature); \
         give a command, such as: socket-tester tcp-client --help"
    );
    2
}

#[cfg(feature = "gui")]
fn run_gui() -> i32 {
    use socket_tester::gui::app::App;
    // Double-clicked in Explorer: only the window, no console beside it.
    #[cfg(windows)]
    socket_tester::cli::console::let_go_of_a_console_made_for_the_window();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Socket Tester")
        // The window's class, which the desktop entry names (StartupWMClass).
        .with_app_id("socket-tester")
        .with_inner_size([1100.0, 720.0])
        .with_min_inner_size([640.0, 420.0]);
    match eframe::icon_data::from_png_bytes(include_bytes!("../assets/icon.png")) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(err) => eprintln!("warning: the app icon could not be loaded: {err}"),
    }
    let options = eframe::NativeOptions {
        viewport,
        // Chosen by measurement (docs/PERFORMANCE.md); named so a build that also has wgpu
        // (tests, through egui_kittest) still opens the window the release build does.
        renderer: eframe::Renderer::Glow,
        persistence_path: settings_file(),
        ..Default::default()
    };
    match eframe::run_native(
        "Socket Tester",
        options,
        Box::new(|cc| Ok(Box::new(App::new(cc)))),
    ) {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("error: the window could not be opened: {err}");
            1
        }
    }
}

#[cfg(feature = "gui")]
/// Where the window keeps its settings. On Windows `%APPDATA%\socket-tester\app.ron`, the
/// folder the README names (eframe's own choice would add a `data` folder inside it). Elsewhere
/// eframe's choice stands (Linux: `~/.local/share/socket-tester/app.ron`, from the app id).
fn settings_file() -> Option<std::path::PathBuf> {
    if cfg!(windows) {
        Some(dirs::config_dir()?.join("socket-tester").join("app.ron"))
    } else {
        None
    }
}
