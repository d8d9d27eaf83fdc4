//! An empty eframe window built with this crate's eframe and features: the reference the
//! app's start-up time and memory are measured against (`benches/window.sh`).

fn main() -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Empty window")
            .with_inner_size([1100.0, 720.0]),
        // As the app: examples build with the dev-dependencies, which add wgpu.
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_ui_native("Empty window", options, |ui, _frame| {
        ui.label("An empty window");
    })
}
