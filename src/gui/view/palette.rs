//! One palette for what happened on the wire: received green, sent blue, control amber,
//! errors red, notes grey; a brighter shade on the dark theme, a deeper one on the light. The
//! log table, the sequence chart, the plots and the error lines all take their colours here.

use egui::Color32;

/// Errors.
pub fn error(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0xFF, 0x6B, 0x6B)
    } else {
        Color32::from_rgb(0xC4, 0x1E, 0x25)
    }
}

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

/// Warnings that must be seen, such as the auto-reply badge.
pub fn warning(dark: bool) -> Color32 {
    control(dark)
}

/// The name of an open session in the session strip, on the panel or on the selection's fill.
pub fn open_session(dark: bool, selected: bool) -> Color32 {
    match (dark, selected) {
        (true, false) => received(true),
        (true, true) => Color32::from_rgb(0xB8, 0xF5, 0xC0),
        (false, false) => received(false),
        (false, true) => Color32::from_rgb(0x0A, 0x4D, 0x1C),
    }
}

/// The contrast ratio of two colours (WCAG 2): 1.0 to 21.0; text wants at least 4.5.
pub fn contrast(a: Color32, b: Color32) -> f32 {
    let luminance = |c: Color32| {
        let channel = |v: u8| {
            let v = v as f32 / 255.0;
            if v <= 0.040_45 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}
