//! The fonts: egui's own, with the bundled CJK font as a fallback so Chinese renders anywhere.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

/// Droid Sans Fallback (Apache-2.0, see assets/fonts/): CJK glyphs that egui's default fonts lack.
const CJK_FONT: &[u8] = include_bytes!("../../../assets/fonts/DroidSansFallbackFull.ttf");

/// egui's default fonts with the bundled CJK font as the fallback of every family, so Chinese
/// renders without a system font.
pub fn install(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts
        .font_data
        .insert("cjk".to_owned(), Arc::new(FontData::from_static(CJK_FONT)));
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push("cjk".to_owned());
    }
    ctx.set_fonts(fonts);
}
