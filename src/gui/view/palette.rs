//! One palette for what happened on the wire: received green, sent blue, control amber,
//! errors red, notes grey; a brighter shade on the dark theme, a deeper one on the light. The
//! log table, the sequence chart, the plots and the error lines all take their colours here.

use egui::Color32;

/// Errors, in every theme.
pub const ERROR: Color32 = Color32::from_rgb(0xE5, 0x48, 0x4D);

pub fn received(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0x56, 0xD3, 0x64)
    } else {
        Color32::from_rgb(0x1A, 0x7F, 0x37)
    }
}

pub fn sent(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0x58, 0xA6, 0xFF)
    } else {
        Color32::from_rgb(0x09, 0x69, 0xDA)
    }
}

/// Connects, FIN and other control events.
pub fn control(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0xE3, 0xB3, 0x41)
    } else {
        Color32::from_rgb(0x9A, 0x67, 0x00)
    }
}

/// Notes and information rows.
pub fn note(dark: bool) -> Color32 {
    if dark {
        Color32::LIGHT_GRAY
    } else {
        Color32::DARK_GRAY
    }
}
