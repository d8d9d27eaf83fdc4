//! One palette for what happened on the wire: received green, sent blue, control amber,
//! errors red, notes grey; a brighter shade on the dark theme, a deeper one on the light. The
//! log table, the sequence chart, the plots and the error lines all take their colours here.

use egui::Color32;

/// Each colour as (on the dark theme, on the light theme).
type Shades = (Color32, Color32);

const ERROR: Shades = (rgb(0xFF6B6B), rgb(0xC41E25));
const RECEIVED: Shades = (rgb(0x56D364), rgb(0x1A7F37));
const SENT: Shades = (rgb(0x58A6FF), rgb(0x0969DA));
const CONTROL: Shades = (rgb(0xE3B341), rgb(0x9A6700));
const NOTE: Shades = (Color32::LIGHT_GRAY, Color32::DARK_GRAY);

/// A colour written as 0xRRGGBB.
const fn rgb(hex: u32) -> Color32 {
    Color32::from_rgb((hex >> 16) as u8, (hex >> 8) as u8, hex as u8)
}

fn shade(dark: bool, (on_dark, on_light): Shades) -> Color32 {
    if dark { on_dark } else { on_light }
}

/// Errors.
pub fn error(dark: bool) -> Color32 {
    shade(dark, ERROR)
}

pub fn received(dark: bool) -> Color32 {
    shade(dark, RECEIVED)
}

pub fn sent(dark: bool) -> Color32 {
    shade(dark, SENT)
}

/// Connects, FIN and other control events.
pub fn control(dark: bool) -> Color32 {
    shade(dark, CONTROL)
}

/// Notes and information rows.
pub fn note(dark: bool) -> Color32 {
    shade(dark, NOTE)
}

/// Warnings that must be seen, such as the auto-reply badge.
pub fn warning(dark: bool) -> Color32 {
    control(dark)
}

/// The alpha a disabled control's text is drawn at: a warning keeps full strength (the
/// theme's `disabled_alpha` faded the light theme's orange to about 3:1 against the panel).
pub fn disabled_text_alpha(visuals: &egui::Visuals, warns: bool) -> f32 {
    if warns { 1.0 } else { visuals.disabled_alpha() }
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
